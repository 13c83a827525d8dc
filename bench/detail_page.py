"""Requests/second for a resource detail page under gunicorn (2 workers), load from wrk on 127.0.0.1.

    .venv/bin/python bench/detail_page.py [--seconds 10] [--connections 8]

Builds a scratch SQLite demo database in /tmp (seed_demo), starts gunicorn with the dev settings
(the embedded default), warms the page, then runs wrk for a bounded time.
"""

import argparse
import datetime
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import gunicorn, machine, prepare_demo_db, wrk  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    scratch = Path(tempfile.gettempdir()) / "zmd-bench"
    scratch.mkdir(exist_ok=True)
    env = prepare_demo_db(str(scratch / "demo.sqlite3"), str(scratch / "media"))
    with gunicorn(env, workers=args.workers) as base:
        url = base + "/campaign-2026/demo-chayashan-1/"
        for _ in range(20):
            urllib.request.urlopen(url).read()
        result = wrk(url, seconds=args.seconds, connections=args.connections)
    print(f"date: {datetime.date.today()}  machine: {machine()}")
    print(f"resource detail page, gunicorn {args.workers} workers, SQLite, wrk {args.connections} connections x {args.seconds}s")
    print(f"requests/s: {result['rps']:.1f}  p50: {result['p50_ms']:.1f} ms  p95: {result['p95_ms']:.1f} ms  errors: {result['errors']}")


if __name__ == "__main__":
    main()
