"""The classroom: a whole class starts the same 300 MB video at once and keeps seeking in it, while
others browse and search — through Debian's nginx (deploy/nginx/zmd.conf) in front of gunicorn
(gunicorn.conf.py, the production settings), PostgreSQL and Redis, all on 127.0.0.1.

    .venv/bin/python bench/classroom.py [--seconds 45] [--video-clients 60] [--page-clients 20]
        [--video-mb 300] [--modes nginx,django]

Run once with nginx sending the video bytes (MEDIA_ACCEL_REDIRECT=true, as docker-compose runs) and
once with Django streaming them through nginx (false). Each video client opens the resource page
(a counted view), starts the video (`Range: bytes=0-`), reads 2 MB — what a player buffers ahead —
and drops the connection, then every 1-3 s seeks to a random point (`Range: bytes=N-`), reads 1 MB
and drops it again. Each page client loads the home page, a topic page, a resource page or a search,
with 0.5-2 s of reading in between. Everything goes over HTTPS to nginx, as from a browser.

Prints, per mode: time to first byte (p50/p95) of video and of pages, errors, requests, bytes, the
CPU seconds used by gunicorn's processes and by nginx's, and the load average. Clients run in four
processes (three for video, one for pages) so that the load generator is not one Python thread.
Needs nginx, openssl, redis-server and PostgreSQL (scripts/start-postgres.sh; PGPORT picks the port).
"""

import argparse
import contextlib
import datetime
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ROOT, gunicorn, machine, manage, scratch_env  # noqa: E402
from load_mix import redis_server  # noqa: E402

from deploy.nginx.local import LocalNginx, NginxUnavailable  # noqa: E402

SETUP = """
import json, os
from django.core.files import File
from django.urls import reverse
from wagtail.documents import get_document_model
from catalogue.models import ResourceFile, ResourcePage, TopicPage
from catalogue.selectors import live_resources

page = live_resources().filter(files__kind="video").first()
Document = get_document_model()
doc = Document(title="课堂视频")
with open(os.environ["ZMD_VIDEO"], "rb") as f:
    doc.file.save("课堂视频.mp4", File(f), save=False)
doc.save()
rf = ResourceFile.objects.filter(page=page, kind="video").first()
ResourceFile.objects.filter(pk=rf.pk).update(document=doc)
topics = [t.url for t in TopicPage.objects.live()][:8]
resources = [r.url for r in live_resources()[:30]]
print(json.dumps({
    "resource": page.url,
    "video": reverse("catalogue:resource_file", args=[rf.pk, doc.filename]),
    "pages": ["/"] + topics + resources,
    "searches": ["/search/?q=" + q for q in ("嫘祖", "嵖岈山", "leizu", "cys", "杨靖宇 微课")],
}))
"""


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_seconds(pids) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def gunicorn_pids() -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                cmdline = (proc / "cmdline").read_bytes()
                if b"gunicorn" in cmdline and b"classroom-bench" in (proc / "environ").read_bytes():
                    pids.append(int(proc.name))
    return pids


def _video_client(args):
    import requests

    base, cert, video, resource, until, seed = args
    rng = random.Random(seed)
    session = requests.Session()
    ttfb, errors, requests_made, received = [], 0, 0, 0
    size = None

    def ranged(start, amount):
        nonlocal errors, requests_made, received, size
        started = time.monotonic()
        try:
            with session.get(
                base + video, headers={"Range": f"bytes={start}-"}, stream=True, verify=cert, timeout=60
            ) as response:
                first = response.raw.read(1)
                ttfb.append((time.monotonic() - started) * 1000)
                requests_made += 1
                if response.status_code != 206 or not first:
                    errors += 1
                    return
                size = size or int(response.headers["Content-Range"].rsplit("/", 1)[1])
                remaining = amount - 1
                while remaining > 0:
                    chunk = response.raw.read(min(65536, remaining))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                received += amount - remaining
        except Exception:
            errors += 1
            requests_made += 1

    try:
        r = session.get(base + resource, verify=cert, timeout=60)
        requests_made += 1
        errors += r.status_code != 200
    except Exception:
        errors += 1
    ranged(0, 2 * 1024 * 1024)  # the class presses play
    while time.monotonic() < until:
        time.sleep(rng.uniform(1, 3))
        if size:
            ranged(rng.randrange(0, size - 1024 * 1024), 1024 * 1024)  # a seek
    return {"ttfb": ttfb, "errors": errors, "requests": requests_made, "bytes": received}


