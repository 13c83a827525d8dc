"""Real services on loopback for the production tests: Redis, PostgreSQL, gunicorn.

Everything runs as subprocesses with the production settings module and the environment
docker-compose.yml passes, so what is tested here is what the stack runs.
"""

import os
import re
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
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "start-postgres.sh")],
        env=dict(os.environ, PGPORT=str(parts.port or 5432)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    return result.returncode == 0


@pytest.fixture(scope="session")
def production_database():
    """A migrated PostgreSQL database of its own on the loopback server (created when missing)."""
    try:
        conn = _pg_admin_connect(PG_SERVER_URL)
    except Exception as exc:
        if not _start_loopback_postgres():
            pytest.skip(
                f"No PostgreSQL on loopback at {PG_SERVER_URL} ({exc}); start it: bash scripts/start-postgres.sh"
            )
        conn = _pg_admin_connect(PG_SERVER_URL)
    name = urlparse(PG_SERVER_URL).path.lstrip("/")
    with conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    result = manage("migrate", "--noinput", env=production_env(DATABASE_URL=PG_SERVER_URL))
    assert result.returncode == 0, result.stderr[-3000:]
    return PG_SERVER_URL


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic for the manifest storage the production settings use (as the Dockerfile does)."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = manage(
        "collectstatic", "--noinput", env=production_env(STATIC_ROOT=root, DATABASE_URL="sqlite:///:memory:")
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root


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

NGINX_CONF = ROOT / "deploy" / "nginx" / "zmd.conf"
NGINX_LIMITS = ROOT / "deploy" / "nginx" / "15-zmd-limits.envsh"
NGINX_BINARY = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def nginx_body_limit(env: dict | None = None) -> str:
    """ZMD_CLIENT_MAX_BODY_SIZE as the nginx image's entrypoint computes it (it sources the .envsh)."""
    result = subprocess.run(
        ["sh", "-c", f'. "{NGINX_LIMITS}"; printf %s "$ZMD_CLIENT_MAX_BODY_SIZE"'],
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def render_nginx_conf(*, http_port, https_port, upstream, static_root, media_root, cert, key) -> str:
    """The project's file with what docker-compose sets, for loopback: the ${ZMD_*} variables as the
    image's entrypoint renders them, and the listening ports, the upstream and the volumes' paths."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    values = {
        "ZMD_SERVER_NAME": "localhost",
        "ZMD_TLS_CERTIFICATE": str(cert),
        "ZMD_TLS_CERTIFICATE_KEY": str(key),
        "ZMD_CLIENT_MAX_BODY_SIZE": nginx_body_limit(),
    }
    for name, value in values.items():
        assert "${" + name + "}" in text, name
        text = text.replace("${" + name + "}", value)
    left = re.findall(r"\$\{?ZMD_\w+", text)
    assert not left, f"zmd.conf uses {left}, which docker-compose does not set"
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "proxy_pass http://web:8000;": f"proxy_pass {upstream};",
        "alias /app/staticfiles/;": f"alias {static_root}/;",
        "alias /data/media/images/;": f"alias {media_root}/images/;",
        "alias /data/media/;": f"alias {media_root}/;",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"zmd.conf no longer has exactly one `{old}`"
        text = text.replace(old, new)
    return text


class Nginx:
    """Debian's nginx running the rendered project file, as the nginx service of docker-compose."""

    def __init__(self, workdir: Path, **paths):
        self.workdir = workdir
        self.http_port, self.https_port = free_port(), free_port()
        self.https = f"https://127.0.0.1:{self.https_port}"
        self.http = f"http://127.0.0.1:{self.http_port}"
        self.paths = paths
        self.process = None

    def start(self):
        if not NGINX_BINARY:
            pytest.skip("nginx is not installed (apt-get install nginx; `make test` installs it as root).")
        if not shutil.which("openssl"):
            pytest.skip("openssl is not installed (apt-get install openssl; `make test` installs it as root).")
        cert, key = self.workdir / "tls.crt", self.workdir / "tls.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        self.cert = str(cert)  # clients verify against it, as browsers verify the bureau's
        site = render_nginx_conf(http_port=self.http_port, https_port=self.https_port, cert=cert, key=key, **self.paths)
        (self.workdir / "zmd.conf").write_text(site, encoding="utf-8")
        temp = {name: self.workdir / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir(exist_ok=True)
        # What the official image's /etc/nginx/nginx.conf sets around conf.d/*.conf. Workers run as
        # root here only because the test's files live in root's private temporary folders.
        main = f"""
            {"user root root;" if os.geteuid() == 0 else ""}
            worker_processes 2;
            pid {self.workdir}/nginx.pid;
            error_log {self.workdir}/error.log warn;
            events {{ worker_connections 512; }}
            http {{
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                sendfile on;
                access_log {self.workdir}/access.log;
                client_body_temp_path {temp["client_body"]};
                proxy_temp_path {temp["proxy"]};
                fastcgi_temp_path {temp["fastcgi"]};
                uwsgi_temp_path {temp["uwsgi"]};
                scgi_temp_path {temp["scgi"]};
                include {self.workdir}/zmd.conf;
            }}
        """
        (self.workdir / "nginx.conf").write_text(main, encoding="utf-8")
        command = [NGINX_BINARY, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"), "-e", "stderr"]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.config_test_output = check.stderr
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
        ok = wait_for(lambda: socket.create_connection(("127.0.0.1", self.https_port), timeout=0.5).close() or True)
        assert ok, self.process.stderr.read().decode() if self.process.poll() is not None else "nginx did not listen"
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
