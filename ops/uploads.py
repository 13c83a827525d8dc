"""Checks every uploaded document by its content, not its name (issue 6, uploads).

Wagtail already refuses extensions outside WAGTAILDOCS_EXTENSIONS / WAGTAILIMAGES_EXTENSIONS
and checks images by content (Willow) and pixel count. Documents it takes on trust: a renamed
executable or web page would be stored as "课件.pdf". Here each allowed extension has a content
signature, each kind of file its own size limit, and file names are made safe.
"""

import io
import os
import re
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce")
MARKUP_START = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<iframe)", re.IGNORECASE)
EXECUTABLE_IN_ARCHIVE = {
    ".exe",
    ".bat",
    ".cmd",
    ".com",
    ".scr",
    ".msi",
    ".vbs",
    ".vbe",
    ".ps1",
    ".jar",
    ".dll",
    ".lnk",
    ".hta",
}
OFFICE_PARTS = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}
HEAD = 64 * 1024


def _head(f, size=HEAD) -> bytes:
    f.seek(0)
    data = f.read(size)
    f.seek(0)
    return data


def _is_mp4(head: bytes) -> bool:
    return len(head) >= 12 and head[4:8] == b"ftyp"


def _is_mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _is_adts(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0)


def _zip_names(f) -> list[str] | None:
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        f.seek(0)


def _check_office(f, ext):
    names = _zip_names(f)
    if names is None or "[Content_Types].xml" not in names or not any(n.startswith(OFFICE_PARTS[ext]) for n in names):
        return _("文件内容不是有效的 .%(ext)s 文档。") % {"ext": ext}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return _("不允许上传含宏的 Office 文档，请另存为不含宏的格式后再上传。")
    return None


def _check_zip(f, ext):
    names = _zip_names(f)
    if names is None:
        return _("文件内容不是有效的 ZIP 压缩包。")
    for name in names:
        clean = name.replace("\\", "/")
        if clean.startswith("/") or ".." in clean.split("/"):
            return _("压缩包内含有不安全的路径：%(name)s") % {"name": name[:80]}
        if os.path.splitext(clean)[1].lower() in EXECUTABLE_IN_ARCHIVE:
            return _("压缩包内含有可执行文件：%(name)s") % {"name": name[:80]}
    return None


def _check_text(f, ext):
    head = _head(f)
    if b"\x00" in head:
        return _("文本文件中含有二进制内容。")
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a multi-byte character cut by the 64 KB window
                break
    else:
        return _("文本文件须为 UTF-8 或 GB18030 编码。")
    if MARKUP_START.match(head):
        return _("不允许以 .txt 上传网页或 SVG 等标记文件。")
    return None


def _signature(test, message):
    def check(f, ext):
        return None if test(_head(f, 64)) else message % {"ext": ext}

    return check


_NOT = "文件内容与扩展名 .%(ext)s 不符。"

# extension → (kind of file, content check)
RULES = {
    "pdf": ("document", _signature(lambda h: h.startswith(b"%PDF-"), _NOT)),
    "doc": ("document", _signature(lambda h: h.startswith(OLE2), _NOT)),
    "ppt": ("document", _signature(lambda h: h.startswith(OLE2), _NOT)),
    "xls": ("document", _signature(lambda h: h.startswith(OLE2), _NOT)),
    "docx": ("document", _check_office),
    "pptx": ("document", _check_office),
    "xlsx": ("document", _check_office),
    "mp4": ("video", _signature(_is_mp4, _NOT)),
    "m4a": ("audio", _signature(_is_mp4, _NOT)),
    "mp3": ("audio", _signature(_is_mp3, _NOT)),
    "aac": ("audio", _signature(_is_adts, _NOT)),
    "zip": ("archive", _check_zip),
    "txt": ("text", _check_text),
}

KIND_LABELS = {"video": "视频", "audio": "音频", "document": "文档", "archive": "压缩包", "text": "文本"}


def sanitize_filename(name: str, *, max_length: int = 80) -> str:
    """A file name safe to store and to send back: no directories, control characters, leading
    dots or reserved characters; NFC-normalised; the extension lower-case; at most max_length."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r'[<>:"|?*\x00]', "", name).strip().lstrip(".").strip()
    stem, ext = os.path.splitext(name)
    stem = re.sub(r"\s+", "_", stem).strip("._") or "file"
    ext = ext.lower()
    return stem[: max(1, max_length - len(ext))] + ext


def validate_document_upload(f) -> str:
    """Raise a Chinese ValidationError unless `f` is an allowed kind whose content matches its
    extension and whose size is within that kind's limit. Returns the kind."""
    ext = os.path.splitext(f.name or "")[1].lower().lstrip(".")
    allowed = [e.lower() for e in getattr(settings, "WAGTAILDOCS_EXTENSIONS", RULES)]
    if ext not in RULES or ext not in allowed:
        raise ValidationError(
            _("不支持的文件类型 .%(ext)s。可上传：%(allowed)s。")
            % {"ext": ext or "?", "allowed": "、".join(e for e in allowed if e in RULES)},
            code="invalid_extension",
        )
    kind, check = RULES[ext]
    limit = settings.UPLOAD_MAX_BYTES.get(kind)
    if limit is not None and f.size > limit:
        raise ValidationError(
            _("%(kind)s文件不能超过 %(limit)s（当前 %(size)s）。")
            % {"kind": KIND_LABELS[kind], "limit": filesizeformat(limit), "size": filesizeformat(f.size)},
            code="file_too_large",
        )
    head = _head(f, 16)
    if any(head.startswith(magic) for magic in EXECUTABLE_MAGIC):
        raise ValidationError(_("不允许上传可执行文件或脚本。"), code="executable")
    problem = check(f, ext)
    if problem:
        raise ValidationError(problem, code="content_mismatch")
    return kind


def bytes_file(data: bytes, name: str):
    """A file-like object with a name and size, for validating bytes outside a form."""
    f = io.BytesIO(data)
    f.name = name
    f.size = len(data)
    return f
