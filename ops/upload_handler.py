"""Checking uploads while they arrive (a Django upload handler), before any file or row exists.

`IntakeUploadHandler` is installed per view with a policy: for each file field, the kinds of
content it accepts (ops.uploads.KINDS). While a file streams in it
- refuses the whole request before reading it when Content-Length is over the request cap (413);
- recognises the content from its first bytes and refuses executables, web pages and anything the
  field does not accept, without writing more than that first chunk;
- stops taking the file the moment it passes the size limit of its class (video, document…);
- computes the SHA-256 (and Wagtail's SHA-1) of the bytes as they pass, so nothing is read twice.
A refused file is deleted at once and never reaches request.FILES; the refusal message (Chinese)
is kept per field for the form to show beside it. Accepted files live in the upload temp directory
under an advisory lock until the request ends; `stale_uploads_remove` deletes the ones a killed
process left behind.
"""

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import uploads
from .storage import unlocked

TEMP_PREFIX = "zmd-upload-"
DJANGO_TEMP_STALE_SECONDS = 6 * 3600  # Django's own temporary uploads carry no lock: judge by age
STALE_AFTER_SECONDS = 2  # older than the instant between creating a temporary file and locking it


def upload_temp_dir() -> str:
    directory = settings.UPLOAD_TEMP_DIR or os.path.join(tempfile.gettempdir(), "zmd-uploads")
    os.makedirs(directory, exist_ok=True)
    return directory


class UploadRefused(Exception):
    """The whole request is refused before its body is read."""

    status = 413

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IncomingFile(UploadedFile):
    """An upload streaming into a locked temporary file, with its digests computed on the way."""

    def __init__(self, name, content_type, charset, content_type_extra):
        file = tempfile.NamedTemporaryFile(prefix=TEMP_PREFIX, suffix=".upload", dir=upload_temp_dir())
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        super().__init__(file, name, content_type, 0, charset, content_type_extra)
        self.sha256 = None
        self.sha1 = None
        self.kind = None

    def temporary_file_path(self):
        return self.file.name

    def close(self):
        with contextlib.suppress(FileNotFoundError):  # moved into storage, or already removed
            return self.file.close()


