"""The tus 1.0.0 endpoints of the teacher's resumable uploads (core, creation, termination,
expiration): `/submit/uploads/` (OPTIONS, POST) and `/submit/uploads/<id>/` (HEAD, PATCH, DELETE).
The rules live in `review.services.resumable`; here only the protocol's headers.

Only an account that may submit creates uploads; only the upload's owner sees or changes one (anyone
else gets 404, as for an id that never existed). POST, PATCH and DELETE pass Django's CSRF check
(the page's script sends X-CSRFToken). Errors answer in Chinese, as plain text the script shows.
"""

import base64
import binascii

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from catalogue import denied
from catalogue.permissions import Ability, account_pending, can

from ..services import resumable as service
from .teacher import PENDING_MESSAGE

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"


def _response(status: int, text: str = "", **headers) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = str(value)
    return response


def _expires(upload) -> str:
    return http_date(upload.expires_at.timestamp())


def _options() -> HttpResponse:
    return _response(
        204,
        Tus_Version=TUS_VERSION,
        Tus_Extension=EXTENSIONS,
        Tus_Max_Size=settings.UPLOAD_MAX_REQUEST_BYTES,
    )


def _refused(error: service.ResumableRefused) -> HttpResponse:
    return _response(error.status, error.message)


def _guard(request) -> HttpResponse | None:
    """The protocol version, and who may use these endpoints at all."""
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _response(412, "Tus-Resumable 1.0.0 required", Tus_Version=TUS_VERSION)
    if not can(request.user, Ability.SUBMIT):
        return _response(403, str(PENDING_MESSAGE if account_pending(request.user) else denied.TEACHERS_ONLY))
    return None


def _metadata(header: str) -> dict:
    """Upload-Metadata: comma-separated `key base64value` pairs."""
    out = {}
    for pair in filter(None, (p.strip() for p in (header or "").split(","))):
        key, _sep, value = pair.partition(" ")
        try:
            out[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError(key) from None
    return out


def _int_header(request, name: str) -> int | None:
    value = request.headers.get(name, "")
    # ASCII digits only: str.isdigit() also takes "²" or "١", which int() then refuses or reads.
    return int(value) if value.isascii() and value.isdigit() else None


@never_cache
@require_http_methods(["OPTIONS", "POST"])
def resumable_uploads(request):
    refusal = _guard(request)
    if refusal is not None:
        return refusal
    if request.method == "OPTIONS":
        return _options()
    length = _int_header(request, "Upload-Length")
    if length is None:
        return _response(400, "Upload-Length required (Upload-Defer-Length is not supported)")
    try:
        metadata = _metadata(request.headers.get("Upload-Metadata", ""))
    except ValueError:
        return _response(400, "Upload-Metadata is not valid")
    try:
        upload = service.resumable_upload_create(owner=request.user, length=length, metadata=metadata)
    except service.ResumableRefused as error:
        return _refused(error)
    location = request.build_absolute_uri(reverse("review:resumable_upload", args=[upload.pk]))
    return _response(201, Location=location, Upload_Expires=_expires(upload))


@never_cache
@require_http_methods(["OPTIONS", "HEAD", "PATCH", "DELETE"])
def resumable_upload(request, upload_id):
    response = _upload(request, upload_id)
    if request.method == "HEAD":
        response.content = b""  # a HEAD answer has headers only
    return response


def _upload(request, upload_id):
    refusal = _guard(request)
    if refusal is not None:
        return refusal
    if request.method == "OPTIONS":
        return _options()
    upload = service.resumable_upload_get(owner=request.user, upload_id=upload_id)
    if upload is None:
        return _response(404, "找不到这次上传（可能已经保存过或已过期），请重新选择文件上传。")
    if request.method == "HEAD":
        return _response(200, Upload_Offset=upload.offset, Upload_Length=upload.length, Upload_Expires=_expires(upload))
    if request.method == "DELETE":
        service.resumable_upload_delete(upload=upload)
        return _response(204)
    if request.content_type != "application/offset+octet-stream":
        return _response(415, "Content-Type must be application/offset+octet-stream")
    offset = _int_header(request, "Upload-Offset")
    length = _int_header(request, "Content-Length")
    if offset is None:
        return _response(400, "Upload-Offset required")
    if length is None:
        return _response(411, "Content-Length required")
    try:
        upload = service.resumable_upload_append(upload=upload, offset=offset, length=length, stream=request)
    except service.ResumableRefused as error:
        return _refused(error)
    return _response(204, Upload_Offset=upload.offset, Upload_Expires=_expires(upload))
