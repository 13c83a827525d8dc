"""Bounded mixed load on 127.0.0.1: home, topic pages, search, resource detail (counted) and
downloads (counted), under gunicorn, for the embedded default and for PostgreSQL + Redis.

    .venv/bin/python bench/load_mix.py [--seconds 15] [--connections 8] [--backends embedded,pg-redis]
        [--rounds N]
        [--settings production|dev] [--workers N] [--worker-class gthread|sync] [--threads N]

gunicorn runs with the project's gunicorn.conf.py (as docker-compose does); --workers, --worker-class
and --threads override it. With the production settings (the default) every request carries
`X-Forwarded-Proto: https`, as behind deploy/nginx/zmd.conf, and static files are collected first.

Both backends are prepared, then both servers run side by side and the wrk runs alternate between
them (--rounds N: N runs each, the order flipping every round), so that on a shared machine both meet
the same background load. Reports each run and, per backend, requests/s over all its runs, the
median p50/p95 and the errors, the load average around each run, and the ratio of PostgreSQL + Redis
to the embedded default. Then checks that no access event is lost: after the load,
exactly N sequential detail views are sent, the server is stopped normally (which flushes its buffer),
buffered events are flushed (`flush_access_events`), and the raw event table must have grown by
exactly N. pg-redis needs PostgreSQL (scripts/start-postgres.sh) and redis-server on this machine.
"""

import argparse
import contextlib
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, free_port, gunicorn, machine, manage, scratch_env  # noqa: E402

SEARCHES = ["嫘祖", "leizu", "嵖岈山", "cys", "杨靖宇", "红色文化 微课", "薄山湖 水质", "lz"]
PATHS_SCRIPT = """
from catalogue.models import ResourceFile, TopicPage
from catalogue.selectors import live_resources
for t in TopicPage.objects.live():
    print('TOPIC', t.url)
for r in live_resources()[:40]:
    print('DETAIL', r.url)
for f in ResourceFile.objects.filter(page__in=live_resources().values('pk'), kind='document')[:10]:
    print('DOWNLOAD', f'/files/{f.pk}/{f.document.filename}?download=1')
"""
COUNT_SCRIPT = "from indicators.models import AccessEvent; print(AccessEvent.objects.count())"
HEADERS = {"X-Forwarded-Proto": "https"}  # what nginx adds; the production settings redirect without it


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def shell(env, code) -> str:
    return manage("shell", "--no-imports", "-c", code, env=env).stdout


def fetch(url: str) -> bytes:
    return urllib.request.urlopen(urllib.request.Request(url, headers=HEADERS), timeout=60).read()


@contextlib.contextmanager
def redis_server():
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is not installed: apt-get install redis-server")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="zmd-redis-")
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def prepare(env) -> tuple[list[str], list[str]]:
    """All paths of the mix, and the resource detail paths among them (the counted views)."""
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    if env["DJANGO_SETTINGS_MODULE"].endswith("production"):
        manage("collectstatic", "--noinput", "-v0", env=env)
    paths, details = ["/"], []
    for line in shell(env, PATHS_SCRIPT).splitlines():
        kind, _, path = line.partition(" ")
        if kind in {"TOPIC", "DETAIL", "DOWNLOAD"}:
            paths.append(path)
        if kind == "DETAIL":
            details.append(path)
    paths += [f"/search/?q={urllib.request.quote(q)}" for q in SEARCHES]
    return paths, details


def wrk_round(base: str, mix: Path, args) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "mix.lua"),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, MIX_PATHS=str(mix)),
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": float(re.search(r"p50_ms=([\d.]+)", out).group(1)),
        "p95": float(re.search(r"p95_ms=([\d.]+)", out).group(1)),
        "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0),
    }


def lost_events(env, details, server) -> tuple[int, int]:
    """Exactly N sequential counted views on a fresh server, stopped normally (flushing its buffer),
    what waits in Redis drained: (sent, recorded)."""
    manage("flush_access_events", env=env)
    before = int(shell(env, COUNT_SCRIPT).strip())
    exact = 300
    with gunicorn(env, settings=env["DJANGO_SETTINGS_MODULE"], **server) as base:
        for i in range(exact):
            fetch(base + details[i % len(details)])
    manage("flush_access_events", env=env)
    return exact, int(shell(env, COUNT_SCRIPT).strip()) - before


