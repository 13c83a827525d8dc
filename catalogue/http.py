"""Serving stored files with HTTP range support, so that browsers can seek in long videos."""

import mimetypes
import re
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
# Only these types are ever shown inline (played, viewed); anything else is a download, so no
# uploaded file can run as a page or script in the site's origin.
INLINE_TYPES = (
    "video/",
    "audio/",
    "application/pdf",
    "text/plain",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
)
CHUNK = 64 * 1024


def _iter_range(fileobj, start, length):
    fileobj.seek(start)
    remaining = length
    try:
        while remaining > 0:
            data = fileobj.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        fileobj.close()


def content_disposition(filename: str, as_attachment: bool, ascii_filename: str | None = None) -> str:
    """`filename*` carries the real (Chinese) name; `filename` an ASCII fallback for old clients:
    `ascii_filename` when given (pinyin), else the ASCII part of the name when it says something."""
    kind = "attachment" if as_attachment else "inline"
    ascii_name = ascii_filename or ""
    if not ascii_name:
        stripped = filename.encode("ascii", "ignore").decode()
        stem, dot, extension = stripped.rpartition(".")
        ascii_name = stripped if re.search(r"[A-Za-z0-9]", stem if dot else stripped) else "download" + dot + extension
    ascii_name = re.sub(r'["\\\r\n;]', "", ascii_name) or "download"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def ranged_file_response(
    request, fieldfile, *, filename: str, as_attachment: bool = False, ascii_filename: str | None = None
):
    """A response for `fieldfile` that honours a single `Range: bytes=a-b` request header.

    Returns 206 with Content-Range for a satisfiable range, 416 for an unsatisfiable one and a
    plain 200 otherwise. Multi-range requests are answered with the whole file (allowed by RFC 9110).
    """
    size = fieldfile.size
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if not content_type.startswith(INLINE_TYPES):
        as_attachment = True
    header = request.headers.get("Range", "").strip()
    match = RANGE_RE.match(header) if header else None
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # suffix range: the last N bytes
            start = max(size - int(last), 0)
            end = size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        length = end - start + 1
        fileobj = fieldfile.open("rb")
        response = StreamingHttpResponse(_iter_range(fileobj, start, length), status=206, content_type=content_type)
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(fieldfile.open("rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition(filename, as_attachment, ascii_filename)
    response["X-Content-Type-Options"] = "nosniff"
    if not content_type.startswith(("video/", "audio/")):
        response["Content-Security-Policy"] = "default-src 'none'"  # as Wagtail's document view
    return response
