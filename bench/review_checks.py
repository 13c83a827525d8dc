"""Bench: how long the intake's measurement, the technical checks and the SHA-256 fingerprint take.

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

from django.core.files import File  # noqa: E402

from ops import media, uploads  # noqa: E402
from review import checks  # noqa: E402
from review.models import QualityStandard  # noqa: E402


class _Upload(File):
    """The video as the upload handler hands it over (a temporary file with its digests)."""

    def __init__(self, path):
        super().__init__(open(path, "rb"), name=path.name)  # noqa: SIM115
        self._path, self.sha256, self.sha1 = str(path), "0" * 64, "0" * 40

    def temporary_file_path(self):
        return self._path


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
        head = video.read_bytes()[: uploads.HEAD]
        best = min(_once(lambda: uploads.sniff(head)) for _ in range(200))
        print(f"{'content sniffing (magic bytes)':<55} {best * 1e6:8.1f} µs (best of 200)")
        timed("measurement (ffprobe: every packet, 3 decoded seconds)", lambda: media.measure_av(video), repeat=3)
        measurement = media.measure_av(video)
        timed(
            "quality checks from the stored measurement",
            lambda: checks.check_video("lesson.mp4", "mp4", size, measurement, standard),
        )
        timed(
            "every intake rule on the file (inspect_upload)",
            lambda: uploads.inspect_upload(_Upload(video), accept={"mp4"}),
            repeat=3,
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
