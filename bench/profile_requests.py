"""Where one warm request's time goes, per page type, in the embedded default and in the production
shape (PostgreSQL + Redis), under the production settings that bench/load_mix.py runs.

    .venv/bin/python bench/profile_requests.py [--repeat 30] [--profile PAGE] [--shapes embedded,pg-redis]

Each shape runs in its own process (settings are per process) with a scratch demo site (`seed_demo`):
the embedded default on SQLite with the local-memory cache; the production shape on a scratch
PostgreSQL database (scripts/start-postgres.sh; PGPORT chooses the server) with a scratch
redis-server for the cache, the sessions and the access-event queue. Each page is requested through
Django's test client (in process: no HTTP, no gunicorn), first to warm renditions and caches, then
`--repeat` times; per request it reports the mean wall time, the SQL queries and their time, the Redis
commands and their time (every command sent by any Redis client in the process, pipelines counted
as one round trip each), as a visitor and as a signed-in student. `--profile PAGE` also prints
cProfile's top functions (cumulative) for that page in each shape.
"""

import argparse
import atexit
import contextlib
import cProfile
import datetime
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class RedisCounter:
    """Counts round trips to Redis: every command and every pipeline execution, with their time."""

    def __init__(self):
        self.calls, self.seconds, self.names = 0, 0.0, []

    def install(self):
        import redis.client

        counter = self
        plain = redis.client.Redis.execute_command
        piped = redis.client.Pipeline.execute

        def execute_command(client, *args, **options):
            if isinstance(client, redis.client.Pipeline):
                return plain(client, *args, **options)
            started = time.perf_counter()
            try:
                return plain(client, *args, **options)
            finally:
                counter.calls += 1
                counter.seconds += time.perf_counter() - started
                counter.names.append(" ".join(str(a)[:60] for a in args[:2]))

        def execute(pipe, *args, **kwargs):
            started = time.perf_counter()
            try:
                return piped(pipe, *args, **kwargs)
            finally:
                counter.calls += 1
                counter.seconds += time.perf_counter() - started
                counter.names.append("PIPELINE")

        redis.client.Redis.execute_command = execute_command
        redis.client.Pipeline.execute = execute

    def reset(self):
        self.calls, self.seconds, self.names = 0, 0.0, []


