"""What a federated sign-in adds over a local password login, end to end over HTTP on loopback.

Starts the stand-in identity provider (tests/accounts/idp, django-oauth-toolkit, OIDC, in its own
process) and the site under gunicorn (scratch SQLite demo database, config.settings.dev), then signs
in N times each way with `requests`, as a browser would (cookies, redirects), and prints:

- local: GET the login page + POST the password → landing redirect;
- federated: our /accounts/federated/login/ → the provider's login form (GET + POST) → its
  authorize endpoint → our callback (which exchanges the code, checks the ID token and fetches the
  userinfo: three server-to-server calls) → landing redirect;
- ours: our two requests of the federated sign-in (the redirect to the provider, and the callback)
  — what the site itself adds; the rest is the provider's own login page.

The stand-in provider hashes passwords as Django does by default (PBKDF2), like our local login, so
the difference of the two totals is the protocol's cost, not a cheaper password check.

The provider's own pages are part of the federated total: the figure is what a pupil waits, with a
provider as fast as this loopback one. Bounded: N sign-ins each, loopback only.

    .venv/bin/python bench/federated_login.py --runs 30
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import free_port, gunicorn, machine, manage, prepare_demo_db  # noqa: E402
from tests.accounts.idp.fixture import CLIENT_ID, CLIENT_SECRET, IdentityProvider  # noqa: E402


def load() -> str:
    return os.popen("uptime").read().strip().split("load average:")[-1].strip()


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def local_login(base):
    browser = requests.Session()
    t0 = time.perf_counter()
    browser.get(f"{base}/accounts/login/")
    response = browser.post(
        f"{base}/accounts/login/",
        data={"username": "student", "password": "Zmd#demo2026", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )
    elapsed = time.perf_counter() - t0
    assert response.status_code == 302, response.status_code
    return elapsed


def federated_login(base, idp):
    browser = requests.Session()
    t0 = time.perf_counter()
    start = browser.get(f"{base}/accounts/federated/login/", allow_redirects=False)
    t_start = time.perf_counter() - t0
    login_page = browser.get(start.headers["Location"])
    answer = browser.post(
        login_page.url,
        data={
            "username": "s-li",
            "password": "Idp#pass2026",
            "csrfmiddlewaretoken": browser.cookies.get("idp_csrftoken"),
            "next": parse_qs(urlsplit(login_page.url).query)["next"][0],
        },
        headers={"Referer": login_page.url},
        allow_redirects=False,
    )
    location = answer.headers["Location"]
    while not location.startswith(base):
        answer = browser.get(location if location.startswith("http") else idp.url + location, allow_redirects=False)
        location = answer.headers["Location"]
    t1 = time.perf_counter()
    callback = browser.get(location, allow_redirects=False)
    t2 = time.perf_counter()
    assert callback.status_code == 302 and "/accounts/" not in callback.headers["Location"], callback.text[:300]
    return t2 - t0, t2 - t1 + t_start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zmd-bench-fed-"))
    env = prepare_demo_db(str(work / "db.sqlite3"), str(work / "media"))
    port = free_port()  # the provider must know our callback address before either starts
    base = f"http://127.0.0.1:{port}"
    idp = IdentityProvider(work, f"{base}/accounts/federated/callback/")
    idp.start()
    env.update(
        {
            "FEDERATED_CLIENT_ID": CLIENT_ID,
            "FEDERATED_CLIENT_SECRET": CLIENT_SECRET,
            "FEDERATED_METADATA_URL": f"{idp.issuer}/.well-known/openid-configuration",
            "FEDERATED_CLAIM_ORG_ID": "org_ids",
            "FEDERATED_CLAIM_ORG_NAME": "org_names",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    manage("check", env=env)
    try:
        with gunicorn(env, workers=2, port=port) as served:
            assert served == base
            local_login(base)
            federated_login(base, idp)  # warm-up: discovery document and signing keys fetched once
            local = [local_login(base) for _ in range(args.runs)]
            fed, callback = zip(*(federated_login(base, idp) for _ in range(args.runs)), strict=True)
    finally:
        idp.stop()
    result = {
        "runs": args.runs,
        "local_ms": {"p50": round(statistics.median(local) * 1000, 1), "p95": round(percentile(local, 0.95) * 1000, 1)},
        "federated_ms": {"p50": round(statistics.median(fed) * 1000, 1), "p95": round(percentile(fed, 0.95) * 1000, 1)},
        "ours_ms": {
            "p50": round(statistics.median(callback) * 1000, 1),
            "p95": round(percentile(callback, 0.95) * 1000, 1),
        },
    }
    result["added_p50_ms"] = round(result["federated_ms"]["p50"] - result["local_ms"]["p50"], 1)
    print(json.dumps(result, ensure_ascii=False))
    print(f"date {time.strftime('%Y-%m-%d')}; machine {machine()}; load average {load()}")
    subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
