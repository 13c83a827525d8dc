"""Resumable uploads of a teacher's main file (the tus 1.0.0 protocol's core, creation, termination
and expiration; the HTTP side is `review.views.resumable`).

A large video is sent in chunks (PATCH requests) that survive a dropped connection or a closed tab:
the browser asks how much arrived (HEAD) and continues from there. The same rules as a multipart
upload apply, as early as they can:
- on creation, the announced length is checked against the per-kind limits of the field (narrowed by
  the resource type, when given) and the request cap, before a byte is stored;
- the first bytes are judged by `ops.upload_handler.head_verdict` (executables and wrong kinds are
  refused, the partial removed), then the length against the limit of the kind found;
- a chunk must start where the stored bytes end (409 otherwise) and may not run past the length.
The bytes live in `partial_dir()` (outside MEDIA_ROOT), one file per upload, written under an
advisory lock. A finished upload is used by saving the form with its id: the view claims it
(`resumable_upload_claim`, once, by its owner), the form inspects the assembled file with
`ops.uploads.inspect_upload` like any upload, `submission_save` moves it into storage, and
`resumable_upload_settle` deletes the row. Unfinished uploads expire
(`resumable_uploads_expire`, run by `manage.py uploads_cleanup`).
"""

import contextlib
import datetime
import fcntl
import logging
import os
import time
import uuid

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from ops import uploads
from ops.storage import unlocked
from ops.upload_handler import HeadRefused, head_verdict, upload_temp_dir

from .. import checks
from ..models import ResumableUpload

logger = logging.getLogger(__name__)

FIELDS = ("main_file",)  # the fields that may arrive in chunks
READ_SIZE = 256 * 1024
ORPHAN_GRACE_SECONDS = 3600  # a partial file without its row (a killed process) is removed after this


class ResumableRefused(Exception):
    """The request is refused; `message` is for the teacher, `status` the HTTP status."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def partial_dir() -> str:
    directory = settings.UPLOAD_RESUMABLE_DIR or os.path.join(upload_temp_dir(), "resumable")
    os.makedirs(directory, exist_ok=True)
    return directory


def partial_path(upload: ResumableUpload) -> str:
    return os.path.join(partial_dir(), f"{upload.pk.hex}.part")


def _expiry():
    return timezone.now() + datetime.timedelta(seconds=settings.UPLOAD_RESUMABLE_EXPIRE_SECONDS)


def _accept(field: str, resource_type: str) -> frozenset:
    kinds = checks.field_kinds(field, resource_type or None)
    return kinds or checks.field_kinds(field)


def _remove(upload: ResumableUpload) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(partial_path(upload))
    ResumableUpload.objects.filter(pk=upload.pk).delete()


# --- creation ----------------------------------------------------------------------------------
def resumable_upload_create(*, owner, length: int, metadata: dict) -> ResumableUpload:
    """A new upload of `length` bytes for the field named in `metadata` (tus Upload-Metadata:
    filename, field, resource_type). Refused (413) when no file of that field may be so large."""
    field = metadata.get("field") or "main_file"
    if field not in FIELDS:
        raise ResumableRefused(_("这一项不能分块上传，请直接选择文件保存。"), status=400)
    shown = uploads.display_name(metadata.get("filename", ""))
    if length <= 0:
        raise ResumableRefused(_("《%(f)s》是空文件（0 字节），请重新选择正确的文件上传。") % {"f": shown}, status=400)
    resource_type = metadata.get("resource_type", "")
    resource_type = resource_type if resource_type in checks.MAIN_KINDS else ""
    limit = min(uploads.stream_limit(_accept(field, resource_type)), settings.UPLOAD_MAX_REQUEST_BYTES)
    if length > limit:
        raise ResumableRefused(
            _("《%(f)s》有 %(size)s，超过了这类文件 %(limit)s 的大小上限，服务器没有接收。请压缩后重新上传。")
            % {"f": shown, "size": filesizeformat(length), "limit": filesizeformat(limit)},
            status=413,
        )
    # A teacher keeps a few unfinished uploads (one per file being sent); a new one replaces the oldest.
    keep = max(settings.UPLOAD_RESUMABLE_MAX_OPEN - 1, 0)
    for old in ResumableUpload.objects.filter(owner=owner, claimed_at__isnull=True).order_by("-created_at")[keep:]:
        _remove(old)
    upload = ResumableUpload.objects.create(
        id=uuid.uuid4(),
        owner=owner,
        field=field,
        resource_type=resource_type,
        filename=uploads.sanitize_filename(metadata.get("filename", "") or "file", max_length=120),
        length=length,
        expires_at=_expiry(),
    )
    with open(partial_path(upload), "xb"):
        pass
    return upload


def resumable_upload_get(*, owner, upload_id) -> ResumableUpload | None:
    """The owner's upload, None for anyone else's, an expired one (removed now) or a used one."""
    upload = ResumableUpload.objects.filter(pk=upload_id, owner=owner).first()
    if upload is None:
        return None
    if upload.expires_at <= timezone.now() and upload.claimed_at is None:
        _remove(upload)
        return None
    if upload.claimed_at is not None or not os.path.exists(partial_path(upload)):
        return None
    stored = _stored_size(partial_path(upload))
    if stored is not None and stored != upload.offset:
        # A process killed in the middle of a chunk wrote bytes but never updated the row: the file
        # is what a PATCH is checked against, so it is what HEAD and a save must see.
        upload.offset = stored
        ResumableUpload.objects.filter(pk=upload.pk).update(offset=stored)
    return upload


def _stored_size(path: str) -> int | None:
    """The partial file's size, None while a chunk is being written (or the file is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return os.fstat(fd).st_size
    except BlockingIOError:
        return None
    finally:
        os.close(fd)


