"""A real server for the upload tests: gunicorn in a subprocess with its own database (SQLite file, or
a database of its own on the PostgreSQL server when DATABASE_URL points at one), its own MEDIA_ROOT
and upload temp dir, and raw HTTP clients that send what a browser sends (multipart bodies with
the form's field names), optionally slowly or cut off halfway.

What the server stored is read straight from its database and its directories, before and after.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import requests

from tests import once

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
PASSWORD = "Pass#word123"
TEACHERS = [f"teacher{n:02d}" for n in range(1, 21)]
TABLES = (
    "review_submission",
    "catalogue_resourcepage",
    "wagtailcore_revision",
    "wagtaildocs_document",
    "wagtailimages_image",
    "review_documentfingerprint",
    "review_fileintake",
    "review_filecheck",
    "review_drafttoken",
)

SEED = """
from catalogue.models import Role
from tests import factories
factories.campaign(open_now=True)
for name in {teachers!r}:
    factories.user(Role.TEACHER, username=name, region="遂平县", school="遂平县第一初级中学", password={password!r})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _pg(url: str, dbname: str = "postgres"):
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=dbname,
        autocommit=True,
    )


class Template:
    """A migrated, seeded database that each live site copies."""

    def __init__(self, directory: Path, name: str | None = None):
        self.directory = directory
        self.pg = postgres_url()
        self.name = name or f"zmd_live_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.sqlite = directory / "template.sqlite3"

    def url(self) -> str:
        if self.pg:
            parts = urlparse(self.pg)
            return parts._replace(path=f"/{self.name}").geturl()
        return f"sqlite:///{self.sqlite}"

    def build(self):
        if self.pg:
            with _pg(self.pg) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
        env = base_env(self.url(), self.directory / "media", self.directory / "incoming")
        for args in (["migrate", "--noinput"], ["shell", "-c", SEED.format(teachers=TEACHERS, password=PASSWORD)]):
            result = subprocess.run(
                [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
            )
            assert result.returncode == 0, result.stderr[-3000:]
        if not self.pg:
            sqlite3.connect(self.sqlite).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        return self

    def copy(self, directory: Path) -> str:
        if self.pg:
            name = f"zmd_live_{uuid.uuid4().hex[:10]}"
            with _pg(self.pg) as conn:  # test processes share the template
                once.create_database_from(conn, name, self.name)
            return urlparse(self.pg)._replace(path=f"/{name}").geturl()
        target = directory / "db.sqlite3"
        shutil.copyfile(self.sqlite, target)
        return f"sqlite:///{target}"

    def drop(self, url: str | None = None):
        if not self.pg:
            return
        name = urlparse(url).path.lstrip("/") if url else self.name
        with contextlib.suppress(Exception), _pg(self.pg) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_env(database_url: str, media: Path, incoming: Path, **extra) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "tests.review.live_settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "UPLOAD_TEMP_DIR": str(incoming),
        "SECRET_KEY": "live-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TASKS_BACKEND": "immediate",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


class LiveSite:
    """One gunicorn serving one copy of the template database."""

    def __init__(self, template: Template, directory: Path, *, workers=2, threads=8, **env_extra):
        self.template = template
        self.directory = directory
        self.media = directory / "media"
        self.incoming = directory / "incoming"
        self.media.mkdir(parents=True, exist_ok=True)
        self.incoming.mkdir(parents=True, exist_ok=True)
        self.database_url = template.copy(directory)
        self.env_extra = env_extra
        self.workers, self.threads = workers, threads
        self.process = None
        self.port = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sqlite_path(self) -> str | None:
        return urlparse(self.database_url).path if self.database_url.startswith("sqlite") else None

    def start(self, *, workers=None, threads=None, **env_extra):
        self.workers, self.threads = workers or self.workers, threads or self.threads
        self.port = free_port()
        env = base_env(self.database_url, self.media, self.incoming, **{**self.env_extra, **env_extra})
        self.log = open(self.directory / f"server-{self.port}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--timeout",
                "300",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("gunicorn exited: " + self.server_log()[-3000:])
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/healthz/", timeout=2).status_code in (200, 503):
                    return self
            time.sleep(0.3)
        self.stop()
        raise AssertionError("gunicorn did not start: " + self.server_log()[-3000:])

    def manage(self, *args, **env_extra) -> subprocess.CompletedProcess:
        """Run a management command on this site's database and media, as the worker would."""
        env = base_env(self.database_url, self.media, self.incoming, **{**self.env_extra, **env_extra})
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )

    def server_log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.directory / f"server-{self.port}.log").read_text(errors="replace")
        return ""

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()

    def kill(self):
        """SIGKILL the whole server (master and workers), as a crash or the OOM killer would."""
        self.stop(signal.SIGKILL)

    def close(self):
        self.stop()
        self.template.drop(self.database_url)

    # --- what is stored -------------------------------------------------------------------------
    def query(self, sql: str, params=()):
        if self.sqlite_path:
            with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)) as conn:
                return conn.execute(sql, params).fetchall()
        with _pg(self.template.pg, urlparse(self.database_url).path.lstrip("/")) as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def counts(self) -> dict:
        return {table: self.query(f"SELECT COUNT(*) FROM {table}")[0][0] for table in TABLES}

    def files(self) -> set[str]:
        return {str(p.relative_to(self.media)) for p in self.media.rglob("*") if p.is_file()}

    def temp_files(self) -> set[str]:
        return {p.name for p in self.incoming.iterdir() if p.is_file()}

    def snapshot(self) -> dict:
        return {"rows": self.counts(), "files": self.files(), "temp": self.temp_files()}

    # --- people ---------------------------------------------------------------------------------
    def login(self, username: str) -> requests.Session:
        session = requests.Session()
        page = session.get(self.url + "/accounts/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            self.url + "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
            headers={"Referer": self.url + "/accounts/login/"},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:500]
        return session

    def form_page(self, session, path: str) -> dict:
        """GET the form like a browser; returns its hidden fields (CSRF token, form token)."""
        html = session.get(self.url + path, timeout=30).text
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