def _page_client(args):
    import requests

    base, cert, pages, searches, until, seed = args
    rng = random.Random(seed)
    session = requests.Session()
    ttfb, errors, requests_made = [], 0, 0
    while time.monotonic() < until:
        path = rng.choice(pages + searches)
        started = time.monotonic()
        try:
            with session.get(base + path, stream=True, verify=cert, timeout=60) as response:
                response.raw.read(1)
                ttfb.append((time.monotonic() - started) * 1000)
                response.content  # noqa: B018  (read the whole page, as a browser does)
                errors += response.status_code != 200
        except Exception:
            errors += 1
        requests_made += 1
        time.sleep(rng.uniform(0.5, 2))
    return {"ttfb": ttfb, "errors": errors, "requests": requests_made, "bytes": 0}


def _run_clients(kind, jobs):
    """One process's share of the clients, each a thread."""
    from concurrent.futures import ThreadPoolExecutor

    target = _video_client if kind == "video" else _page_client
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(target, jobs))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def run_mode(mode, env, urls, static_root, media_root, args):
    env = dict(env, MEDIA_ACCEL_REDIRECT="true" if mode == "nginx" else "false", ZMD_BENCH="classroom-bench")
    with gunicorn(env, settings="config.settings.production", workers=args.workers) as upstream:
        proxy = LocalNginx(
            Path(tempfile.mkdtemp(prefix="zmd-classroom-nginx-")),
            upstream=upstream,
            static_root=static_root,
            media_root=media_root,
        )
        proxy.start()
        try:
            import requests

            for path in urls["pages"] + urls["searches"] + [urls["resource"]]:  # warm
                requests.get(proxy.https + path, verify=proxy.cert, timeout=60)
            web = gunicorn_pids()
            nginx = [proxy.process.pid, *proxy.worker_pids()]
            cpu_web, cpu_nginx = cpu_seconds(web), cpu_seconds(nginx)
            load_before = load()
            started = time.monotonic()
            until = started + args.seconds
            video_jobs = [
                (proxy.https, proxy.cert, urls["video"], urls["resource"], until, i) for i in range(args.video_clients)
            ]
            page_jobs = [
                (proxy.https, proxy.cert, urls["pages"], urls["searches"], until, 1000 + i)
                for i in range(args.page_clients)
            ]
            shares = [("video", video_jobs[i::3]) for i in range(3)] + [("pages", page_jobs)]
            with multiprocessing.get_context("spawn").Pool(len(shares)) as pool:
                results = pool.starmap(_run_clients, [s for s in shares if s[1]])
            wall = time.monotonic() - started
            cpu_web, cpu_nginx = cpu_seconds(gunicorn_pids()) - cpu_web, cpu_seconds(nginx) - cpu_nginx
            load_after = load()
        finally:
            proxy.stop()
            shutil.rmtree(proxy.workdir, ignore_errors=True)
    flat = [r for share in results for r in share]
    videos = flat[: args.video_clients]
    pages = flat[args.video_clients :]
    video_ttfb = [t for r in videos for t in r["ttfb"]]
    page_ttfb = [t for r in pages for t in r["ttfb"]]
    summary = {
        "mode": mode,
        "video_requests": sum(r["requests"] for r in videos),
        "video_ttfb_p50_ms": percentile(video_ttfb, 50),
        "video_ttfb_p95_ms": percentile(video_ttfb, 95),
        "video_mb": sum(r["bytes"] for r in videos) / 2**20,
        "page_requests": sum(r["requests"] for r in pages),
        "page_ttfb_p50_ms": percentile(page_ttfb, 50),
        "page_ttfb_p95_ms": percentile(page_ttfb, 95),
        "errors": sum(r["errors"] for r in flat),
        "web_cpu_s": cpu_web,
        "web_cpu_pct_of_one_core": 100 * cpu_web / wall,
        "nginx_cpu_s": cpu_nginx,
        "wall_s": wall,
        "load": f"{load_before} -> {load_after}",
    }
    print(
        f"{mode:<6} video: {summary['video_requests']} requests, TTFB p50 {summary['video_ttfb_p50_ms']:.0f} ms"
        f" p95 {summary['video_ttfb_p95_ms']:.0f} ms, {summary['video_mb']:.0f} MB | pages: {summary['page_requests']}"
        f" requests, TTFB p50 {summary['page_ttfb_p50_ms']:.0f} ms p95 {summary['page_ttfb_p95_ms']:.0f} ms"
        f" | errors {summary['errors']} | CPU gunicorn {cpu_web:.1f} s ({summary['web_cpu_pct_of_one_core']:.0f}%"
        f" of a core), nginx {cpu_nginx:.1f} s | load {summary['load']}",
        flush=True,
    )
    return summary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=45)
    parser.add_argument("--video-clients", type=int, default=60)
    parser.add_argument("--page-clients", type=int, default=20)
    parser.add_argument("--video-mb", type=int, default=300)
    parser.add_argument("--modes", default="nginx,django")
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    for binary in ("redis-server", "psql"):
        if not shutil.which(binary):
            raise SystemExit(f"{binary} is not installed")
    conf = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), conf)
    args.workers = args.workers or conf["workers"]
    print(f"date: {datetime.date.today()}  machine: {machine()}  load average (1/5/15 min): {load()}")
    print(
        f"{args.video_clients} video clients on one {args.video_mb} MB video + {args.page_clients} page clients,"
        f" {args.seconds} s per mode; Debian nginx (deploy/nginx/zmd.conf, HTTPS) -> gunicorn {args.workers} x"
        f" {conf['worker_class']} x {conf['threads']} threads -> PostgreSQL + Redis, all on 127.0.0.1"
    )
    scratch = Path(tempfile.mkdtemp(prefix="zmd-classroom-"))
    try:
        url = subprocess.run(
            ["bash", "scripts/start-postgres.sh"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        db = url.rsplit("/", 1)[0] + "/zmd_classroom"
        subprocess.run(["psql", url, "-qc", "DROP DATABASE IF EXISTS zmd_classroom"], check=True)
        subprocess.run(["psql", url, "-qc", "CREATE DATABASE zmd_classroom OWNER zmd"], check=True)
        video = scratch / "video.mp4"
        with video.open("wb") as f:
            for _ in range(args.video_mb):
                f.write(os.urandom(1024 * 1024))
        with redis_server() as redis_url:
            env = scratch_env(
                "",
                str(scratch / "media"),
                DATABASE_URL=db,
                REDIS_URL=redis_url,
                SECRET_KEY="bench-" + "k" * 60,
                ALLOWED_HOSTS="127.0.0.1,localhost",
                STATIC_ROOT=str(scratch / "static"),
                TRUSTED_PROXY_COUNT="1",
                DJANGO_SETTINGS_MODULE="config.settings.production",
                ZMD_VIDEO=str(video),
            )
            manage("migrate", "--noinput", env=env)
            manage("seed_demo", env=env)
            manage("collectstatic", "--noinput", "-v0", env=env)
            out = manage("shell", "-c", SETUP, env=env).stdout
            urls = json.loads(out.strip().splitlines()[-1])
            urls["video"] = urllib.parse.quote(urls["video"])
            video.unlink()
            results = []
            for mode in args.modes.split(","):
                results.append(run_mode(mode, env, urls, scratch / "static", scratch / "media", args))
            if args.json:
                print(json.dumps(results, ensure_ascii=False, indent=1))
    except NginxUnavailable as exc:
        raise SystemExit(str(exc)) from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