# --- chunks ------------------------------------------------------------------------------------
def _read_exactly(stream, size: int) -> bytes:
    data = b""
    while len(data) < size:
        piece = stream.read(min(READ_SIZE, size - len(data)))
        if not piece:
            break
        data += piece
    return data


def resumable_upload_append(*, upload: ResumableUpload, offset: int, length: int, stream) -> ResumableUpload:
    """Write one PATCH body (`length` bytes announced, read from `stream`) at `offset`. Whatever
    arrives before a dropped connection is kept: the next HEAD reports it. Returns the upload with
    its new offset."""
    path = partial_path(upload)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        raise ResumableRefused(_("这次上传已经不存在，请重新选择文件上传。"), status=404) from None
    with os.fdopen(fd, "r+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ResumableRefused(_("这个文件正在另一个窗口上传，请稍候。"), status=423) from None
        stored = os.fstat(fh.fileno()).st_size
        if offset != stored:
            raise ResumableRefused(
                _("上传位置不一致（服务器已收到 %(n)d 字节），请重新开始继续上传。") % {"n": stored}, status=409
            )
        if offset + length > upload.length:
            raise ResumableRefused(_("上传的内容超过了文件的大小，服务器没有接收。"), status=413)
        fh.seek(stored)
        received = 0
        try:
            if offset == 0 and not upload.kind:
                head = _read_exactly(stream, min(uploads.HEAD, upload.length, length))
                if len(head) < min(uploads.HEAD, upload.length):
                    return upload  # too little to judge: nothing is stored, the client sends it again
                shown = uploads.display_name(upload.filename)
                try:
                    kind, limit = head_verdict(head, accept=_accept(upload.field, upload.resource_type), shown=shown)
                except HeadRefused as refused:
                    _remove(upload)
                    raise ResumableRefused(refused.message, status=415) from None
                if upload.length > limit:
                    _remove(upload)
                    raise ResumableRefused(
                        _("《%(f)s》超过了这类文件 %(limit)s 的大小上限，服务器已停止接收。请压缩后重新上传。")
                        % {"f": shown, "limit": filesizeformat(limit)},
                        status=413,
                    )
                upload.kind = kind
                fh.write(head)
                received = len(head)
            while received < length:
                piece = stream.read(min(READ_SIZE, length - received))
                if not piece:
                    break
                fh.write(piece)
                received += len(piece)
        except OSError as exc:  # the connection dropped (ops.wsgi.CompleteBody) or the disk failed
            logger.info("Resumable upload %s: chunk cut off after %d bytes (%s)", upload.pk, received, exc)
        finally:
            fh.flush()
            upload.offset = offset + received
            upload.expires_at = _expiry()
            ResumableUpload.objects.filter(pk=upload.pk).update(
                offset=upload.offset, kind=upload.kind, expires_at=upload.expires_at
            )
    return upload


def resumable_upload_delete(*, upload: ResumableUpload) -> None:
    """tus termination: the owner cancels an upload; its bytes and row are removed."""
    _remove(upload)


# --- using a finished upload -------------------------------------------------------------------
class ResumedFile(UploadedFile):
    """A finished upload's bytes, handed to the form like a streamed upload: the same inspection,
    and `submission_save` moves the file into storage (ops.storage renames a temporary file)."""

    def __init__(self, upload: ResumableUpload):
        self.resumable = upload
        self.path = partial_path(upload)
        super().__init__(open(self.path, "rb"), upload.filename, "application/octet-stream", upload.length)  # noqa: SIM115

    def temporary_file_path(self):
        return self.path

    def close(self):
        with contextlib.suppress(OSError):
            return self.file.close()


def resumable_upload_claim(*, owner, upload_id) -> ResumedFile:
    """Take the owner's finished upload for one save: once (a second save of the same id is
    refused), and only when every byte arrived. Raises ResumableRefused with the reason."""
    upload = resumable_upload_get(owner=owner, upload_id=upload_id)
    if upload is None:
        raise ResumableRefused(
            _("找不到已上传的作品文件（可能已经保存过，或超过 %(h)d 小时没有继续而过期）。请重新选择文件上传。")
            % {"h": settings.UPLOAD_RESUMABLE_EXPIRE_SECONDS // 3600},
            status=400,
        )
    if not upload.complete:
        raise ResumableRefused(
            _("作品文件还没有上传完（已上传 %(p)d%%），没有保存。请等上传完成后再点“保存”。")
            % {"p": int(upload.offset * 100 / upload.length)},
            status=400,
        )
    with transaction.atomic():
        taken = ResumableUpload.objects.filter(pk=upload.pk, claimed_at__isnull=True).update(claimed_at=timezone.now())
    if not taken:
        raise ResumableRefused(_("这个文件正在保存中，请不要重复点击“保存”。"), status=409)
    upload.claimed_at = timezone.now()
    return ResumedFile(upload)


def resumable_upload_settle(*, resumed: ResumedFile) -> None:
    """After the save: an upload whose save succeeded (`resumed.used`) is used up — its row goes,
    and its bytes if storage copied rather than moved them; so is one whose file a failed save
    took (moved, then discarded). A file still here after a refused save may be used again."""
    resumed.close()
    if getattr(resumed, "used", False) or not os.path.exists(resumed.path):
        _remove(resumed.resumable)
    else:
        ResumableUpload.objects.filter(pk=resumed.resumable.pk).update(claimed_at=None)


# --- expiry ------------------------------------------------------------------------------------
def resumable_uploads_expire(*, now=None) -> list[str]:
    """Remove expired unfinished uploads (rows and bytes), claims a killed process never settled,
    and partial files without a row; returns the removed paths."""
    now = now or timezone.now()
    removed = []
    stale_claims = now - datetime.timedelta(hours=6)
    expired = ResumableUpload.objects.filter(
        expires_at__lte=now, claimed_at__isnull=True
    ) | ResumableUpload.objects.filter(claimed_at__lte=stale_claims)
    for upload in expired:
        path = partial_path(upload)
        if os.path.exists(path) and not unlocked(path):
            continue  # a chunk is being written right now
        if os.path.exists(path):
            removed.append(path)
        _remove(upload)
    known = {f"{pk.hex}.part" for pk in ResumableUpload.objects.values_list("pk", flat=True)}
    directory, wall = partial_dir(), time.time()
    for entry in os.scandir(directory):
        if entry.is_file(follow_symlinks=False) and entry.name not in known:
            with contextlib.suppress(OSError):
                if wall - entry.stat().st_mtime >= ORPHAN_GRACE_SECONDS and unlocked(entry.path):
                    os.unlink(entry.path)
                    removed.append(entry.path)
    return removed


__all__ = [
    "ResumableRefused",
    "ResumedFile",
    "partial_dir",
    "resumable_upload_append",
    "resumable_upload_claim",
    "resumable_upload_create",
    "resumable_upload_delete",
    "resumable_upload_get",
    "resumable_upload_settle",
    "resumable_uploads_expire",
]
