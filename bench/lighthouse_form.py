"""Lighthouse (mobile profile) on the teacher's submission form, signed in as the demo teacher.

Usage: LIGHTHOUSE=/path/to/node_modules/.bin/lighthouse .venv/bin/python bench/lighthouse_form.py
(`npm install lighthouse` in any directory gives the binary; Chromium is Debian's /usr/bin/chromium).
Uses DATABASE_URL (default: a fresh SQLite file under /tmp), migrates it, loads the demo data and
accounts if missing, serves the site with runserver on a free port, signs the teacher in by a
session made on the server side (its cookie passed to Lighthouse as an extra header), and prints the
accessibility and best-practices scores with the machine's load.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/zmd-lighthouse.sqlite3")
LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "lighthouse")
PAGES = {"submission form": "/submit/new/"}


def _manage(*args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, stdout=subprocess.DEVNULL)


def _session_cookie(username: str) -> str:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_backends, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The first backend that can load a user (a lockout backend in front only refuses logins).
    session[BACKEND_SESSION_KEY] = next(
        path for path, backend in zip(settings.AUTHENTICATION_BACKENDS, get_backends(), strict=True) if hasattr(backend, "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    _manage("migrate", "--noinput")
    import django

    django.setup()
    from catalogue.models import CampaignPage

    if not CampaignPage.objects.exists():
        _manage("seed_demo")
    _manage("demo_accounts")
    cookie = _session_cookie("teacher")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
        for name, path in PAGES.items():
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                subprocess.run(
                    [
                        LIGHTHOUSE,
                        f"http://127.0.0.1:{port}{path}",
                        "--only-categories=accessibility,best-practices",
                        "--form-factor=mobile",
                        "--output=json",
                        f"--output-path={out.name}",
                        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                        f"--extra-headers={json.dumps({'Cookie': cookie})}",
                    ],
                    check=True,
                    env=env,
                )
                report = json.loads(Path(out.name).read_text())
            if report["finalDisplayedUrl"].rstrip("/").endswith("/accounts/login"):
                raise SystemExit("Lighthouse was not signed in (it measured the login page)")
            scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
            failed = [
                a["id"]
                for a in report["audits"].values()
                if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"
            ]
            print(
                f"{name} ({path}, mobile): accessibility {scores['accessibility']}, "
                f"best practices {scores['best-practices']}; failing audits: {', '.join(failed) or 'none'}"
            )
        print("load:", os.getloadavg())
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