def child(args):
    """One shape, in this process: the environment is already set by the parent."""
    import django

    os.chdir(ROOT)
    redis_counter = RedisCounter()
    if os.environ.get("REDIS_URL"):
        redis_counter.install()
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    prepared = Path(os.environ["MEDIA_ROOT"]) / ".profile-prepared"
    if not prepared.exists():  # --scratch DIR keeps the demo site between runs
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            call_command("migrate", "--noinput", verbosity=0)
            call_command("seed_demo")
            call_command("collectstatic", "--noinput", verbosity=0)
        prepared.touch()

    from catalogue.models import ResourcePage, Role, ThemePage, TopicPage
    from catalogue.services import profile_set

    live = ResourcePage.objects.live().public()
    video = live.filter(files__kind="video").first()
    document = video.files.exclude(document=None).filter(kind="document").first()
    pages = {
        "home": "/",
        "theme": ThemePage.objects.live().first().url,
        "topic": TopicPage.objects.live().first().url,
        "resource": video.url,
        "search": "/search/?q=嵖岈山",
    }
    if document is not None:
        pages["download"] = f"/files/{document.pk}/{document.document.filename}?download=1"
    student = get_user_model().objects.filter(username="bench-student").first()
    if student is None:
        student = get_user_model().objects.create_user(username="bench-student", password="Bench#pass2026")
        profile_set(user=student, role=Role.STUDENT, display_name="bench-student")
    visitor = Client(HTTP_X_FORWARDED_PROTO="https")
    signed_in = Client(HTTP_X_FORWARDED_PROTO="https")
    signed_in.force_login(student)

    sql = {"n": 0, "seconds": 0.0, "log": []}

    def sql_timer(execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["n"] += 1
            sql["seconds"] += time.perf_counter() - started
            sql["log"].append((1000 * (time.perf_counter() - started), statement))

    rows, report = [], io.StringIO()
    for name, url in pages.items():
        for who, client in (("visitor", visitor), ("student", signed_in)):
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200, (name, who, response.status_code)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
            sql.update(n=0, seconds=0.0, log=[])
            redis_counter.reset()
            wall = 0.0
            profiler = cProfile.Profile() if args.profile == name and who == "visitor" else None
            with connection.execute_wrapper(sql_timer):
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    if profiler:
                        profiler.enable()
                    response = client.get(url)
                    if hasattr(response, "streaming_content"):
                        b"".join(response.streaming_content)
                    if profiler:
                        profiler.disable()
                    wall += time.perf_counter() - started
            n = args.repeat
            rows.append(
                {
                    "page": name,
                    "who": who,
                    "ms": 1000 * wall / n,
                    "sql": sql["n"] / n,
                    "sql_ms": 1000 * sql["seconds"] / n,
                    "redis": redis_counter.calls / n,
                    "redis_ms": 1000 * redis_counter.seconds / n,
                    "redis_commands": sorted({name.split()[0] for name in redis_counter.names}),
                }
            )
            if args.trace == name:
                sql["log"].clear()
                redis_counter.reset()
                with connection.execute_wrapper(sql_timer):
                    client.get(url)
                print(f"--- {name} ({who}): one request ---", file=report)
                for ms, statement in sql["log"]:
                    print(f"  SQL {ms:7.2f} ms  {statement[:220]}", file=report)
                for command in redis_counter.names:
                    print(f"  Redis {command}", file=report)
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
                print(out.getvalue(), file=report)
    print(json.dumps({"rows": rows, "report": report.getvalue()}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--shapes", default="embedded,pg-redis")
    parser.add_argument("--profile", default="", help="page name: print cProfile's top functions for it")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--trace", default="", help="page name: print each SQL query and Redis command of one request")
    parser.add_argument("--scratch", default="", help="keep the demo sites in this directory between runs")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    from common import machine
    from load_mix import redis_server

    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"date: {started}  machine: {machine()}  load average (1/5/15 min): {load()}")
    if args.scratch:
        scratch = Path(args.scratch)
        scratch.mkdir(parents=True, exist_ok=True)
    else:
        scratch = Path(tempfile.mkdtemp(prefix="zmd-profile-"))
        atexit.register(shutil.rmtree, scratch, True)
    base = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "STATIC_ROOT": str(scratch / "static"),
        "TRUSTED_PROXY_COUNT": "0",
        "REDIS_URL": "",
    }
    results = {}
    with contextlib.ExitStack() as stack:
        for shape in args.shapes.split(","):
            env = dict(os.environ, **base, MEDIA_ROOT=str(scratch / f"media-{shape}"))
            if shape == "embedded":
                env["DATABASE_URL"] = f"sqlite:///{scratch / 'db.sqlite3'}"
            else:
                url = subprocess.run(
                    ["bash", "scripts/start-postgres.sh"], cwd=ROOT, capture_output=True, text=True, check=True
                ).stdout.strip()
                if not (scratch / f"media-{shape}" / ".profile-prepared").exists():
                    subprocess.run(["psql", url, "-qc", "DROP DATABASE IF EXISTS zmd_profile"], check=True)
                    subprocess.run(["psql", url, "-qc", "CREATE DATABASE zmd_profile OWNER zmd"], check=True)
                env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/zmd_profile"
                env["REDIS_URL"] = stack.enter_context(redis_server())
            command = [sys.executable, __file__, "--child", "--repeat", str(args.repeat), "--top", str(args.top)]
            command += ["--trace", args.trace] if args.trace else []
            if args.profile:
                command += ["--profile", args.profile]
            out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(out.stderr[-4000:])
            answer = json.loads(out.stdout.strip().splitlines()[-1])
            if answer["report"]:
                print(f"--- {shape} ---")
                print("\n".join(line for line in answer["report"].splitlines() if line.strip()))
            results[shape] = answer["rows"]
    shapes = list(results)
    print(f"per warm request, mean of {args.repeat}; load now {load()}")
    header = f"{'page':<9} {'who':<8}"
    for shape in shapes:
        header += f" | {shape + ': ms':>14} {'SQL':>4} {'SQL ms':>6} {'Redis':>5} {'Redis ms':>8}"
    print(header)
    for i, row in enumerate(results[shapes[0]]):
        line = f"{row['page']:<9} {row['who']:<8}"
        for shape in shapes:
            r = results[shape][i]
            line += f" | {r['ms']:14.2f} {r['sql']:4.1f} {r['sql_ms']:6.2f} {r['redis']:5.1f} {r['redis_ms']:8.2f}"
        print(line)
    for shape in shapes:
        for r in results[shape]:
            if r["redis_commands"]:
                print(f"{shape} {r['page']} ({r['who']}): Redis commands {', '.join(r['redis_commands'])}")


if __name__ == "__main__":
    main()
