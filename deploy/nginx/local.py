"""deploy/nginx/zmd.conf run by Debian's nginx on loopback, for tests/hardening/test_nginx.py and
bench/classroom.py: the file exactly as docker-compose's nginx service runs it, with only what differs
on one machine changed — the ${ZMD_*} values (rendered as the nginx image's entrypoint does), the
listening ports, the upstream and the paths of the static and media volumes.
"""

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONF = HERE / "zmd.conf"
LIMITS = HERE / "15-zmd-limits.envsh"


class NginxUnavailable(Exception):
    """nginx or openssl is not installed; the message says how to get it."""


def nginx_binary() -> str | None:
    return shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def body_limit(env: dict | None = None) -> str:
    """ZMD_CLIENT_MAX_BODY_SIZE as the nginx image's entrypoint computes it (it sources the .envsh)."""
    result = subprocess.run(
        ["sh", "-c", f'. "{LIMITS}"; printf %s "$ZMD_CLIENT_MAX_BODY_SIZE"'],
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def render(*, http_port, https_port, upstream, static_root, media_root, cert, key) -> str:
    text = CONF.read_text(encoding="utf-8")
    values = {
        "ZMD_SERVER_NAME": "localhost",
        "ZMD_TLS_CERTIFICATE": str(cert),
        "ZMD_TLS_CERTIFICATE_KEY": str(key),
        "ZMD_CLIENT_MAX_BODY_SIZE": body_limit(),
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalNginx:
    """The rendered project file inside the main configuration the official image provides."""

    def __init__(self, workdir: Path, *, upstream: str, static_root, media_root, worker_processes: int = 2):
        self.workdir = Path(workdir)
        self.http_port, self.https_port = _free_port(), _free_port()
        self.https = f"https://127.0.0.1:{self.https_port}"
        self.http = f"http://127.0.0.1:{self.http_port}"
        self.upstream, self.static_root, self.media_root = upstream, static_root, media_root
        self.worker_processes = worker_processes
        self.process = None
        self.cert = None
        self.config_test_output = ""

    def start(self):
        binary = nginx_binary()
        if not binary:
            raise NginxUnavailable("nginx is not installed (apt-get install nginx; `make test` installs it as root).")
        if not shutil.which("openssl"):
            raise NginxUnavailable(
                "openssl is not installed (apt-get install openssl; `make test` installs it as root)."
            )
        self.workdir.mkdir(parents=True, exist_ok=True)
        cert, key = self.workdir / "tls.crt", self.workdir / "tls.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        self.cert = str(cert)  # clients verify against it, as browsers verify the bureau's
        site = render(
            http_port=self.http_port,
            https_port=self.https_port,
            upstream=self.upstream,
            static_root=self.static_root,
            media_root=self.media_root,
            cert=cert,
            key=key,
        )
        (self.workdir / "zmd.conf").write_text(site, encoding="utf-8")
        temp = {name: self.workdir / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir(exist_ok=True)
        # What the official image's /etc/nginx/nginx.conf sets around conf.d/*.conf. Workers run as
        # root here only because the files live in root's private temporary folders.
        main = f"""
            {"user root root;" if os.geteuid() == 0 else ""}
            worker_processes {self.worker_processes};
            pid {self.workdir}/nginx.pid;
            error_log {self.workdir}/error.log warn;
            events {{ worker_connections 1024; }}
            http {{
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                sendfile on;
                tcp_nopush on;
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
        command = [binary, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"), "-e", "stderr"]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("nginx -t failed:\n" + check.stderr)
        self.config_test_output = check.stderr
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=0.5).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("nginx exited:\n" + self.process.stderr.read().decode()) from None
                time.sleep(0.1)
        raise RuntimeError("nginx did not listen")

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
