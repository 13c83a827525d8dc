"""Automated technical checks: real files (ffmpeg, Pillow), types judged by content; bad files are
refused at submit time with a message the teacher can act on, and nothing is submitted."""

import pytest

from review import checks, services
from review.models import QualityStandard, Stage
from tests import factories
from tests.review import media

pytestmark = pytest.mark.django_db


def _submit(people, main_file, cover=None, **data):
    files = {"main_file": main_file, "cover": cover or factories.upload("cover.png", media.png(), "image/png")}
    draft = factories.submission(teacher=people.teacher, files=files, **data)
    with pytest.raises(services.SubmissionError) as refused:
        services.submission_submit(submission=draft, user=people.teacher)
    draft.refresh_from_db()
    assert draft.status == Stage.DRAFT
    assert draft.page.current_workflow_state is None  # no workflow was started
    return refused.value.messages, draft


def test_wrong_codec_is_refused_with_its_message(people):
    clip = media.mp4(vcodec="mpeg4", seconds=301)
    messages, draft = _submit(people, factories.upload("微课.mp4", clip, "video/mp4"))
    assert any("视频编码为 MPEG-4 Part 2" in m and "要求 H.264" in m for m in messages)
    # The results stay on the draft so the teacher sees every check, passed or not.
    assert any(c["code"] == "video_codec" and not c["passed"] for c in draft.checks)
    assert any(c["code"] == "resolution" and c["passed"] for c in draft.checks)


def test_too_small_video_is_refused_with_the_resolution(people):
    messages, _draft = _submit(people, factories.upload("微课.mp4", media.mp4(width=640, height=360), "video/mp4"))
    assert "视频分辨率 640×360，低于要求的 1280×720" in messages


def test_too_short_video_is_refused_with_the_duration(people):
    messages, _draft = _submit(people, factories.upload("微课.mp4", media.mp4(seconds=6), "video/mp4"))
    assert "视频时长 0分6秒，不在要求的 5–20 分钟之内" in messages


def test_renamed_executable_is_refused_by_content(people):
    messages, _draft = _submit(people, factories.upload("微课.mp4", media.windows_exe(), "video/mp4"))
    assert any("实际内容是Windows 可执行程序" in m and "不是视频" in m for m in messages)


def test_zero_byte_file_is_refused(people):
    messages, _draft = _submit(people, factories.upload("微课.mp4", b"", "video/mp4"))
    assert "《微课.mp4》是空文件（0 字节），请重新选择正确的文件上传。" in messages


def test_video_without_sound_is_refused(people):
    messages, _draft = _submit(people, factories.upload("微课.mp4", media.mp4(audio=False), "video/mp4"))
    assert any("视频没有声音轨道" in m for m in messages)


def test_small_cover_is_refused(people):
    cover = factories.upload("cover.png", media.png(size=(400, 300)), "image/png")
    messages, _draft = _submit(people, factories.upload("微课.mp4", media.mp4(), "video/mp4"), cover=cover)
    assert "封面图尺寸 400×300，小于要求的 800×450" in messages


def test_low_bitrate_audio_is_refused(people):
    messages, _draft = _submit(
        people, factories.upload("诵读.mp3", media.mp3(kbps=64), "audio/mpeg"), resource_type="audio"
    )
    assert "音频码率 64 kbps，低于要求的 128 kbps，请以更高音质重新导出" in messages


def test_courseware_must_be_pptx_or_pdf_by_content(people):
    messages, _draft = _submit(
        people, factories.upload("课件.pptx", media.docx(), "application/vnd.ms-powerpoint"), resource_type="courseware"
    )
    assert any("实际内容是Word 文档（DOCX）" in m and "PPTX/PDF" in m for m in messages)


def test_good_files_pass_and_soft_warnings_reach_reviewers(people):
    design = factories.submission(
        teacher=people.teacher,
        resource_type="design",
        files={
            "main_file": factories.upload("教学设计.docx", media.docx()),
            "cover": factories.upload("c.jpg", media.jpeg(size=(1000, 1000))),
        },
    )
    submitted = services.submission_submit(submission=design, user=people.teacher)
    assert submitted.status == Stage.COUNTY_REVIEW
    assert [c["message"] for c in submitted.warnings] == ["封面图宽高比不是 16:9，在列表中可能被裁切"]
    assert not submitted.hard_failures


def test_sniffing_ignores_extensions(tmp_path):
    samples = {
        "a.docx": (media.pdf(), "pdf"),
        "b.pdf": (media.pptx(), "pptx"),
        "c.mp4": (media.windows_exe(), "exe"),
        "d.png": (media.jpeg(), "jpeg"),
        "e.mp3": (media.mp3(), "mp3"),
        "f.doc": (b"", "empty"),
        "g.txt": (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "elf"),
    }
    for name, (data, kind) in samples.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert checks.sniff(path) == kind, name


def test_requirements_come_from_the_standard(tmp_path):
    """An admin who lowers the minimum resolution changes the verdict: nothing is hard-coded."""
    path = tmp_path / "small.mp4"
    path.write_bytes(media.mp4(width=640, height=360))
    standard = QualityStandard.current()
    verdict = {c.code: c.passed for c in checks.check_video(path, "small.mp4", path.stat().st_size, standard)}
    assert verdict["resolution"] is False
    standard.video_min_width, standard.video_min_height = 640, 360
    verdict = {c.code: c.passed for c in checks.check_video(path, "small.mp4", path.stat().st_size, standard)}
    assert verdict["resolution"] is True
