"""Measuring audio and video with FFmpeg's tools: what the streams hold, not what the header claims.

A container header can say anything (a 4-second clip whose header claims 10 minutes, a file cut to
a third whose index still lists every frame). So the duration is measured from the packets the
demuxer can actually read, the packet count is compared with the count the index promises, and a
sample is decoded at the start, the middle and the end.

`measure_av` raises `ToolUnavailable` when the measurement could not run (ffprobe missing, a
timeout): the caller then records the file as 待检测 (not checked), never as passed.
"""

import json
import shutil
import subprocess

from django.conf import settings
from django.utils.translation import gettext as _

# A header duration further than this from the measured one means the header lies.
DURATION_TOLERANCE_SECONDS = 2.0
DURATION_TOLERANCE_RATIO = 0.05


class ToolUnavailable(RuntimeError):
    """The measuring tool is missing or did not finish in time; `reason` is for operators."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _timeout() -> int:
    return int(getattr(settings, "UPLOAD_PROBE_TIMEOUT_SECONDS", 120))


def _ffprobe() -> str:
    binary = shutil.which("ffprobe")
    if binary is None:
        raise ToolUnavailable("ffprobe is not installed or not on PATH (apt-get install ffmpeg)")
    return binary


def _run(args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, timeout=_timeout(), check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolUnavailable(f"{args[0]} did not finish within {_timeout()} s") from exc
    except OSError as exc:  # the binary vanished between which() and exec, or cannot run
        raise ToolUnavailable(f"{args[0]} could not run: {exc}") from exc


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error_lines(stderr: bytes, limit: int = 5) -> list[str]:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[:limit]


def _stream_summary(stream: dict) -> dict:
    return {
        "index": stream.get("index"),
        "type": stream.get("codec_type"),
        "codec": stream.get("codec_name", ""),
        "width": _int(stream.get("width")),
        "height": _int(stream.get("height")),
        "r_frame_rate": stream.get("r_frame_rate"),
        "avg_frame_rate": stream.get("avg_frame_rate"),
        "bit_rate": _int(stream.get("bit_rate")),
        "nb_frames": _int(stream.get("nb_frames")),
        "attached_pic": bool((stream.get("disposition") or {}).get("attached_pic")),
    }


def _packets(binary: str, path) -> tuple[dict, list[str]]:
    """Read every packet: per stream, how many could be read and the span their timestamps cover."""
    result = _run(
        [
            binary,
            "-v",
            "error",
            "-show_entries",
            "packet=stream_index,pts_time,duration_time",
            "-of",
            "csv=p=0",
            str(path),
        ]
    )
    spans: dict[str, dict] = {}
    for line in result.stdout.decode("ascii", "replace").splitlines():
        parts = line.split(",")
        if len(parts) < 2:
            continue
        span = spans.setdefault(parts[0], {"read": 0, "start": None, "end": None})
        span["read"] += 1
        pts = _float(parts[1])
        if pts is None:
            continue
        end = pts + (_float(parts[2]) or 0.0) if len(parts) > 2 else pts
        span["start"] = pts if span["start"] is None else min(span["start"], pts)
        span["end"] = end if span["end"] is None else max(span["end"], end)
    return spans, _error_lines(result.stderr)


def _decode_sample(binary: str, path, *, stream: str, at: float) -> dict:
    """Decode one second from `at`: how many frames came out and how many decoder errors."""
    result = _run(
        [
            binary,
            "-v",
            "error",
            "-read_intervals",
            f"{at:.3f}%+1",
            "-select_streams",
            stream,
            "-count_frames",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
            str(path),
        ]
    )
    frames = _int(result.stdout.decode("ascii", "replace").strip().split(",")[0]) or 0
    return {"at": round(at, 3), "frames": frames, "errors": len(_error_lines(result.stderr, limit=1000))}


def measure_av(path) -> dict:
    """What an audio or video file holds, measured (see the module docstring)."""
    binary = _ffprobe()
    result = _run([binary, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)])
    try:
        header = json.loads(result.stdout or b"{}")
    except json.JSONDecodeError:
        header = {}
    streams = [_stream_summary(s) for s in header.get("streams") or []]
    media = [s for s in streams if s["type"] in ("audio", "video") and not s["attached_pic"]]
    if result.returncode != 0 or not media:
        return {"readable": False, "errors": _error_lines(result.stderr)}
    fmt = header.get("format") or {}
    spans, demux_errors = _packets(binary, path)
    indexes = {str(s["index"]) for s in media}
    starts = [spans[i]["start"] for i in indexes if i in spans and spans[i]["start"] is not None]
    ends = [spans[i]["end"] for i in indexes if i in spans and spans[i]["end"] is not None]
    duration = (max(ends) - min(starts)) if starts and ends else 0.0
    expected = sum(s["nb_frames"] or 0 for s in media)
    read = sum(spans.get(str(s["index"]), {}).get("read", 0) for s in media)
    video = next((s for s in media if s["type"] == "video"), None)
    selector = "v:0" if video else "a:0"
    points = sorted({0.0, duration / 2, max(duration - 1.5, 0.0)}) if duration > 0 else [0.0]
    return {
        "readable": True,
        "format": fmt.get("format_name", ""),
        "header_duration": _float(fmt.get("duration")),
        "bit_rate": _int(fmt.get("bit_rate")),
        "streams": streams,
        "duration": round(duration, 3),
        "packets_expected": expected or None,
        "packets_read": read,
        "demux_errors": demux_errors,
        "decode": [_decode_sample(binary, path, stream=selector, at=at) for at in points],
    }


def av_problems(measurement: dict, *, name: str, container_header: bool) -> list[str]:
    """Why a measured file is damaged or lies about itself (teacher-facing), or [] when it is sound.

    `container_header`: whether the format has a real duration in its header (MP4/M4A); an MP3's
    "duration" is an estimate from the bit rate, so only its packets are judged.
    """
    if not measurement.get("readable"):
        return [_("《%(f)s》无法读取，文件已损坏或不是有效的音视频文件，请重新导出后上传。") % {"f": name}]
    problems = []
    expected, read = measurement.get("packets_expected"), measurement.get("packets_read") or 0
    partial = any("partial file" in line for line in measurement.get("demux_errors") or [])
    if partial or (expected and read < expected):
        problems.append(
            _(
                "《%(f)s》不完整：文件索引记录了 %(e)s 个数据包，实际只能读出 %(r)d 个（可能上传中断或文件被截断），请重新导出后上传。"
            )
            % {"f": name, "e": expected or "?", "r": read}
        )
    measured, claimed = measurement.get("duration") or 0.0, measurement.get("header_duration")
    if container_header and claimed is not None:
        tolerance = max(DURATION_TOLERANCE_SECONDS, DURATION_TOLERANCE_RATIO * max(measured, claimed))
        if abs(claimed - measured) > tolerance:
            problems.append(
                _("《%(f)s》的文件头声称时长 %(c)s，实际内容只有 %(m)s，文件已损坏或被改动过，请重新导出后上传。")
                % {"f": name, "c": minutes_seconds(claimed), "m": minutes_seconds(measured)}
            )
    if not problems and any(sample["frames"] == 0 for sample in measurement.get("decode") or []):
        problems.append(
            _("《%(f)s》有部分内容无法解码（抽样解码失败），文件可能已损坏，请重新导出后上传。") % {"f": name}
        )
    return problems


def av_warnings(measurement: dict, *, name: str) -> list[str]:
    """Soft findings for the reviewers: decoder errors in the sampled seconds (picture glitches)."""
    errors = sum(sample.get("errors", 0) for sample in measurement.get("decode") or [])
    if errors:
        return [_("《%(f)s》抽样解码时出现 %(n)d 处错误，画面或声音可能有花屏、杂音。") % {"f": name, "n": errors}]
    return []


def minutes_seconds(seconds: float) -> str:
    whole = int(round(seconds))
    return _("%(m)d分%(s)d秒") % {"m": whole // 60, "s": whole % 60}
