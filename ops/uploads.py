"""One set of upload rules for every path that accepts a file: the Wagtail admin's document and
image forms, the teacher's submission form and the streaming upload handler in front of it.

Nothing from the client is trusted for the type: not the extension, not the Content-Type. The
content decides (`sniff`): each kind of content has its class (document, video, audio, image…),
the extensions it may carry, a size limit per class, and deeper checks — Office files must be
sound ZIP packages without macros or a "zip bomb"; PDFs must open (pypdf) and their scripts and
automatic actions are reported for the reviewers; images are judged on the pixel count in their
header before anything is decoded; audio and video are measured from their streams (ops.media);
files that are two formats at once (a PDF that is also a ZIP, an image carrying a web page) are
refused. File names are cleaned: no directories, no control or bidi characters, no executable
suffix, and the extension always matches the content.

`inspect_upload` runs every rule on one uploaded file and either returns an `Inspection` or raises a
`ValidationError` whose message tells the user what to do, in Chinese.
"""

import contextlib
import hashlib
import io
import os
import re
import shutil
import struct
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from . import media

HEAD = 4096  # bytes enough to recognise every kind below
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"#!",
    b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa",
)
MARKUP_START = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<iframe)", re.IGNORECASE)
MARKUP_ANYWHERE = re.compile(rb"<(script|html|iframe|svg|body|object|embed)[\s>/]|<\?php", re.IGNORECASE)
EXECUTABLE_SUFFIXES = {
    "exe", "bat", "cmd", "com", "scr", "msi", "vbs", "vbe", "ps1", "jar", "dll", "lnk", "hta", "js", "jse",
    "wsf", "sh", "py", "pl", "php", "html", "htm", "xhtml", "svg", "apk", "app", "class",
}  # fmt: skip
IMAGE_BRANDS = (b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif", b"avis")
OFFICE_PARTS = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}
# A "zip bomb": compressed parts that expand far beyond what any teaching document needs.
ZIP_MAX_UNPACKED = 1024**3
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 20 * 1024**2  # parts smaller than this may compress as well as they like


@dataclass(frozen=True)
class Kind:
    label: str  # what the user is told the content is
    klass: str  # document / video / audio / image / archive / text
    extensions: tuple[str, ...]  # the first is the canonical one


KINDS = {
    "pdf": Kind("PDF 文档", "document", ("pdf",)),
    "docx": Kind("Word 文档（DOCX）", "document", ("docx",)),
    "pptx": Kind("PowerPoint 演示文稿（PPTX）", "document", ("pptx",)),
    "xlsx": Kind("Excel 表格（XLSX）", "document", ("xlsx",)),
    "ole": Kind("旧版 Office 文档（DOC/PPT/XLS）", "document", ("doc", "ppt", "xls")),
    "zip": Kind("ZIP 压缩包", "archive", ("zip",)),
    "txt": Kind("文本文件", "text", ("txt",)),
    "mp4": Kind("MP4 视频", "video", ("mp4",)),
    "m4a": Kind("M4A 音频", "audio", ("m4a", "mp4")),
    "mp3": Kind("MP3 音频", "audio", ("mp3",)),
    "aac": Kind("AAC 音频", "audio", ("aac",)),
    "png": Kind("PNG 图片", "image", ("png",)),
    "jpeg": Kind("JPEG 图片", "image", ("jpg", "jpeg")),
    "gif": Kind("GIF 图片", "image", ("gif",)),
    "webp": Kind("WebP 图片", "image", ("webp",)),
}
# What the first bytes may say besides the kinds above (always refused).
REFUSED_LABELS = {
    "exe": "可执行程序",
    "script": "脚本程序",
    "markup": "网页或 SVG 等标记文件",
    "empty": "空文件",
    "unknown": "无法识别的文件",
}
CLASS_LABELS = {
    "video": "视频",
    "audio": "音频",
    "document": "文档",
    "archive": "压缩包",
    "text": "文本",
    "image": "图片",
}
DOCUMENT_KINDS = frozenset({"pdf", "docx", "pptx", "xlsx", "ole"})
IMAGE_KINDS = frozenset({"png", "jpeg", "gif", "webp"})
AV_KINDS = frozenset({"mp4", "m4a", "mp3", "aac"})


