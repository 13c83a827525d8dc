"""Real media for the review tests, made with ffmpeg and Pillow (cached per test session)."""

import functools
import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from PIL import Image

_DIR = Path(tempfile.mkdtemp(prefix="zmd-review-media-"))


def _ffmpeg(*args):
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg; `make test` installs it as root).")
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, capture_output=True)


@functools.cache
def mp4(
    *, width=1280, height=720, fps=25, seconds=301, vcodec="libx264", acodec="aac", audio=True, colour="2a6f97"
) -> bytes:
    """An MP4 clip. Long clips are a 10-second clip looped with stream copy: cheap to make, tiny."""
    name = f"{width}x{height}-{fps}-{seconds}-{vcodec}-{acodec}-{audio}-{colour}.mp4"
    clip = _DIR / f"clip-{name}"
    out = _DIR / name
    inputs = ["-f", "lavfi", "-i", f"color=c=0x{colour}:s={width}x{height}:r={fps}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
    video_opts = ["-c:v", vcodec, "-pix_fmt", "yuv420p"] + (
        ["-preset", "ultrafast", "-tune", "stillimage", "-crf", "51"] if vcodec == "libx264" else ["-q:v", "31"]
    )
    audio_opts = ["-c:a", acodec, "-b:a", "32k", "-ac", "1"] if audio else []
    _ffmpeg(*inputs, "-t", str(min(seconds, 10)), *video_opts, *audio_opts, str(clip))
    if seconds <= 10:
        return clip.read_bytes()
    _ffmpeg(
        "-stream_loop",
        str(seconds // 10 + 1),
        "-i",
        str(clip),
        "-c",
        "copy",
        "-t",
        str(seconds),
        "-movflags",
        "+faststart",
        str(out),
    )
    return out.read_bytes()


@functools.cache
def mp3(*, kbps=128, seconds=3) -> bytes:
    out = _DIR / f"tone-{kbps}.mp3"
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=330:sample_rate=44100",
        "-t",
        str(seconds),
        "-c:a",
        "libmp3lame",
        "-b:a",
        f"{kbps}k",
        str(out),
    )
    return out.read_bytes()


def png(size=(1280, 720), colour=(180, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(size=(1280, 720)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def pdf(text="教学设计", *, pages=1, javascript=None, launch=None, padding=0) -> bytes:
    """A real PDF (pypdf); `javascript` runs when it opens, `launch` starts a program; `padding`
    bytes of keywords make it as large as a test needs."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text, "/Subject": text * 40, "/Keywords": "k" * padding})
    if javascript:
        action = writer._add_object(
            DictionaryObject(
                {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(javascript)}
            )
        )
        tree = writer._add_object(
            DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("0"), action])})
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    if launch:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject(launch)}
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def pptx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buffer.getvalue()


def windows_exe() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 48
        + b"This program cannot be run in DOS mode.\r\n" * 20
    )
