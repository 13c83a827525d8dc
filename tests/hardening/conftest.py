"""Real services on loopback for the production tests: Redis, PostgreSQL, gunicorn.

Everything runs as subprocesses with the production settings module and the environment
docker-compose.yml passes, so what is tested here is what the stack runs.
"""

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from deploy.nginx.local import LocalNginx, NginxUnavailable
from tests import once

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER_URL = os.environ.get("HARDENING_PG_URL", "postgres://zmd:zmd@127.0.0.1:54329/zmd_hardening_prod")
PGBIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] if Path("/usr/lib/postgresql").exists() else None


REDIS_MISSING = "redis-server is not installed (apt-get install redis-server; `make test` installs it as root)."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=60.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # noqa: S110 - the service is still starting
            pass
        time.sleep(interval)
    return False


def production_env(**overrides) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "prod-test-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TASKS_BACKEND": "database",
        "TRUSTED_PROXY_COUNT": "1",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def manage(*args, env, timeout=600):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        if not shutil.which("redis-server"):
            pytest.skip(REDIS_MISSING)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(lambda: socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close() or True)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


def _pg_admin_connect(url: str):
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=3,
    )


def _start_loopback_postgres() -> bool:
    """Start the loopback server with scripts/start-postgres.sh, as .ci/run does, where we may (root,
    Debian's PostgreSQL installed): `make test` on a fresh machine then boots production for real."""
    parts = urlparse(PG_SERVER_URL)
    if PGBIN is None or os.geteuid() != 0 or parts.hostname not in ("127.0.0.1", "localhost"):
        return False
    # Parallel test workers (pytest-xdist) take turns: one starts the server, the others find it up.
    with open(os.path.join(tempfile.gettempdir(), f"zmd-start-postgres-{parts.port or 5432}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(
            ["bash", str(ROOT / "scripts" / "start-postgres.sh")],
            env=dict(os.environ, PGPORT=str(parts.port or 5432)),
            capture_output=True,
            text=True,
            timeout=180,
        )
    return result.returncode == 0


@pytest.fixture(scope="session")
def production_database(tmp_path_factory):
    """A migrated PostgreSQL database of its own on the loopback server, one per test process.

    `migrate` from nothing takes some twenty seconds: it runs once per test run, on a template that
    each test process then copies (the template is kept on the server, so the next run's `migrate`
    has little or nothing to do)."""
    try:
        conn = _pg_admin_connect(PG_SERVER_URL)
    except Exception as exc:
        if not _start_loopback_postgres():
            pytest.skip(
                f"No PostgreSQL on loopback at {PG_SERVER_URL} ({exc}); start it: bash scripts/start-postgres.sh"
            )
        conn = _pg_admin_connect(PG_SERVER_URL)
    parts = urlparse(PG_SERVER_URL)
    base = parts.path.lstrip("/")
    template = f"{base}_template"

    def build(_folder):
        with _pg_admin_connect(PG_SERVER_URL) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
                admin.execute(f'CREATE DATABASE "{template}"')
        url = parts._replace(path=f"/{template}").geturl()
        result = manage("migrate", "--noinput", env=production_env(DATABASE_URL=url))
        assert result.returncode == 0, result.stderr[-3000:]
        return url

    once.shared(tmp_path_factory, "production-database", build)
    # One database per parallel test worker (pytest-xdist names them gw0, gw1…).
    name = base + (f"_{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else "")
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        once.create_database_from(conn, name, template)
    return parts._replace(path=f"/{name}").geturl()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic for the manifest storage the production settings use (as the Dockerfile does),
    once per test run: it compresses every file and keeps both cores busy for half a minute."""

    def build(folder):
        root = folder / "root"
        result = manage(
            "collectstatic", "--noinput", env=production_env(STATIC_ROOT=root, DATABASE_URL="sqlite:///:memory:")
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return str(root)

    return Path(once.shared(tmp_path_factory, "staticfiles", build)[1])


class Gunicorn:
    def __init__(self, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.process = None

    def start(self):
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        ok = wait_for(lambda: requests.get(self.url + "/healthz/", timeout=2).status_code in (200, 503), timeout=60)
        if not ok:
            self.stop()
            raise AssertionError("gunicorn did not start: " + (self.process.stderr.read().decode()[-3000:]))
        return self

    def get(self, path, **kwargs):
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        return requests.get(self.url + path, headers=headers, timeout=15, allow_redirects=False, **kwargs)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def throwaway_postgres():
    """A PostgreSQL cluster of its own on another port, which the test may stop and start."""
    if PGBIN is None or not (PGBIN / "initdb").exists():
        pytest.skip("PostgreSQL server binaries are not installed (apt-get install postgresql).")
    if os.geteuid() != 0 or not shutil.which("su"):
        pytest.skip("Starting a throwaway PostgreSQL cluster needs root (to run it as the postgres user).")
    base = Path(tempfile.mkdtemp(prefix="zmd-pg-restart-"))  # under /tmp: postgres must reach it
    base.chmod(0o755)
    data = base / "pgdata"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    port = free_port()

    def as_postgres(command):
        return subprocess.run(["su", "postgres", "-c", command], capture_output=True, text=True, timeout=120)

    result = as_postgres(f"{PGBIN}/initdb -D {data} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8")
    assert result.returncode == 0, result.stderr

    class Cluster:
        url = f"postgres://postgres@127.0.0.1:{port}/postgres"

        def start(self):
            r = as_postgres(
                f"{PGBIN}/pg_ctl -D {data} -l {data}/server.log -w -o "
                f"'-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off' start"
            )
            assert r.returncode == 0, r.stderr

        def stop(self):
            r = as_postgres(f"{PGBIN}/pg_ctl -D {data} -m fast -w stop")
            assert r.returncode == 0, r.stderr

    cluster = Cluster()
    cluster.start()
    yield cluster
    as_postgres(f"{PGBIN}/pg_ctl -D {data} -m immediate -w stop")
    shutil.rmtree(base, ignore_errors=True)


# --- nginx: deploy/nginx/zmd.conf in front of gunicorn --------------------------------------------


class Nginx(LocalNginx):
    """deploy/nginx/local.py's runner; a missing nginx or openssl skips the test with the reason."""

    def start(self):
        try:
            return super().start()
        except NginxUnavailable as exc:
            pytest.skip(str(exc))
