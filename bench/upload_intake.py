"""Bench: a teacher uploads a 1 GB micro-lecture through the real submission form.

Measures, on gunicorn (one sync worker, the embedded default: SQLite, local media, in-process tasks):
- the web worker's memory: VmRSS when idle, and VmHWM (peak RSS) after receiving the upload;
  also the peak of the ffprobe processes the checks start (they are separate processes);
- the upload time, and the time from the last byte sent to the answer, by which the file is stored
  and its technical checks (SHA-256 while streaming, packet count and duration from the streams,
  sampled decoding) are in the database.

Run: .venv/bin/python bench/upload_intake.py [--size-mb 1024]
Bounded: makes a ~1 GB MP4 once (ffmpeg, cached in /tmp), one upload, then stops the server.
"""

import argparse
import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from bench.common import PY, ROOT, free_port, machine  # noqa: E402
from tests.review import live  # noqa: E402  (the raw multipart client the upload tests use)

SEED = """
import datetime
from django.contrib.auth import get_user_model
from catalogue.models import Region, Role, School
from catalogue.services import campaign_ensure, profile_set
page = campaign_ensure(year=2026)
today = datetime.date.today()
page.opens_on, page.closes_on = today - datetime.timedelta(days=30), today + datetime.timedelta(days=30)
page.save_revision().publish()
user = get_user_model().objects.create_user(username="teacher01", password="Pass#word123")
region = Region.objects.get(name="遂平县")
school = School.objects.get_or_create(region=region, name="遂平县第一初级中学")[0]
profile_set(user=user, role=Role.TEACHER, region=region, school=school, display_name="王静")
"""


def make_video(size_mb: int) -> Path:
    """A real H.264/AAC MP4 of about size_mb (a noisy 10-second clip looped with stream copy)."""
    out = Path(tempfile.gettempdir()) / f"zmd-bench-{size_mb}mb.mp4"
    if out.exists():
        return out
    clip = out.with_suffix(".clip.mp4")
    ff = ["ffmpeg", "-v", "error", "-y"]
    subprocess.run(
        ff
        + ["-f", "lavfi", "-i", "nullsrc=s=1280x720:r=25,geq=random(1)*255:128:128"]
        + ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "10"]
        + [
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "24M",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
        ]
        + [str(clip)],
        check=True,
    )
    loops = max(1, round(size_mb * 1024 * 1024 / clip.stat().st_size))
    subprocess.run(
        ff + ["-stream_loop", str(loops - 1), "-i", str(clip), "-c", "copy", "-movflags", "+faststart", str(out)],
        check=True,
    )
    clip.unlink()
    return out


def status(pid: int) -> dict:
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _sep, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0]) // 1024  # MB
    return values


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    video = make_video(args.size_mb)
    size = video.stat().st_size
    with tempfile.TemporaryDirectory(prefix="zmd-bench-upload-") as work:
        work = Path(work)
        db, media, incoming = work / "db.sqlite3", work / "media", work / "incoming"
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            DATABASE_URL=f"sqlite:///{db}",
            MEDIA_ROOT=str(media),
            UPLOAD_TEMP_DIR=str(incoming),
            TASKS_BACKEND="immediate",
        )
        for command in (["migrate", "--noinput"], ["shell", "-c", SEED]):
            subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
            + ["--timeout", "900", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        )
        try:
            site = type("Site", (), {"port": port, "url": f"http://127.0.0.1:{port}"})()
            deadline = time.time() + 60
            while time.time() < deadline:
                with contextlib.suppress(requests.RequestException):
                    if requests.get(site.url + "/healthz/", timeout=2).status_code in (200, 503):
                        break
                time.sleep(0.3)
            (worker,) = children(server.pid)
            session = requests.Session()
            page = session.get(site.url + "/accounts/login/").text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            session.post(
                site.url + "/accounts/login/",
                data={"csrfmiddlewaretoken": token, "username": "teacher01", "password": "Pass#word123"},
                headers={"Referer": site.url},
            )
            data = live.form_data(site, session, "/submit/new/")  # also warms the worker up
            time.sleep(1)
            idle = status(worker)
            parts = live.fields(data) + [
                live.upload("main_file", "嵖岈山微课.mp4", video, "video/mp4"),
                live.upload("cover", "封面.png", live_cover(), "image/png"),
            ]
            progress, marks, probe_peak = {"sent": 0}, {}, [0]
            stop = threading.Event()

            def sample():
                while not stop.is_set():
                    if "last_byte" not in marks and progress["sent"] >= size:
                        marks["last_byte"] = time.perf_counter()
                    for child in children(worker):
                        probe_peak[0] = max(probe_peak[0], status(child).get("VmHWM", 0))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            start = time.perf_counter()
            response = live.post(
                site, session, "/submit/new/", parts, chunk=1024 * 1024, progress=progress, timeout=900
            )
            answered = time.perf_counter()
            stop.set()
            sampler.join()
            peak = status(worker)
            checks = sqlite3.connect(db).execute("SELECT role, state FROM review_filecheck ORDER BY role").fetchall()
            load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
            last_byte = marks.get("last_byte", answered)
            print(f"machine: {machine()}")
            print(f"date: {time.strftime('%Y-%m-%d %H:%M')}  load: {load.split('load average:')[-1].strip()}")
            print(
                f"upload: {size / 1024**2:.0f} MB MP4 through /submit/new/ -> HTTP {response.status} {response.text[:80]}"
            )
            print(f"checks stored: {checks}")
            print(
                f"upload time (first to last byte): {last_byte - start:.1f} s ({size / 1024**2 / (last_byte - start):.0f} MB/s)"
            )
            print(f"last byte -> answer with check results stored: {answered - last_byte:.1f} s")
            print(f"web worker RSS idle: {idle['VmRSS']} MB; peak (VmHWM) after the upload: {peak['VmHWM']} MB;")
            print(f"  peak above idle: {peak['VmHWM'] - idle['VmRSS']} MB (goal: <= 100 MB)")
            print(f"ffprobe (separate processes) peak RSS: {probe_peak[0]} MB")
        finally:
            server.terminate()
            server.wait(timeout=30)


def live_cover() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1280, 720), (180, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


if __name__ == "__main__":
    main()