# --- multipart bodies, sent like a browser --------------------------------------------------------
class Part:
    def __init__(
        self, name: str, value=None, *, filename=None, content_type="application/octet-stream", source=None, size=None
    ):
        """A form field (`value`) or a file (`filename` with `source`: bytes, a path, or a callable
        yielding chunks, in which case `size` is required)."""
        self.name, self.value, self.filename, self.content_type = name, value, filename, content_type
        self.source, self._size = source, size

    def header(self, boundary: bytes) -> bytes:
        disposition = f'form-data; name="{self.name}"'
        if self.filename is not None:
            disposition += f'; filename="{self.filename}"'
            return (
                b"--" + boundary + b"\r\n"
                + f"Content-Disposition: {disposition}\r\nContent-Type: {self.content_type}\r\n\r\n".encode()
            )  # fmt: skip
        return b"--" + boundary + b"\r\n" + f"Content-Disposition: {disposition}\r\n\r\n".encode()

    def size(self) -> int:
        if self.filename is None:
            return len(str(self.value).encode())
        if isinstance(self.source, bytes):
            return len(self.source)
        if isinstance(self.source, (str, Path)):
            return os.path.getsize(self.source)
        return self._size

    def chunks(self, chunk=256 * 1024):
        if self.filename is None:
            yield str(self.value).encode()
        elif isinstance(self.source, bytes):
            for start in range(0, len(self.source), chunk):
                yield self.source[start : start + chunk]
        elif isinstance(self.source, (str, Path)):
            with open(self.source, "rb") as fh:
                while data := fh.read(chunk):
                    yield data
        else:
            yield from self.source()


def fields(data: dict) -> list[Part]:
    parts = []
    for name, value in data.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            parts.append(Part(name, item))
    return parts


