"""Automated technical checks at submit time, with real tools: ffprobe for video/audio, Pillow for
images, content sniffing (magic bytes and zip structure) for documents. File types are decided by
content, never by the name's extension.

Each check yields a `Check` (a dict once stored on the submission): hard failures block submission
with a message the teacher can act on; soft failures are warnings the reviewers see.
"""

import json
import shutil
import subprocess
import zipfile
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

HARD, SOFT = "hard", "soft"
FFPROBE_TIMEOUT_SECONDS = 120

KIND_NAMES = {
    "pdf": "PDF 文档",
    "docx": "Word 文档（DOCX）",
    "pptx": "PowerPoint 演示文稿（PPTX）",
    "xlsx": "Excel 表格（XLSX）",
    "zip": "ZIP 压缩包",
    "ole": "旧版 Office 文档（DOC/PPT）",
    "mp4": "MP4 视频",
    "m4a": "M4A 音频",
    "mp3": "MP3 音频",
    "aac": "AAC 音频",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
    "gif": "GIF 图片",
    "webp": "WebP 图片",
    "exe": "Windows 可执行程序",
    "elf": "Linux 可执行程序",
    "script": "脚本程序",
    "html": "网页文件",
    "empty": "空文件",
    "unknown": "无法识别的文件",
}
CODEC_NAMES = {
    "h264": "H.264",
    "hevc": "H.265/HEVC",
    "mpeg4": "MPEG-4 Part 2",
    "aac": "AAC",
    "mp3": "MP3",
    "vp9": "VP9",
    "av1": "AV1",
}


@dataclass
class Check:
    file: str
    code: str
    level: str
    passed: bool
    message: str

    def as_dict(self):
        return asdict(self)


def sniff(path) -> str:
    """The file's real type from its first bytes (and, for zip containers, its member names)."""
    with open(path, "rb") as fh:
        head = fh.read(64)
    if not head:
        return "empty"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "unknown"
        if "word/document.xml" in names:
            return "docx"
        if "ppt/presentation.xml" in names:
            return "pptx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"MZ"):
        return "exe"
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head.startswith(b"#!"):
        return "script"
    if head[4:8] == b"ftyp":
        return "m4a" if head[8:12] in (b"M4A ", b"M4B ") else "mp4"
    if head.startswith(b"ID3") or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0):
        return "mp3"
    if head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    return "unknown"


