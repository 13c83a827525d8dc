"""A test HTTPS receiver on loopback for the monthly push: a CA and a server certificate made with
openssl, HMAC verification with a replay window, deduplication by delivery id, and scripted
failures (HTTP 500, a reply slower than the sender's timeout)."""

import hashlib
import hmac
import json
import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

WINDOW_SECONDS = 300


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) for 127.0.0.1 and localhost."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the HTTPS receiver needs it to make a test CA.")

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=zmd test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    )
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "san.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    run(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    )
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


class Receiver:
    def __init__(self, certificate: Path, key: Path, secret: str):
        self.secret = secret
        self.script: list[str] = []  # what to do with the next requests: "500", "slow", "ok"
        self.accepted: dict[str, dict] = {}  # delivery id -> document, stored once
        self.requests: list[tuple[str, int]] = []  # (delivery id, status answered)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, reply = receiver.handle(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    self.wfile.write(json.dumps(reply).encode())
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the sender gave up waiting (the "slow" case)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}/zmd/usage"

    def verify(self, headers, body: bytes) -> str | None:
        """The receiver's side of docs/interop.md §3: fresh timestamp, then the HMAC."""
        timestamp = headers.get("X-ZMD-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > WINDOW_SECONDS:
            return "stale or missing timestamp"
        expected = (
            "sha256=" + hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(expected, headers.get("X-ZMD-Signature", "")):
            return "bad signature"
        return None

    def handle(self, headers, body: bytes) -> tuple[int, dict]:
        delivery = headers.get("X-ZMD-Delivery", "")
        with self.lock:
            action = self.script.pop(0) if self.script else "ok"
        problem = self.verify(headers, body)
        if problem:
            status, reply = 401, {"error": problem}
        elif action == "500":
            status, reply = 500, {"error": "database is down"}
        else:
            with self.lock:  # processed (and stored once) even when the answer comes too late
                duplicate = delivery in self.accepted
                if not duplicate:
                    self.accepted[delivery] = json.loads(body)
            if action == "slow":
                time.sleep(2.5)
            status, reply = 200, {"duplicate": duplicate}
        with self.lock:
            self.requests.append((delivery, status))
        return status, reply

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
