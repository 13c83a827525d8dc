"""Sending stored files, the one door every file view goes through once it has decided who may see
the file (and counted the access): resource files, Wagtail's document URLs, review submissions'
files and public media (renditions).

Who sends the bytes is a deployment choice (settings.MEDIA_ACCEL_REDIRECT, from the environment):
- Django streams them itself, honouring `Range` so that browsers can seek in long videos (the
  embedded default: `make run`, no web server in front);
- behind nginx (docker-compose, deploy/nginx/zmd.conf), the response carries only the headers and
  an `X-Accel-Redirect` to nginx's internal location (django-sendfile2's nginx backend): nginx reads
  the file from the media volume and answers Range requests itself, so no Python worker is held
  while a class streams a 300 MB video.
Either way the browser gets the same content type, `Content-Disposition` (the download name) and
security headers.
"""

import mimetypes
import re
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.views.static import serve as static_serve

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
PLAYABLE_TYPES = ("video/", "audio/")
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


def _protect(response, content_type: str):
    response["X-Content-Type-Options"] = "nosniff"
    if not content_type.startswith(PLAYABLE_TYPES):
        response["Content-Security-Policy"] = "default-src 'none'"  # as Wagtail's document view
    return response


def _local_path(fieldfile) -> str | None:
    try:
        return fieldfile.path
    except (NotImplementedError, ValueError):  # object storage: no local path for nginx to read
        return None


def _accel_redirect(request, path: str, *, content_type: str, disposition: str | None):
    """Headers only; nginx sends the bytes (with Range) from its internal location."""
    from django_sendfile import sendfile

    response = sendfile(request, path, mimetype=content_type, attachment_filename=False)
    # The body is empty: the length and any encoding are nginx's to state, from the file it sends.
    for header in ("Content-Length", "Content-Encoding"):
        if header in response:
            del response[header]
    if disposition:
        response["Content-Disposition"] = disposition
    else:
        del response["Content-Disposition"]
    return response


def ranged_file_response(
    request, fieldfile, *, filename: str, as_attachment: bool = False, ascii_filename: str | None = None
):
    """A response for `fieldfile` that honours a single `Range: bytes=a-b` request header.

    Returns 206 with Content-Range for a satisfiable range, 416 for an unsatisfiable one and a
    plain 200 otherwise. Multi-range requests are answered with the whole file (allowed by RFC 9110).
    With MEDIA_ACCEL_REDIRECT, nginx does all of this from the X-Accel-Redirect response.
    """
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if not content_type.startswith(INLINE_TYPES):
        as_attachment = True
    disposition = content_disposition(filename, as_attachment, ascii_filename)
    path = _local_path(fieldfile) if settings.MEDIA_ACCEL_REDIRECT else None
    if path:
        return _protect(
            _accel_redirect(request, path, content_type=content_type, disposition=disposition), content_type
        )
    size = fieldfile.size
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
    response["Content-Disposition"] = disposition
    return _protect(response, content_type)


def media_file_response(request, name: str):
    """A public media file (a rendition) by its storage name, checked by the caller."""
    if settings.MEDIA_ACCEL_REDIRECT:
        from django.core.files.storage import default_storage

        try:
            path = default_storage.path(name)
        except NotImplementedError:
            path = None
        if path:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return _protect(_accel_redirect(request, path, content_type=content_type, disposition=None), content_type)
    return static_serve(request, name, document_root=str(settings.MEDIA_ROOT))