def label(kind: str) -> str:
    return KINDS[kind].label if kind in KINDS else REFUSED_LABELS.get(kind, kind)


def sniff(head: bytes) -> str:
    """The kind of content from its first bytes. ZIP packages answer "zip" until their members are
    read (`zip_kind`); text answers "unknown" (only an explicit .txt upload is judged as text)."""
    if not head:
        return "empty"
    if any(head.startswith(magic) for magic in EXECUTABLE_MAGIC):
        return "script" if head.startswith(b"#!") else "exe"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(OLE2):
        return "ole"
    if head[4:8] == b"ftyp":
        if head[8:12] in (b"M4A ", b"M4B "):
            return "m4a"
        return "unknown" if head[8:12] in IMAGE_BRANDS else "mp4"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "mp3"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"
    if MARKUP_START.match(head[:1024].lstrip(b"\xef\xbb\xbf")):
        return "markup"
    return "unknown"


def size_limit(klass: str) -> int | None:
    if klass == "image":
        return settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    return settings.UPLOAD_MAX_BYTES.get(klass)


def stream_limit(kinds) -> int:
    """The most a file whose kind is one of `kinds` may weigh (for streaming before the kind is known)."""
    return max((size_limit(KINDS[k].klass) or 0) for k in kinds) if kinds else 0


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    return "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()


def display_name(name: str) -> str:
    """The client's file name as it may be shown back: one path component, no control or bidi
    characters (a right-to-left override can make "exe.pdf" read as "fdp.exe"), not too long."""
    name = _clean_name(name)
    if len(name) > 60:
        stem, ext = os.path.splitext(name)
        name = stem[: 56 - len(ext)] + "…" + ext
    return name or _("（无名文件）")


def sanitize_filename(name: str, *, max_length: int = 80) -> str:
    """A file name safe to store and to send back: no directories, control or bidi characters,
    leading dots or reserved characters; NFC-normalised; the extension lower-case and the only dot
    (so no executable suffix survives inside the name); at most max_length."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r'[<>:"|?*\x00]', "", name).strip().lstrip(".").strip()
    stem, ext = os.path.splitext(name)
    stem = re.sub(r"\s+", "_", stem).replace(".", "_").strip("._") or "file"
    ext = ext.lower()
    return stem[: max(1, max_length - len(ext))] + ext


def extension(name: str) -> str:
    return os.path.splitext(_clean_name(name))[1].lower().lstrip(".")


@dataclass
class Inspection:
    """What the rules found in one accepted upload."""

    kind: str
    name: str  # the safe name to store, its extension matching the content
    size: int
    sha256: str
    sha1: str
    measurement: dict | None  # None: the measurement could not run (待检测); see `unmeasured`
    unmeasured: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def klass(self) -> str:
        return KINDS[self.kind].klass


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


@contextlib.contextmanager
def local_path(upload):
    """A path on local disk holding the upload's bytes (the streamed temporary file, or a copy)."""
    path = getattr(upload, "temporary_file_path", None)
    path = path() if path is not None else None
    if path is not None:
        upload.seek(0)
        yield path
        return
    with tempfile.NamedTemporaryFile(prefix="zmd-inspect-", suffix=".tmp") as copy:
        upload.seek(0)
        shutil.copyfileobj(upload, copy, 1024 * 1024)
        copy.flush()
        upload.seek(0)
        yield copy.name


def _hashes(upload) -> tuple[str, str]:
    streamed = getattr(upload, "sha256", None), getattr(upload, "sha1", None)
    if all(streamed):
        return streamed
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        sha256.update(chunk)
        sha1.update(chunk)
    upload.seek(0)
    return sha256.hexdigest(), sha1.hexdigest()


