"""How long a cut-off resumable (tus) upload takes to finish, against sending the file again from
zero: a real gunicorn on loopback (tests/review/live.py), a 200 MB video-kind file in 8 MB chunks,
the connection cut halfway through a chunk. Prints the numbers with the machine's load.

    .venv/bin/python bench/resumable_upload.py [--mb 200]
"""

import argparse
import base64
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from tests.review import live  # noqa: E402

CHUNK = 8 * 1024 * 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    size = parser.parse_args().mb * 1024 * 1024
    data = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * (size - 24)
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "template").mkdir()
        template = live.Template(Path(root) / "template").build()
        site = live.LiveSite(template, Path(root) / "site", workers=2, threads=4).start()
        try:
            session = site.login("teacher01")
            csrf = site.form_page(session, "/submit/new/")["csrfmiddlewaretoken"]
            cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
            base = {"Tus-Resumable": "1.0.0", "X-CSRFToken": csrf, "Cookie": cookie}

            def request(method, path, body=b"", **headers):
                conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=120)
                conn.request(method, path, body=body, headers={**base, **headers})
                response = conn.getresponse()
                response.read()
                conn.close()
                return response

            def create():
                meta = (
                    "filename "
                    + base64.b64encode("微课.mp4".encode()).decode()
                    + ",field "
                    + base64.b64encode(b"main_file").decode()
                )
                response = request("POST", "/submit/uploads/", **{"Upload-Length": str(size), "Upload-Metadata": meta})
                assert response.status == 201, response.status
                return "/" + response.getheader("Location").split("/", 3)[3]

            def patch(path, offset, end):
                response = request(
                    "PATCH",
                    path,
                    data[offset:end],
                    **{"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
                )
                assert response.status == 204, response.status

            def send(path, offset):
                while offset < size:
                    end = min(offset + CHUNK, size)
                    patch(path, offset, end)
                    offset = end

            started = time.perf_counter()
            send(create(), 0)
            whole = time.perf_counter() - started

            path = create()
            half = (size // 2 // CHUNK) * CHUNK
            send_until = half
            offset = 0
            while offset < send_until:
                patch(path, offset, offset + CHUNK)
                offset += CHUNK
            conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
            conn.putrequest("PATCH", path)
            for name, value in {
                **base,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(CHUNK),
            }.items():
                conn.putheader(name, value)
            conn.endheaders()
            conn.sock.sendall(data[offset : offset + CHUNK // 2])
            conn.sock.shutdown(socket.SHUT_RDWR)
            conn.close()
            time.sleep(0.5)  # the server notices the dropped connection
            started = time.perf_counter()
            head = request("HEAD", path)
            resumed_at = int(head.getheader("Upload-Offset"))
            send(path, resumed_at)
            resume = time.perf_counter() - started
        finally:
            site.close()
            template.drop()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    mb = size / 1024 / 1024
    print(
        f"file {mb:.0f} MB, chunks {CHUNK // 1024 // 1024} MB, cut off at {resumed_at / size:.1%} (kept {resumed_at / 1024 / 1024:.1f} MB)"
    )
    print(f"send the whole file:            {whole:6.2f} s  ({mb / whole:.0f} MB/s)")
    print(f"resume after the cut (HEAD+rest): {resume:6.2f} s  ({resume / whole:.0%} of a restart)")
    print(f"load: {load}")


if __name__ == "__main__":
    main()