def ffprobe(path) -> dict | None:
    binary = shutil.which("ffprobe")
    if binary is None:
        raise RuntimeError("ffprobe is not installed (apt-get install ffmpeg)")
    try:
        result = subprocess.run(
            [binary, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
            capture_output=True,
            timeout=FFPROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if result.returncode != 0:
        return None
    try:
        return json.loads(result.stdout or b"{}")
    except json.JSONDecodeError:
        return None


def _fraction(value: str) -> float:
    try:
        num, _sep, den = (value or "0/1").partition("/")
        return float(num) / float(den or 1) if float(den or 1) else 0.0
    except ValueError:
        return 0.0


def _minutes_seconds(seconds: float) -> str:
    whole = int(round(seconds))
    return _("%(m)d分%(s)d秒") % {"m": whole // 60, "s": whole % 60}


def _size_text(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.2f} GB"
    return f"{size / 1024**2:.1f} MB"


def _codec(name: str) -> str:
    return CODEC_NAMES.get(name, name or _("未知"))


def _codec_list(names) -> str:
    return " / ".join(_codec(n) for n in names)


def _outcome(name: str, code: str, level: str, passed: bool, ok_message: str, failed_message: str) -> Check:
    """One check whose message says what was found when it passes and what to do when it fails."""
    return Check(name, code, level, passed, ok_message if passed else failed_message)


def _type_check(name, kind, allowed, what) -> Check:
    if kind == "empty":
        return Check(
            name, "empty", HARD, False, _("《%(f)s》是空文件（0 字节），请重新选择正确的文件上传。") % {"f": name}
        )
    if kind in allowed:
        return Check(name, "type", HARD, True, _("《%(f)s》文件类型：%(k)s") % {"f": name, "k": KIND_NAMES[kind]})
    return Check(
        name,
        "type",
        HARD,
        False,
        _(
            "《%(f)s》的实际内容是%(k)s，不是%(what)s。请上传 %(allowed)s 格式的文件（文件类型按内容识别，改扩展名无效）。"
        )
        % {"f": name, "k": KIND_NAMES.get(kind, kind), "what": what, "allowed": "/".join(a.upper() for a in allowed)},
    )


def check_video(path, name: str, size: int, standard) -> list[Check]:
    kind = sniff(path)
    containers = standard.split(standard.video_containers)
    type_check = _type_check(name, kind, containers, _("视频"))
    checks = [type_check]
    if not type_check.passed:
        return checks
    max_bytes = standard.video_max_mb * 1024 * 1024
    sizes = {"s": _size_text(size), "max": standard.video_max_mb}
    checks.append(
        _outcome(
            name,
            "size",
            HARD,
            size <= max_bytes,
            _("视频大小 %(s)s（上限 %(max)d MB）") % sizes,
            _("视频大小 %(s)s，超过上限 %(max)d MB，请压缩后重新上传。") % sizes,
        )
    )
    probe = ffprobe(path)
    streams = (probe or {}).get("streams") or []
    video = next(
        (s for s in streams if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")),
        None,
    )
    if probe is None or video is None:
        checks.append(
            Check(
                name,
                "probe",
                HARD,
                False,
                _("《%(f)s》无法读取视频画面，文件可能已损坏，请重新导出后上传。") % {"f": name},
            )
        )
        return checks
    codecs = standard.split(standard.video_codecs)
    codec = video.get("codec_name", "")
    found = {"c": _codec(codec), "want": _codec_list(codecs)}
    checks.append(
        _outcome(
            name,
            "video_codec",
            HARD,
            codec in codecs,
            _("视频编码 %(c)s") % found,
            _("视频编码为 %(c)s，要求 %(want)s。请用视频软件导出为 MP4（%(want)s 编码）后重新上传。") % found,
        )
    )
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    # A portrait video is judged on its long and short sides.
    long_side, short_side = max(width, height), min(width, height)
    ok = long_side >= standard.video_min_width and short_side >= standard.video_min_height
    found = {"w": width, "h": height, "want": f"{standard.video_min_width}×{standard.video_min_height}"}
    checks.append(
        _outcome(
            name,
            "resolution",
            HARD,
            ok,
            _("视频分辨率 %(w)d×%(h)d") % found,
            _("视频分辨率 %(w)d×%(h)d，低于要求的 %(want)s") % found,
        )
    )
    # The nominal rate; the average one drifts on concatenated or variable-rate files.
    fps = _fraction(video.get("r_frame_rate")) or _fraction(video.get("avg_frame_rate"))
    min_fps = float(standard.video_min_fps)
    checks.append(
        _outcome(
            name,
            "fps",
            SOFT,
            fps + 0.05 >= min_fps,
            _("视频帧率 %(f).2g fps") % {"f": fps},
            _("视频帧率 %(f).3g fps，低于建议的 %(min).3g fps，画面可能不够流畅") % {"f": fps, "min": min_fps},
        )
    )
    duration = float((probe.get("format") or {}).get("duration") or video.get("duration") or 0)
    low, high = float(standard.video_min_minutes) * 60, float(standard.video_max_minutes) * 60
    span = _("%(lo)s–%(hi)s 分钟") % {
        "lo": f"{standard.video_min_minutes.normalize():f}",
        "hi": f"{standard.video_max_minutes.normalize():f}",
    }
    found = {"d": _minutes_seconds(duration), "span": span}
    checks.append(
        _outcome(
            name,
            "duration",
            HARD,
            low <= duration <= high,
            _("视频时长 %(d)s") % found,
            _("视频时长 %(d)s，不在要求的 %(span)s之内") % found,
        )
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    audio_codecs = standard.split(standard.video_audio_codecs)
    if audio is None:
        checks.append(
            Check(
                name,
                "audio_codec",
                HARD,
                False,
                _("视频没有声音轨道，要求带 %(want)s 音频（微课需要讲解配音）") % {"want": _codec_list(audio_codecs)},
            )
        )
    elif audio.get("codec_name") not in audio_codecs:
        checks.append(
            Check(
                name,
                "audio_codec",
                HARD,
                False,
                _("视频的音频编码为 %(c)s，要求 %(want)s，请重新导出")
                % {"c": _codec(audio.get("codec_name")), "want": _codec_list(audio_codecs)},
            )
        )
    else:
        checks.append(
            Check(name, "audio_codec", HARD, True, _("音频编码 %(c)s") % {"c": _codec(audio.get("codec_name"))})
        )
    bitrate = int((probe.get("format") or {}).get("bit_rate") or 0)
    if bitrate and bitrate < 300_000:
        checks.append(
            Check(name, "bitrate", SOFT, False, _("视频码率约 %(k)d kbps，偏低，画面可能模糊") % {"k": bitrate // 1000})
        )
    return checks


def check_audio(path, name: str, size: int, standard) -> list[Check]:
    kind = sniff(path)
    codecs = standard.split(standard.audio_codecs)
    allowed = [k for k in ("mp3", "aac", "m4a", "mp4") if k in codecs or (k in ("m4a", "mp4") and "aac" in codecs)]
    type_check = _type_check(name, kind, allowed, _("音频"))
    checks = [type_check]
    if not type_check.passed:
        return checks
    probe = ffprobe(path)
    streams = (probe or {}).get("streams") or []
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if audio is None:
        checks.append(
            Check(
                name, "probe", HARD, False, _("《%(f)s》无法读取音频，文件可能已损坏，请重新导出后上传。") % {"f": name}
            )
        )
        return checks
    codec = audio.get("codec_name", "")
    found = {"c": _codec(codec), "want": _codec_list(codecs)}
    checks.append(
        _outcome(
            name,
            "audio_codec",
            HARD,
            codec in codecs,
            _("音频编码 %(c)s") % found,
            _("音频编码为 %(c)s，要求 %(want)s") % found,
        )
    )
    bitrate = int(audio.get("bit_rate") or (probe.get("format") or {}).get("bit_rate") or 0) // 1000
    found = {"k": bitrate, "min": standard.audio_min_kbps}
    checks.append(
        _outcome(
            name,
            "bitrate",
            HARD,
            bitrate >= standard.audio_min_kbps,
            _("音频码率 %(k)d kbps") % found,
            _("音频码率 %(k)d kbps，低于要求的 %(min)d kbps，请以更高音质重新导出") % found,
        )
    )
    return checks


def document_formats(standard, resource_type_code: str) -> list[str]:
    if resource_type_code == "courseware":
        return standard.split(standard.courseware_formats)
    if resource_type_code in ("design", "worksheet"):
        return standard.split(standard.design_formats)
    # Supporting documents of videos and other types: any accepted office/PDF format.
    return sorted(set(standard.split(standard.courseware_formats)) | set(standard.split(standard.design_formats)))


def check_document(path, name: str, size: int, standard, resource_type_code: str) -> list[Check]:
    kind = sniff(path)
    allowed = document_formats(standard, resource_type_code)
    checks = [_type_check(name, kind, allowed, _("要求的文档"))]
    if checks[0].passed:
        max_bytes = standard.document_max_mb * 1024 * 1024
        sizes = {"s": _size_text(size), "max": standard.document_max_mb}
        checks.append(
            _outcome(
                name,
                "size",
                HARD,
                size <= max_bytes,
                _("文档大小 %(s)s") % sizes,
                _("文档大小 %(s)s，超过上限 %(max)d MB") % sizes,
            )
        )
    return checks


def _image_size(path):
    try:
        with Image.open(path) as img:
            img.verify()
        with Image.open(path) as img:
            return img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def check_cover(path, name: str, size: int, standard) -> list[Check]:
    kind = sniff(path)
    type_check = _type_check(name, kind, ["png", "jpeg", "webp"], _("图片"))
    if not type_check.passed:
        return [type_check]
    dims = _image_size(path)
    if dims is None:
        return [Check(name, "image", HARD, False, _("封面图《%(f)s》无法打开，文件可能已损坏") % {"f": name})]
    width, height = dims
    found = {"w": width, "h": height, "want": f"{standard.cover_min_width}×{standard.cover_min_height}"}
    ok = width >= standard.cover_min_width and height >= standard.cover_min_height
    checks = [
        _outcome(
            name,
            "cover_size",
            HARD,
            ok,
            _("封面图 %(w)d×%(h)d") % found,
            _("封面图尺寸 %(w)d×%(h)d，小于要求的 %(want)s") % found,
        )
    ]
    if ok and abs(width / height - 16 / 9) > 0.1:
        checks.append(Check(name, "cover_ratio", SOFT, False, _("封面图宽高比不是 16:9，在列表中可能被裁切")))
    return checks


def check_gallery_image(path, name: str, size: int, standard) -> list[Check]:
    kind = sniff(path)
    type_check = _type_check(name, kind, ["png", "jpeg", "webp", "gif"], _("图片"))
    if not type_check.passed:
        return [type_check]
    if _image_size(path) is None:
        return [Check(name, "image", HARD, False, _("图片《%(f)s》无法打开，文件可能已损坏") % {"f": name})]
    return [type_check]


def check_file(path, *, name: str, size: int, kind: str, standard, resource_type_code: str = "") -> list[Check]:
    """Checks for one uploaded file of `kind` (video / audio / document / cover / image)."""
    if size == 0:
        return [
            Check(
                name, "empty", HARD, False, _("《%(f)s》是空文件（0 字节），请重新选择正确的文件上传。") % {"f": name}
            )
        ]
    if kind == "video":
        return check_video(path, name, size, standard)
    if kind == "audio":
        return check_audio(path, name, size, standard)
    if kind == "cover":
        return check_cover(path, name, size, standard)
    if kind == "image":
        return check_gallery_image(path, name, size, standard)
    return check_document(path, name, size, standard, resource_type_code)
