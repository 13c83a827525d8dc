"""The technical requirements of the quality standard, judged on what the intake measured.

The intake (ops.uploads, ops.media) recognises each file by its content, refuses what is unsafe,
damaged or lying, and measures the rest: streams, codecs, the duration from the packets, pixels,
PDF actions. This module turns one measurement into the teacher-facing checks of one use of the
file (its role in the submission, the resource type, the campaign's standard): hard failures
block submission with a message the teacher can act on; soft ones are warnings the reviewers see.
A file that could not be measured has one "pending" check (待检测), which never counts as passed.
"""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from ops import media, uploads

HARD, SOFT, PENDING = "hard", "soft", "pending"

CODEC_NAMES = {
    "h264": "H.264",
    "hevc": "H.265/HEVC",
    "mpeg4": "MPEG-4 Part 2",
    "aac": "AAC",
    "mp3": "MP3",
    "vp9": "VP9",
    "av1": "AV1",
}

# --- what each field of the teacher's form accepts ---------------------------------------------
FIELDS = ("main_file", "extra_file", "cover", "gallery")
GALLERY_MAX_IMAGES = 50
COVER_KINDS = frozenset({"png", "jpeg", "webp"})
MAIN_KINDS = {
    "video": frozenset({"mp4"}),
    "audio": frozenset({"mp3", "aac", "m4a", "mp4"}),
    "courseware": uploads.DOCUMENT_KINDS,
    "design": uploads.DOCUMENT_KINDS,
    "worksheet": uploads.DOCUMENT_KINDS,
}


def field_kinds(field: str, resource_type_code: str | None = None) -> frozenset:
    """The kinds of content `field` accepts for a resource type (None: for any type, as while the
    upload streams in and the type is not known yet)."""
    if field == "main_file":
        if resource_type_code is None:
            return frozenset().union(*MAIN_KINDS.values())
        return MAIN_KINDS.get(resource_type_code, frozenset())
    if field == "extra_file":
        return uploads.DOCUMENT_KINDS
    if field == "cover":
        return COVER_KINDS
    if field == "gallery":
        return uploads.IMAGE_KINDS if resource_type_code in (None, "gallery") else frozenset()
    return frozenset()


def upload_policy() -> dict:
    return {field: field_kinds(field) for field in FIELDS}


def role_of(field: str, resource_type_code: str) -> str:
    if field == "main_file":
        return resource_type_code if resource_type_code in ("video", "audio") else "document"
    return {"extra_file": "extra", "cover": "cover", "gallery": "image"}[field]


# --- checks ------------------------------------------------------------------------------------
@dataclass
class Check:
    file: str
    code: str
    level: str
    passed: bool
    message: str

    def as_dict(self):
        return asdict(self)


def pending_check(name: str, reason: str = "") -> Check:
    return Check(
        name,
        "pending",
        PENDING,
        False,
        _("《%(f)s》待检测：检测暂时无法进行，系统会自动重新检测；检测通过前不能提交评审。") % {"f": name},
    )


def _size_text(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.2f} GB"
    return f"{size / 1024**2:.1f} MB"


def _codec(name: str) -> str:
    return CODEC_NAMES.get(name, name or _("未知"))


def _codec_list(names) -> str:
    return " / ".join(_codec(n) for n in names)


def _fraction(value: str) -> float:
    try:
        num, _sep, den = (value or "0/1").partition("/")
        return float(num) / float(den or 1) if float(den or 1) else 0.0
    except ValueError:
        return 0.0


def _outcome(name: str, code: str, level: str, passed: bool, ok_message: str, failed_message: str) -> Check:
    """One check whose message says what was found when it passes and what to do when it fails."""
    return Check(name, code, level, passed, ok_message if passed else failed_message)


def _type_check(name, content, allowed, what) -> Check:
    if content in allowed:
        return Check(name, "type", HARD, True, _("《%(f)s》文件类型：%(k)s") % {"f": name, "k": uploads.label(content)})
    return Check(
        name,
        "type",
        HARD,
        False,
        _(
            "《%(f)s》的实际内容是%(k)s，不是%(what)s。请上传 %(allowed)s 格式的文件（文件类型按内容识别，改扩展名无效）。"
        )
        % {"f": name, "k": uploads.label(content), "what": what, "allowed": "/".join(a.upper() for a in allowed)},
    )