class HeadRefused(Exception):
    """The first bytes of a file say it may not be uploaded here (the message is for the teacher)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def head_verdict(head: bytes, *, accept, shown: str) -> tuple[str, int]:
    """What a file's first bytes (up to uploads.HEAD) say: its kind and the size limit of the kinds it
    may turn out to be. Raises HeadRefused for executables and anything `accept` does not include.
    One rule for every path a file arrives by (a multipart form, resumable chunks)."""
    kind = uploads.sniff(head)
    if kind in ("exe", "script"):
        raise HeadRefused(
            _("《%(f)s》是可执行文件或脚本，不允许上传。请选择作品本身的文件（%(allowed)s）。")
            % {"f": shown, "allowed": uploads.allowed_text(accept)}
        )
    if kind == "zip":  # docx / pptx / xlsx / zip: told apart when complete
        candidates = {k for k in accept if k in ("docx", "pptx", "xlsx", "zip")}
    elif kind == "mp4":  # an audio-only MP4 is an M4A
        candidates = {k for k in accept if k in ("mp4", "m4a")}
    elif kind == "unknown" and "txt" in accept:
        candidates = {"txt"}
    else:
        candidates = {kind} & set(accept)
    if not candidates:
        if kind in uploads.KINDS:
            message = _(
                "《%(f)s》的实际内容是%(k)s，这里只能上传 %(allowed)s 格式的文件（按文件内容识别，改扩展名无效）。"
            )
        else:
            message = _("《%(f)s》的内容是%(k)s，这里只能上传 %(allowed)s 格式的文件（按文件内容识别，改扩展名无效）。")
        raise HeadRefused(message % {"f": shown, "k": uploads.label(kind), "allowed": uploads.allowed_text(accept)})
    return kind, uploads.stream_limit(candidates)


class IntakeUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, request=None, *, policy: dict, max_files: dict | None = None, request_cap: int):
        super().__init__(request)
        self.policy = policy  # field name → frozenset of accepted kinds
        self.max_files = max_files or {}
        self.request_cap = request_cap
        self.refusals: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}

    # --- the request as a whole --------------------------------------------------------------
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.request_cap:
            raise UploadRefused(
                _("本次上传共 %(size)s，超过了一次最多 %(cap)s 的限制，服务器没有接收。请压缩文件或分次上传。")
                % {"size": filesizeformat(content_length), "cap": filesizeformat(self.request_cap)}
            )

    # --- one file ----------------------------------------------------------------------------
    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.shown = uploads.display_name(file_name)
        self.accept = self.policy.get(field_name)
        self.counts[field_name] = self.counts.get(field_name, 0) + 1
        self.head = b""
        self.kind = None
        self.limit = uploads.stream_limit(self.accept or ())
        self.received = 0
        self.sha256 = hashlib.sha256()
        self.sha1 = hashlib.sha1(usedforsecurity=False)
        if not self.accept:
            self._refuse(_("这里不能上传文件。"))
        if self.counts[field_name] > self.max_files.get(field_name, 1):
            self._refuse(
                _("最多只能上传 %(n)d 个文件，《%(f)s》没有接收。")
                % {"n": self.max_files.get(field_name, 1), "f": self.shown}
            )
        self.file = IncomingFile(file_name, content_type, charset, content_type_extra)

    def _refuse(self, message: str):
        self.refusals.setdefault(self.field_name, []).append(message)
        self._discard()
        raise SkipFile()

    def _discard(self):
        # The parser closes `handler.file` after a skipped file: keep no attribute for a file
        # that is gone (or handed over to request.FILES).
        incoming = self.__dict__.pop("file", None)
        if incoming is not None:
            path = incoming.temporary_file_path()
            incoming.close()
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)

    def _classify(self):
        try:
            self.kind, self.limit = head_verdict(self.head, accept=self.accept, shown=self.shown)
        except HeadRefused as refused:
            self._refuse(refused.message)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.kind is None and len(self.head) < uploads.HEAD:
            self.head += raw_data[: uploads.HEAD - len(self.head)]
            if len(self.head) >= uploads.HEAD:
                self._classify()
        if self.received > self.limit:
            self._refuse(
                _("《%(f)s》超过了这类文件 %(limit)s 的大小上限，服务器已停止接收。请压缩后重新上传。")
                % {"f": self.shown, "limit": filesizeformat(self.limit)}
            )
        self.sha256.update(raw_data)
        self.sha1.update(raw_data)
        self.file.write(raw_data)

    def file_complete(self, file_size):
        try:
            if file_size == 0:
                self._refuse(_("《%(f)s》是空文件（0 字节），请重新选择正确的文件上传。") % {"f": self.shown})
            if self.kind is None:
                self._classify()
        except SkipFile:
            return None  # refused: not in request.FILES, the message is in self.refusals
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = self.sha256.hexdigest()
        self.file.sha1 = self.sha1.hexdigest()
        self.file.kind = self.kind
        return self.__dict__.pop("file")

    def upload_interrupted(self):
        self._discard()

    def abort(self):
        """The request failed while its body was read (a disconnect): remove the file in progress."""
        self._discard()


def stale_uploads_remove(*, older_than: float = STALE_AFTER_SECONDS) -> list[str]:
    """Delete temporary uploads whose process is gone (killed mid-upload); returns their paths."""
    removed, now = [], time.time()
    directory = upload_temp_dir()
    for entry in os.scandir(directory):
        if not entry.is_file(follow_symlinks=False):
            continue
        with contextlib.suppress(OSError):
            age = now - entry.stat().st_mtime
            ours = entry.name.startswith(TEMP_PREFIX)
            if (ours and age >= older_than and unlocked(entry.path)) or (not ours and age >= DJANGO_TEMP_STALE_SECONDS):
                os.unlink(entry.path)
                removed.append(entry.path)
    return removed


def leftovers_remove() -> list[str]:
    """What a killed process left: temporary uploads, and parts of files it was writing to media
    storage. Safe at any time (live writers hold their locks); the web process runs it at start-up."""
    from django.core.files.storage import default_storage

    from .storage import AtomicFileSystemStorage, stale_parts_remove

    removed = stale_uploads_remove()
    if isinstance(default_storage, AtomicFileSystemStorage) and os.path.isdir(default_storage.location):
        removed += stale_parts_remove(default_storage.location)
    return removed