def zip_kind(path) -> str:
    """docx / pptx / xlsx / zip for a sound ZIP package; "unknown" when it is not one."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "unknown"
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "ppt/presentation.xml" in names:
            return "pptx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return "zip"


def _zip_problems(path, kind: str, shown: str) -> tuple[list[str], dict]:
    """Macros, unsafe members, executables inside and zip bombs; every member is read once, so a
    damaged package (bad CRC, lying sizes) is found too."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > ZIP_MAX_UNPACKED or any(
                info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1)
                for info in infos
            ):
                return [
                    _("《%(f)s》中的内容解压后将达到 %(s)s，远超正常文档，疑似“压缩炸弹”，不能上传。")
                    % {"f": shown, "s": filesizeformat(unpacked)}
                ], {}
            names = [info.filename for info in infos]
            if kind in OFFICE_PARTS:
                if not any(n.startswith(OFFICE_PARTS[kind]) for n in names):
                    return [_("文件内容不是有效的 .%(ext)s 文档。") % {"ext": kind}], {}
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    return [_("不允许上传含宏的 Office 文档，请另存为不含宏的格式后再上传。")], {}
            for name in names:
                clean = name.replace("\\", "/")
                if clean.startswith("/") or ".." in clean.split("/"):
                    return [_("压缩包内含有不安全的路径：%(name)s") % {"name": name[:80]}], {}
                if os.path.splitext(clean)[1].lower().lstrip(".") in EXECUTABLE_SUFFIXES - {"html", "htm", "svg"}:
                    return [_("压缩包内含有可执行文件：%(name)s") % {"name": name[:80]}], {}
            for info in infos:
                with archive.open(info) as member:
                    while member.read(1024 * 1024):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return [_("《%(f)s》已损坏，无法打开（压缩数据校验失败），请重新保存后上传。") % {"f": shown}], {}
    return [], {"members": len(infos), "unpacked": unpacked}


PDF_ACTIONS = {
    "/JavaScript": "JavaScript 脚本",
    "/Launch": "启动外部程序（Launch）",
    "/OpenAction": "打开文档时自动执行的动作（OpenAction）",
    "/EmbeddedFiles": "嵌入的附件",
    "/SubmitForm": "向外部网址提交表单",
    "/ImportData": "导入外部数据",
    "/RichMediaExecute": "多媒体脚本",
    "/XFA": "XFA 动态表单",
}


def _pdf_actions(reader) -> set[str]:
    """Where a PDF can run something: document, page, annotation, form field and outline actions."""
    from pypdf.generic import ArrayObject, DictionaryObject

    found: set[str] = set()
    budget = [50_000]

    def resolve(obj):
        budget[0] -= 1
        if budget[0] < 0:
            raise ValueError("too many PDF objects to inspect")
        return obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj

    def action(obj, depth=0):
        obj = resolve(obj)
        if not isinstance(obj, DictionaryObject) or depth > 20:
            return
        kind = obj.get("/S")
        if kind in PDF_ACTIONS:
            found.add(str(kind))
        if "/JS" in obj:
            found.add("/JavaScript")
        following = resolve(obj.get("/Next"))
        for nxt in following if isinstance(following, ArrayObject) else [following]:
            action(nxt, depth + 1)

    def additional(obj):
        triggers = resolve(obj.get("/AA")) if isinstance(obj, DictionaryObject) else None
        if isinstance(triggers, DictionaryObject):
            for value in triggers.values():
                action(value)

    root = resolve(reader.trailer["/Root"])
    opening = resolve(root.get("/OpenAction"))
    if isinstance(opening, DictionaryObject) and opening.get("/S") not in (None, "/GoTo"):
        found.add("/OpenAction")
        action(opening)
    additional(root)
    names = resolve(root.get("/Names"))
    if isinstance(names, DictionaryObject):
        found.update(key for key in ("/JavaScript", "/EmbeddedFiles") if key in names)
    form = resolve(root.get("/AcroForm"))
    if isinstance(form, DictionaryObject):
        if "/XFA" in form:
            found.add("/XFA")
        pending = list(resolve(form.get("/Fields")) or [])
        while pending:
            item = resolve(pending.pop())
            if isinstance(item, DictionaryObject):
                action(item.get("/A"))
                additional(item)
                pending.extend(resolve(item.get("/Kids")) or [])
    for page in reader.pages:
        additional(page)
        for annotation in resolve(page.get("/Annots")) or []:
            annotation = resolve(annotation)
            if isinstance(annotation, DictionaryObject):
                action(annotation.get("/A"))
                additional(annotation)
                if annotation.get("/Subtype") == "/FileAttachment":
                    found.add("/EmbeddedFiles")
    outlines = resolve(root.get("/Outlines"))
    pending = [resolve(outlines.get("/First"))] if isinstance(outlines, DictionaryObject) else []
    while pending:
        item = resolve(pending.pop())
        if isinstance(item, DictionaryObject):
            action(item.get("/A"))
            pending += [resolve(item.get("/Next")), resolve(item.get("/First"))]
    return found