def upload(name: str, filename: str, source, content_type="application/octet-stream", size=None) -> Part:
    return Part(name, filename=filename, source=source, content_type=content_type, size=size)


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def post(
    site: LiveSite,
    session: requests.Session,
    path: str,
    parts: list[Part],
    *,
    xhr=True,
    pace=None,
    stop_after=None,
    chunk=256 * 1024,
    early=False,
    timeout=300,
    progress=None,
) -> Response | None:
    """POST a multipart body to `path` as the page's upload script does (X-Requested-With with
    `xhr`). `pace`: seconds to sleep between chunks (a slow connection); `stop_after`: close the
    connection after that many body bytes (an interrupted upload; returns None); `early`: read the
    answer as soon as the server sends one, without sending the rest of the body; `progress`: a
    dict whose "sent" is kept up to date (another thread may watch it)."""
    boundary = b"----zmdform" + uuid.uuid4().hex.encode()
    total = sum(len(p.header(boundary)) + p.size() + 2 for p in parts) + len(boundary) + 6
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=timeout)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "multipart/form-data; boundary=" + boundary.decode())
    conn.putheader("Content-Length", str(total))
    conn.putheader("Referer", site.url + path)
    conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in session.cookies.items()))
    if xhr:
        conn.putheader("X-Requested-With", "XMLHttpRequest")
    conn.endheaders()
    sent = 0

    def send(data: bytes):
        nonlocal sent
        for start in range(0, len(data), chunk):
            piece = data[start : start + chunk]
            if stop_after is not None and sent + len(piece) > stop_after:
                conn.sock.sendall(piece[: stop_after - sent])
                raise _Stopped
            conn.sock.sendall(piece)
            sent += len(piece)
            if progress is not None:
                progress["sent"] = sent
            if pace:
                time.sleep(pace)

    try:
        if early:
            return _read_early(conn)
        for part in parts:
            send(part.header(boundary))
            for data in part.chunks(chunk):
                send(data)
            send(b"\r\n")
        send(b"--" + boundary + b"--\r\n")
    except _Stopped:
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()
        return None
    response = conn.getresponse()
    body = response.read()
    conn.close()
    _keep_cookies(session, response)
    return Response(response.status, dict(response.getheaders()), body)


def _keep_cookies(session, response):
    """Like a browser: cookies the answer sets (messages, session) go with the next request."""
    from http.cookies import SimpleCookie

    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            for morsel in SimpleCookie(value).values():
                if morsel["max-age"] == "0" or morsel.value == "":
                    session.cookies.set(morsel.key, None)
                else:
                    session.cookies.set(morsel.key, morsel.value)


class _Stopped(Exception):
    pass


def _read_early(conn) -> Response:
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return Response(response.status, dict(response.getheaders()), body)


def form_data(site: LiveSite, session, path: str, *, resource_type="微课视频", action="draft", **overrides) -> dict:
    """The submission form filled in as a teacher would: choices picked by their visible labels."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(session.get(site.url + path, timeout=30).text, "html.parser")
    form = soup.find("form", id="submission-form")

    def option(name, label):
        select = form.find("select", attrs={"name": name})
        return next(o["value"] for o in select.find_all("option") if o.get_text(strip=True) == label)

    def checkbox(name, label):
        for box in form.find_all("input", attrs={"name": name, "type": "checkbox"}):
            if form.find("label", attrs={"for": box["id"]}).get_text(strip=True) == label:
                return box["value"]
        raise LookupError(label)

    data = {h["name"]: h.get("value", "") for h in form.find_all("input", attrs={"type": "hidden"})}
    data.update(
        {
            "title": "嵖岈山｜奇石的故事",
            "resource_type": option("resource_type", resource_type),
            "theme": option("theme", "自然风貌"),
            "topic": option("topic", "嵖岈山"),
            "stage": option("stage", "初中"),
            "subjects": [checkbox("subjects", "地理")],
            "description": "认识嵖岈山的花岗岩奇石。",
            "authors": "王静",
            "licence": "platform",
            "licence_confirmed": "on",
            "action": action,
        }
    )
    data.update(overrides)
    return data
