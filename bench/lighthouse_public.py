"""Lighthouse (npm package `lighthouse`, Debian's Chromium, headless, mobile profile) on the public
pages: home, topic, resource, search. Prints accessibility and best-practices scores per page with
the machine's load.

    # a running site with demo data, e.g. `make run` (127.0.0.1:8000)
    npm install --prefix /tmp/lh lighthouse
    LIGHTHOUSE=/tmp/lh/node_modules/.bin/lighthouse .venv/bin/python bench/lighthouse_public.py http://127.0.0.1:8000

The resource page is the first resource linked from the topic page; `--resource PATH` picks one.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from datetime import UTC, datetime

CATEGORIES = ("accessibility", "best-practices")


def first_resource(base: str, topic: str) -> str:
    html = urllib.request.urlopen(base + topic, timeout=30).read().decode()
    match = re.search(r'<a class="card-link" href="(/campaign-[^"]+)"', html) or re.search(
        r'href="(/campaign-\d+/[^"/]+/)"', html
    )
    if not match:
        sys.exit(f"no resource linked from {topic}")
    return match.group(1)


def lighthouse(binary: str, url: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        command = [
            binary,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--form-factor=mobile",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        ]
        env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
        subprocess.run(command, check=True, env=env, timeout=300)
        with open(out) as fh:
            report = json.load(fh)
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    failing = {
        c: [
            ref["id"]
            for ref in report["categories"][c]["auditRefs"]
            if ref.get("weight") and (report["audits"][ref["id"]].get("score") or 0) < 1
        ]
        for c in CATEGORIES
    }
    return {"scores": scores, "failing": failing}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="site address, e.g. http://127.0.0.1:8000")
    parser.add_argument("--topic", default="/natural-scenery/chayashan/")
    parser.add_argument("--resource", default="")
    parser.add_argument("--search", default="/search/?q=嵖岈山")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    binary = os.environ.get("LIGHTHOUSE", "lighthouse")
    pages = {
        "home": "/",
        "topic": args.topic,
        "resource": args.resource or first_resource(base, args.topic),
        "search": urllib.parse.quote(args.search, safe="/?=&"),
    }
    print(f"# Lighthouse {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, mobile profile, {base}")
    print("# load:", open("/proc/loadavg").read().split()[:3])
    for name, path in pages.items():
        result = lighthouse(binary, base + path)
        scores = result["scores"]
        print(
            f"{name:9} {path:60} accessibility {scores['accessibility']:3}  best-practices {scores['best-practices']:3}"
        )
        for category, audits in result["failing"].items():
            if audits:
                print(f"{'':9} not passed ({category}): {', '.join(audits)}")


if __name__ == "__main__":
    main()
