"""Bench: how long the submit-time technical checks and the SHA-256 duplicate guard take.

Run: DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/review_checks.py
Bounded: generates a 5-minute 1280x720 clip (~1 s) and a 512 MB file, then times each step.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from review import checks  # noqa: E402
from review.models import QualityStandard  # noqa: E402


def timed(label, fn, repeat=5):
    best = min(_once(fn) for _ in range(repeat))
    print(f"{label:<55} {best * 1000:8.1f} ms (best of {repeat})")
    return best


def _once(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    standard = QualityStandard()  # the defaults, unsaved: no database needed
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clip, video = tmp / "clip.mp4", tmp / "lesson.mp4"
        ff = ["ffmpeg", "-v", "error", "-y"]
        subprocess.run(
            ff
            + [
                "-f",
                "lavfi",
                "-i",
                "testsrc2=s=1280x720:r=25",
                "-f",
                "lavfi",
                "-i",
                "sine=f=440",
                "-t",
                "10",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                str(clip),
            ],
            check=True,
        )
        subprocess.run(ff + ["-stream_loop", "30", "-i", str(clip), "-c", "copy", "-t", "301", str(video)], check=True)
        size = video.stat().st_size
        print(f"video: 1280x720 25 fps H.264+AAC, 301 s, {size / 1024**2:.1f} MB")
        best = min(_once(lambda: checks.sniff(video)) for _ in range(200))
        print(f"{'content sniffing (magic bytes)':<55} {best * 1e6:8.1f} µs (best of 200)")
        timed("ffprobe (one call)", lambda: checks.ffprobe(video))
        timed(
            "all video checks (sniff + ffprobe + rules)",
            lambda: checks.check_video(video, "lesson.mp4", size, standard),
        )

        big = tmp / "big.bin"
        with open(big, "wb") as fh:
            chunk = os.urandom(1024 * 1024)
            for _ in range(512):
                fh.write(chunk)

        def sha256():
            digest = hashlib.sha256()
            with open(big, "rb") as fh:
                for block in iter(lambda: fh.read(1024 * 1024), b""):
                    digest.update(block)
            return digest.hexdigest()

        seconds = timed("SHA-256 of a 512 MB upload (1 MB reads)", sha256, repeat=3)
        print(f"SHA-256 throughput: {512 / seconds:.0f} MB/s -> a 1 GB video ≈ {1024 / (512 / seconds):.1f} s")


if __name__ == "__main__":
    main()
