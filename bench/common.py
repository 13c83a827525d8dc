"""Shared helpers for benchmarks: a scratch database, a gunicorn server on loopback, wrk runs.

Every benchmark is bounded in time and only talks to 127.0.0.1.
"""

import contextlib
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def machine() -> str:
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) // 1024 // 1024} GiB"
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({cpu}), {mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args, env=None, check=True):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True)


def scratch_env(db_path: str, media: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "MEDIA_ROOT": media,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        }
    )
    env.update(extra)
    return env


def prepare_demo_db(db_path: str, media: str, env_extra=None) -> dict:
    env = scratch_env(db_path, media, **(env_extra or {}))
    if not Path(db_path).exists():
        manage("migrate", "--noinput", env=env)
        manage("seed_demo", env=env)
    return env


@contextlib.contextmanager
def gunicorn(
    env: dict,
    workers: int = 2,
    settings: str = "config.settings.dev",
    worker_class: str | None = None,
    threads: int | None = None,
    port: int | None = None,
):
    """gunicorn with the project's gunicorn.conf.py (as docker-compose runs it), on a free loopback
    port; `workers`, `worker_class` and `threads` override the file's choices when given."""
    port = port or free_port()
    env = dict(env, DJANGO_SETTINGS_MODULE=settings)
    command = [str(Path(PY).parent / "gunicorn"), "config.wsgi", "-c", str(ROOT / "gunicorn.conf.py")]
    command += ["-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"]
    if worker_class:
        command += ["-k", worker_class]
    if threads:
        command += ["--threads", str(threads)]
    log = tempfile.NamedTemporaryFile(prefix="zmd-bench-gunicorn-", suffix=".log", delete=False)
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + "/healthz/", timeout=2).read()
                break
            if time.time() > deadline or proc.poll() is not None:
                raise SystemExit("gunicorn did not start:\n" + Path(log.name).read_text()[-3000:])
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        errors = [line for line in Path(log.name).read_text().splitlines() if "Traceback" in line or "ERROR" in line]
        if errors:
            print(f"gunicorn logged {len(errors)} errors; its log: {log.name}", file=sys.stderr)
        else:
            os.unlink(log.name)


def wrk(url: str, seconds: int = 10, connections: int = 8, threads: int = 2) -> dict:
    """Run wrk (Debian package `wrk`) for a bounded time; returns requests/s, p50/p95 ms, errors."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    script = ROOT / "bench" / "percentiles.lua"
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = float(re.search(r"p50_ms=([\d.]+)", out).group(1))
    p95 = float(re.search(r"p95_ms=([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {"rps": rps, "p50_ms": p50, "p95_ms": p95, "errors": errors}