def _raw_pdf_tokens(path) -> set[str]:
    """Action names written in the clear anywhere in the file (also outside the object graph)."""
    found, tail = set(), b""
    tokens = {b"/JavaScript": "/JavaScript", b"/JS": "/JavaScript", b"/Launch": "/Launch"}
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            window = tail + chunk
            found.update(
                name for token, name in tokens.items() if re.search(re.escape(token) + rb"(?![A-Za-z])", window)
            )
            tail = window[-16:]
    return found


def _pdf_problems(path, shown: str) -> tuple[list[str], dict, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        encrypted = reader.is_encrypted
        if encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                opened = None  # AES without a crypto library: cannot look inside, but it may open
            if opened is not None and not opened:
                return (
                    [_("《%(f)s》设置了打开密码，评审专家无法打开。请去掉密码后重新上传。") % {"f": shown}],
                    {},
                    [],
                )
            if opened is None:
                return (
                    [],
                    {"pages": None, "encrypted": True, "actions": []},
                    [_("《%(f)s》已加密（限制了编辑或打印），未能检查其中的脚本。") % {"f": shown}],
                )
        pages = len(reader.pages)
        actions = _pdf_actions(reader)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        return [_("《%(f)s》已损坏，无法作为 PDF 打开，请重新导出后上传。") % {"f": shown}], {}, []
    if not pages:
        return [_("《%(f)s》是没有页面的 PDF，请重新导出后上传。") % {"f": shown}], {}, []
    actions |= _raw_pdf_tokens(path)
    warnings = []
    if actions:
        described = "、".join(PDF_ACTIONS[a] for a in sorted(actions) if a in PDF_ACTIONS)
        warnings.append(
            _("《%(f)s》含有%(what)s，打开时可能自动运行代码，审阅时请注意。") % {"f": shown, "what": described}
        )
    return [], {"pages": pages, "encrypted": encrypted, "actions": sorted(actions)}, warnings


def _contains_markup(path) -> bool:
    tail = b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            if MARKUP_ANYWHERE.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


PIL_FORMATS = {"PNG": "png", "JPEG": "jpeg", "GIF": "gif", "WEBP": "webp"}


def _image_problems(path, kind: str, shown: str) -> tuple[list[str], dict]:
    """The pixel count is read from the header and judged before anything is decoded."""
    limit = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    too_big = _("《%(f)s》的像素太多（%(w)s×%(h)s，约 %(mp)s 百万像素），上限为 %(limit)d 百万像素，请缩小后重新上传。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # judged below, by our limit
            img = Image.open(path)
        with img:
            width, height = img.size
            frames = getattr(img, "n_frames", 1) or 1
            fmt = PIL_FORMATS.get(img.format)
    except Image.DecompressionBombError:
        return [
            too_big % {"f": shown, "w": "?", "h": "?", "mp": f"> {2 * limit // 10**6}", "limit": limit // 10**6}
        ], {}
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return [_("《%(f)s》无法作为图片打开，文件可能已损坏。") % {"f": shown}], {}
    if fmt != kind:
        return [_("《%(f)s》无法作为图片打开，文件可能已损坏。") % {"f": shown}], {}
    if width * height * frames > limit:
        mp = f"{width * height * frames / 10**6:.0f}"
        return [too_big % {"f": shown, "w": width, "h": height, "mp": mp, "limit": limit // 10**6}], {}
    try:
        with Image.open(path) as img:
            img.verify()
        with Image.open(path) as img:
            if kind == "jpeg":
                img.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))
            if kind != "png":  # PNG: verify() already read every chunk and checked its CRC
                img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        return [_("《%(f)s》已损坏或不完整，无法显示，请重新保存后上传。") % {"f": shown}], {}
    return [], {"width": width, "height": height, "frames": frames}


def _mp4_box_problems(path, size: int, shown: str) -> list[str]:
    """An MP4 is a sequence of boxes that must tile the file exactly; a cut file ends inside one."""
    seen, position = set(), 0
    with open(path, "rb") as fh:
        while position < size:
            fh.seek(position)
            header = fh.read(16)
            if len(header) < 8:
                break
            box_size, box_type = struct.unpack(">I4s", header[:8])
            if box_size == 1 and len(header) == 16:
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:
                box_size = size - position
            if box_size < 8:
                return [_("《%(f)s》的结构已损坏，无法播放，请重新导出后上传。") % {"f": shown}]
            if position + box_size > size:
                return [
                    _(
                        "《%(f)s》不完整：文件只有 %(have)s，内容却需要 %(need)s（可能上传中断或文件被截断），请重新导出后上传。"
                    )
                    % {"f": shown, "have": filesizeformat(size), "need": filesizeformat(position + box_size)}
                ]
            seen.add(box_type)
            position += box_size
    if position != size or b"moov" not in seen or not ({b"mdat", b"moof"} & seen):
        return [_("《%(f)s》不完整或已损坏（缺少索引或数据），请重新导出后上传。") % {"f": shown}]
    return []


def _text_problems(path) -> list[str]:
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    if b"\x00" in head:
        return [_("文本文件中含有二进制内容。")]
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a multi-byte character cut by the 64 KB window
                break
    else:
        return [_("文本文件须为 UTF-8 或 GB18030 编码。")]
    if MARKUP_START.match(head):
        return [_("不允许以 .txt 上传网页或 SVG 等标记文件。")]
    return []


def allowed_text(kinds) -> str:
    exts = []
    for kind in sorted(kinds, key=lambda k: list(KINDS).index(k)):
        exts += [e.upper() for e in KINDS[kind].extensions if e.upper() not in exts]
    return "/".join(exts)


def inspect_upload(upload, *, accept) -> Inspection:
    """Every rule, on one upload whose content must be one of the kinds in `accept`."""
    accept = frozenset(accept)
    shown = display_name(upload.name)
    ext = extension(upload.name)
    size = upload.size or 0
    if size == 0:
        _refuse(_("《%(f)s》是空文件（0 字节），请重新选择正确的文件上传。") % {"f": shown}, "empty")
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    kind = sniff(head)
    if kind in ("exe", "script"):
        _refuse(
            _("《%(f)s》是可执行文件或脚本，不允许上传。请选择作品本身的文件（%(allowed)s）。")
            % {"f": shown, "allowed": allowed_text(accept)},
            "executable",
        )
    if kind == "markup":
        _refuse(
            _("《%(f)s》的内容是网页或 SVG 等标记文件，与扩展名 .%(ext)s 不符；不允许上传标记文件。")
            % {"f": shown, "ext": ext or "?"},
            "markup",
        )
    with local_path(upload) as path:
        if kind == "zip":
            kind = zip_kind(path)
            if kind == "zip" and ext in OFFICE_PARTS:
                _refuse(_("文件内容不是有效的 .%(ext)s 文档。") % {"ext": ext}, "kind")
        if kind == "unknown" and ext == "txt" and "txt" in accept:
            kind = "txt"
        if kind not in accept:
            if kind in KINDS and ext and ext not in KINDS[kind].extensions:
                message = _(
                    "《%(f)s》的实际内容是%(k)s，与扩展名 .%(ext)s 不符。这里只能上传 %(allowed)s 格式的文件（按文件内容识别，改扩展名无效）。"
                )
            elif kind in KINDS:
                message = _(
                    "《%(f)s》的实际内容是%(k)s，这里只能上传 %(allowed)s 格式的文件（按文件内容识别，改扩展名无效）。"
                )
            else:
                message = _("《%(f)s》的内容无法识别，与扩展名 .%(ext)s 不符。这里只能上传 %(allowed)s 格式的文件。")
            _refuse(
                message % {"f": shown, "k": label(kind), "ext": ext or "?", "allowed": allowed_text(accept)}, "kind"
            )
        spec = KINDS[kind]
        if ext and ext not in spec.extensions:
            _refuse(
                _("《%(f)s》的内容是%(k)s，与扩展名 .%(ext)s 不符。请把文件名改为以 .%(want)s 结尾后重新上传。")
                % {"f": shown, "k": spec.label, "ext": ext, "want": spec.extensions[0]},
                "extension",
            )
        limit = size_limit(spec.klass)
        if limit is not None and size > limit:
            _refuse(
                _("%(kind)s文件不能超过 %(limit)s（《%(f)s》有 %(size)s），请压缩后重新上传。")
                % {
                    "kind": CLASS_LABELS[spec.klass],
                    "limit": filesizeformat(limit),
                    "f": shown,
                    "size": filesizeformat(size),
                },
                "too_large",
            )
        if kind not in ("zip", "docx", "pptx", "xlsx") and zipfile.is_zipfile(path):
            _refuse(
                _("《%(f)s》同时是%(k)s和 ZIP 压缩包（伪装的多格式文件），不能上传。") % {"f": shown, "k": spec.label},
                "polyglot",
            )
        problems, measurement, warnings, unmeasured = [], {}, [], ""
        if kind in ("zip", "docx", "pptx", "xlsx"):
            problems, measurement = _zip_problems(path, kind, shown)
        elif kind == "pdf":
            problems, measurement, warnings = _pdf_problems(path, shown)
        elif kind == "txt":
            problems = _text_problems(path)
        elif kind in IMAGE_KINDS:
            if _contains_markup(path):
                problems = [_("《%(f)s》是图片，但其中夹带了网页或脚本代码，不能上传。") % {"f": shown}]
            else:
                problems, measurement = _image_problems(path, kind, shown)
        elif kind in AV_KINDS:
            if kind in ("mp4", "m4a"):
                problems = _mp4_box_problems(path, size, shown)
            if not problems:
                try:
                    measurement = media.measure_av(path)
                except media.ToolUnavailable as exc:
                    measurement, unmeasured = None, exc.reason
                else:
                    problems = media.av_problems(measurement, name=shown, container_header=kind in ("mp4", "m4a"))
                    warnings = media.av_warnings(measurement, name=shown)
        if problems:
            _refuse(problems[0], "damaged")
    sha256, sha1 = _hashes(upload)
    stem = os.path.splitext(sanitize_filename(upload.name))[0] if ext else sanitize_filename(upload.name)
    name = f"{stem}.{ext or spec.extensions[0]}"
    return Inspection(
        kind=kind,
        name=name,
        size=size,
        sha256=sha256,
        sha1=sha1,
        measurement=measurement,
        unmeasured=unmeasured,
        warnings=warnings,
    )


def admin_document_kinds() -> frozenset:
    allowed = {e.lower() for e in getattr(settings, "WAGTAILDOCS_EXTENSIONS", [])}
    return frozenset(k for k, spec in KINDS.items() if spec.klass != "image" and allowed & set(spec.extensions))


def validate_document_upload(f) -> str:
    """Raise a Chinese ValidationError unless `f` is an allowed document, video, audio, archive or
    text file whose content matches its extension and whose size is within its class's limit.
    Returns the class. (The Wagtail admin's document forms call this.)"""
    ext = extension(f.name)
    allowed = sorted({e.lower() for e in getattr(settings, "WAGTAILDOCS_EXTENSIONS", [])})
    if not ext or ext not in allowed:
        raise ValidationError(
            _("不支持的文件类型 .%(ext)s。可上传：%(allowed)s。") % {"ext": ext or "?", "allowed": "、".join(allowed)},
            code="invalid_extension",
        )
    inspection = inspect_upload(f, accept=admin_document_kinds())
    f.inspection = inspection
    return inspection.klass


def bytes_file(data: bytes, name: str):
    """A file-like object with a name and size, for validating bytes outside a form."""
    f = io.BytesIO(data)
    f.name = name
    f.size = len(data)
    return f