def _integrity(name, content, measurement) -> list[Check]:
    problems = media.av_problems(measurement, name=name, container_header=content in ("mp4", "m4a"))
    checks = [Check(name, "integrity", HARD, False, p) for p in problems]
    checks += [Check(name, "decode", SOFT, False, w) for w in media.av_warnings(measurement, name=name)]
    return checks


def check_video(name: str, content: str, size: int, measurement: dict, standard) -> list[Check]:
    containers = standard.split(standard.video_containers)
    type_check = _type_check(name, content, containers, _("视频"))
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
    integrity = _integrity(name, content, measurement)
    checks += integrity
    streams = measurement.get("streams") or []
    video = next((s for s in streams if s["type"] == "video" and not s["attached_pic"]), None)
    if any(c.level == HARD for c in integrity) or video is None:
        if video is None:
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
    found = {"c": _codec(video["codec"]), "want": _codec_list(codecs)}
    checks.append(
        _outcome(
            name,
            "video_codec",
            HARD,
            video["codec"] in codecs,
            _("视频编码 %(c)s") % found,
            _("视频编码为 %(c)s，要求 %(want)s。请用视频软件导出为 MP4（%(want)s 编码）后重新上传。") % found,
        )
    )
    width, height = video["width"] or 0, video["height"] or 0
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
            _(
                "视频分辨率 %(w)d×%(h)d，低于要求的 %(want)s。请用 %(want)s 或更高的分辨率重新录制，或在剪辑软件中按 %(want)s 导出。"
            )
            % found,
        )
    )
    # The nominal rate; the average one drifts on concatenated or variable-rate files.
    fps = _fraction(video["r_frame_rate"]) or _fraction(video["avg_frame_rate"])
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
    # Measured from the packets the file really holds, not from its header.
    duration = float(measurement.get("duration") or 0)
    low, high = float(standard.video_min_minutes) * 60, float(standard.video_max_minutes) * 60
    span = _("%(lo)s–%(hi)s 分钟") % {
        "lo": f"{standard.video_min_minutes.normalize():f}",
        "hi": f"{standard.video_max_minutes.normalize():f}",
    }
    found = {"d": media.minutes_seconds(duration), "span": span}
    checks.append(
        _outcome(
            name,
            "duration",
            HARD,
            low <= duration <= high,
            _("视频时长 %(d)s") % found,
            _("视频时长 %(d)s，不在要求的 %(span)s之内。请剪辑到这个时长范围内后重新导出上传。") % found,
        )
    )
    audio = next((s for s in streams if s["type"] == "audio"), None)
    audio_codecs = standard.split(standard.video_audio_codecs)
    if audio is None:
        checks.append(
            Check(
                name,
                "audio_codec",
                HARD,
                False,
                _("视频没有声音轨道，要求带 %(want)s 音频（微课需要讲解配音）。请录入讲解后重新导出。")
                % {"want": _codec_list(audio_codecs)},
            )
        )
    elif audio["codec"] not in audio_codecs:
        checks.append(
            Check(
                name,
                "audio_codec",
                HARD,
                False,
                _("视频的音频编码为 %(c)s，要求 %(want)s。请用视频软件导出为 MP4（声音选 %(want)s）后重新上传。")
                % {"c": _codec(audio["codec"]), "want": _codec_list(audio_codecs)},
            )
        )
    else:
        checks.append(Check(name, "audio_codec", HARD, True, _("音频编码 %(c)s") % {"c": _codec(audio["codec"])}))
    bitrate = measurement.get("bit_rate") or 0
    if bitrate and bitrate < 300_000:
        checks.append(
            Check(name, "bitrate", SOFT, False, _("视频码率约 %(k)d kbps，偏低，画面可能模糊") % {"k": bitrate // 1000})
        )
    return checks


def audio_kinds(standard) -> list[str]:
    codecs = standard.split(standard.audio_codecs)
    return [k for k in ("mp3", "aac", "m4a", "mp4") if k in codecs or (k in ("m4a", "mp4") and "aac" in codecs)]


def check_audio(name: str, content: str, size: int, measurement: dict, standard) -> list[Check]:
    codecs = standard.split(standard.audio_codecs)
    type_check = _type_check(name, content, audio_kinds(standard), _("音频"))
    checks = [type_check]
    if not type_check.passed:
        return checks
    integrity = _integrity(name, content, measurement)
    checks += integrity
    audio = next((s for s in measurement.get("streams") or [] if s["type"] == "audio"), None)
    if any(c.level == HARD for c in integrity) or audio is None:
        if audio is None:
            checks.append(
                Check(
                    name,
                    "probe",
                    HARD,
                    False,
                    _("《%(f)s》无法读取音频，文件可能已损坏，请重新导出后上传。") % {"f": name},
                )
            )
        return checks
    found = {"c": _codec(audio["codec"]), "want": _codec_list(codecs)}
    checks.append(
        _outcome(
            name,
            "audio_codec",
            HARD,
            audio["codec"] in codecs,
            _("音频编码 %(c)s") % found,
            _("音频编码为 %(c)s，要求 %(want)s。请用音频软件导出为 %(want)s 格式后重新上传。") % found,
        )
    )
    bitrate = (audio["bit_rate"] or measurement.get("bit_rate") or 0) // 1000
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


def document_formats(standard, resource_type_code: str, role: str) -> list[str]:
    if role == "document" and resource_type_code == "courseware":
        return standard.split(standard.courseware_formats)
    if role == "document" and resource_type_code in ("design", "worksheet"):
        return standard.split(standard.design_formats)
    # Supporting documents: any accepted office/PDF format.
    return sorted(set(standard.split(standard.courseware_formats)) | set(standard.split(standard.design_formats)))


def check_document(name, content, size, measurement, standard, resource_type_code, role) -> list[Check]:
    allowed = document_formats(standard, resource_type_code, role)
    checks = [_type_check(name, content, allowed, _("要求的文档"))]
    if not checks[0].passed:
        return checks
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
    actions = [uploads.PDF_ACTIONS[a] for a in measurement.get("actions") or [] if a in uploads.PDF_ACTIONS]
    if actions:
        checks.append(
            Check(
                name,
                "pdf_actions",
                SOFT,
                False,
                _("《%(f)s》含有%(what)s，打开时可能自动运行代码，审阅时请注意。")
                % {"f": name, "what": "、".join(actions)},
            )
        )
    return checks


def check_cover(name, content, size, measurement, standard) -> list[Check]:
    type_check = _type_check(name, content, ["png", "jpeg", "webp"], _("图片"))
    if not type_check.passed:
        return [type_check]
    width, height = measurement.get("width") or 0, measurement.get("height") or 0
    found = {"w": width, "h": height, "want": f"{standard.cover_min_width}×{standard.cover_min_height}"}
    ok = width >= standard.cover_min_width and height >= standard.cover_min_height
    checks = [
        _outcome(
            name,
            "cover_size",
            HARD,
            ok,
            _("封面图 %(w)d×%(h)d") % found,
            _("封面图尺寸 %(w)d×%(h)d，小于要求的 %(want)s。请换一张更大的图片（可以从视频中截取一帧）。") % found,
        )
    ]
    if ok and abs(width / height - 16 / 9) > 0.1:
        checks.append(Check(name, "cover_ratio", SOFT, False, _("封面图宽高比不是 16:9，在列表中可能被裁切")))
    return checks


def check_gallery_image(name, content, size, measurement, standard) -> list[Check]:
    type_check = _type_check(name, content, ["png", "jpeg", "webp", "gif"], _("图片"))
    if not type_check.passed:
        return [type_check]
    found = {"f": name, "w": measurement.get("width") or 0, "h": measurement.get("height") or 0}
    return [Check(name, "image", HARD, True, _("《%(f)s》图片 %(w)d×%(h)d") % found)]


def evaluate(*, name: str, role: str, content: str, size: int, measurement: dict, standard, resource_type_code: str):
    """The checks of one measured file used as `role` in a resource of `resource_type_code`."""
    if measurement.get("refused"):  # re-measured from storage and found unacceptable
        return [Check(name, "intake", HARD, False, measurement["refused"])]
    if role == "video":
        return check_video(name, content, size, measurement, standard)
    if role == "audio":
        return check_audio(name, content, size, measurement, standard)
    if role == "cover":
        return check_cover(name, content, size, measurement, standard)
    if role == "image":
        return check_gallery_image(name, content, size, measurement, standard)
    return check_document(name, content, size, measurement, standard, resource_type_code, role)