def run(envs: dict, args) -> dict:
    """Both backends' servers run side by side; the wrk rounds alternate between them (the order
    flips every round), so that both meet the same background load on a shared machine."""
    server = {"workers": args.workers, "worker_class": args.worker_class, "threads": args.threads}
    prepared = {name: prepare(env) for name, env in envs.items()}
    mixes = {}
    for name, (paths, _) in prepared.items():
        mixes[name] = Path(tempfile.mkstemp(suffix=".paths")[1])
        mixes[name].write_text("\n".join(paths) + "\n", encoding="utf-8")
    rounds = {name: [] for name in envs}
    loads = []
    with contextlib.ExitStack() as stack:
        bases = {
            name: stack.enter_context(gunicorn(env, settings=env["DJANGO_SETTINGS_MODULE"], **server))
            for name, env in envs.items()
        }
        for name, base in bases.items():
            for path in prepared[name][0]:  # warm renditions and caches
                fetch(base + path)
        names = list(envs)
        for i in range(args.rounds):
            for name in names if i % 2 == 0 else names[::-1]:
                before = load()
                rounds[name].append(wrk_round(bases[name], mixes[name], args))
                loads.append(f"{before} -> {load()}")
                r = rounds[name][-1]
                print(
                    f"  round {i + 1} {name:<9} {r['rps']:8.1f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms"
                    f"  errors {r['errors']}  load {loads[-1]}",
                    flush=True,
                )
    results = {}
    for name, env in envs.items():
        sent, recorded = lost_events(env, prepared[name][1], server)
        runs = rounds[name]
        rps = sum(r["requests"] for r in runs) / (args.seconds * len(runs))
        p50 = statistics.median(r["p50"] for r in runs)
        p95 = statistics.median(r["p95"] for r in runs)
        errors = sum(r["errors"] for r in runs)
        print(
            f"{name:<9} {rps:8.1f} req/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"requests {sum(r['requests'] for r in runs)}  errors {errors}  "
            f"events: sent {sent} counted views, recorded {recorded}, lost {sent - recorded}",
            flush=True,
        )
        results[name] = rps
        mixes[name].unlink()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--backends", default="embedded,pg-redis")
    parser.add_argument("--rounds", type=int, default=1, help="wrk runs per backend, alternating between them")
    parser.add_argument("--settings", default="production", choices=["production", "dev"])
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py (cores + 1)")
    parser.add_argument("--worker-class", default=None, help="default: gunicorn.conf.py (gthread)")
    parser.add_argument("--threads", type=int, default=None, help="default: gunicorn.conf.py (4)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    settings = f"config.settings.{args.settings}"
    conf = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), conf)  # what the server will run with
    workers = args.workers or conf["workers"]
    worker_class = args.worker_class or conf["worker_class"]
    threads = (args.threads or conf["threads"]) if worker_class == "gthread" else 1
    print(f"date: {datetime.date.today()}  machine: {machine()}  load average (1/5/15 min): {load()}")
    print(
        f"mix: home, 13 topic pages, 40 resource pages, 10 downloads, {len(SEARCHES)} searches; {settings}; "
        f"gunicorn {workers} x {worker_class}"
        + (f" x {threads} threads" if worker_class == "gthread" else "")
        + f"; wrk 2 threads x {args.connections} connections x {args.seconds}s"
        + (f", {args.rounds} rounds per backend, alternating" if args.rounds > 1 else "")
    )
    args.workers, args.worker_class, args.threads = workers, worker_class, threads
    scratch = Path(tempfile.mkdtemp(prefix="zmd-loadmix-"))
    production = {
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(scratch / "static"),
        "TRUSTED_PROXY_COUNT": "0",
    }
    extra = production if args.settings == "production" else {}
    envs = {}
    try:
        if "embedded" in args.backends:
            env = scratch_env(str(scratch / "db.sqlite3"), str(scratch / "media-sqlite"), **extra)
            env["DJANGO_SETTINGS_MODULE"] = settings
            envs["embedded"] = env
        with contextlib.ExitStack() as stack:
            if "pg-redis" in args.backends:
                url = subprocess.run(
                    ["bash", "scripts/start-postgres.sh"], cwd=ROOT, capture_output=True, text=True, check=True
                ).stdout.strip()
                db = url.rsplit("/", 1)[0] + "/zmd_loadmix"
                subprocess.run(["psql", url, "-qc", "DROP DATABASE IF EXISTS zmd_loadmix"], check=True)
                subprocess.run(["psql", url, "-qc", "CREATE DATABASE zmd_loadmix OWNER zmd"], check=True)
                redis_url = stack.enter_context(redis_server())
                env = scratch_env("", str(scratch / "media-pg"), DATABASE_URL=db, REDIS_URL=redis_url, **extra)
                env["DJANGO_SETTINGS_MODULE"] = settings
                envs["pg+redis"] = env
            results = run(envs, args)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if len(results) == 2:
        print(f"PostgreSQL + Redis / embedded: {results['pg+redis'] / results['embedded']:.2f}  load now {load()}")


if __name__ == "__main__":
    main()
