"""Automated technical checks: real files (ffmpeg, Pillow), types judged by content; bad files are
refused at submit time with a message the teacher can act on, and nothing is submitted."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ops import media as ops_media
from ops import uploads
from review import checks, services
from review.models import FileCheck, FileIntake, QualityStandard, Stage, Submission
from tests import factories
from tests.review import media
from tests.review.conftest import good_files

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
    assert (
        "视频分辨率 640×360，低于要求的 1280×720。请用 1280×720 或更高的分辨率重新录制，或在剪辑软件中按 1280×720 导出。"
        in messages
    )


def test_too_short_video_is_refused_with_the_duration(people):
    messages, _draft = _submit(people, factories.upload("微课.mp4", media.mp4(seconds=6), "video/mp4"))
    assert "视频时长 0分6秒，不在要求的 5–20 分钟之内。请剪辑到这个时长范围内后重新导出上传。" in messages


def test_renamed_executable_is_refused_when_saved_and_nothing_is_kept(people):
    with pytest.raises(ValidationError) as refused:
        factories.submission(
            teacher=people.teacher, files={"main_file": factories.upload("微课.mp4", media.windows_exe())}
        )
    assert refused.value.message_dict == {
        "main_file": ["《微课.mp4》是可执行文件或脚本，不允许上传。请选择作品本身的文件（MP4）。"]
    }
    assert not Submission.objects.exists() and not FileIntake.objects.exists()


def test_zero_byte_file_is_refused_when_saved(people):
    with pytest.raises(ValidationError) as refused:
        factories.submission(teacher=people.teacher, files={"main_file": factories.upload("微课.mp4", b"")})
    assert refused.value.message_dict["main_file"] == ["《微课.mp4》是空文件（0 字节），请重新选择正确的文件上传。"]
    assert not Submission.objects.exists()


def test_video_without_sound_is_refused(people):
    messages, _draft = _submit(people, factories.upload("微课.mp4", media.mp4(audio=False), "video/mp4"))
    assert any("视频没有声音轨道" in m for m in messages)


def test_small_cover_is_refused(people):
    cover = factories.upload("cover.png", media.png(size=(400, 300)), "image/png")
    messages, _draft = _submit(people, factories.upload("微课.mp4", media.mp4(), "video/mp4"), cover=cover)
    assert "封面图尺寸 400×300，小于要求的 800×450。请换一张更大的图片（可以从视频中截取一帧）。" in messages


def test_low_bitrate_audio_is_refused(people):
    messages, _draft = _submit(
        people, factories.upload("诵读.mp3", media.mp3(kbps=64), "audio/mpeg"), resource_type="audio"
    )
    assert "音频码率 64 kbps，低于要求的 128 kbps，请以更高音质重新导出" in messages


def test_courseware_must_be_pptx_or_pdf_by_content(people):
    messages, _draft = _submit(people, factories.upload("课件.docx", media.docx()), resource_type="courseware")
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


def test_sniffing_ignores_extensions():
    samples = [
        (media.pdf(), "pdf"),
        (media.pptx(), "zip"),  # a ZIP package: told apart by its members (zip_kind)
        (media.windows_exe(), "exe"),
        (media.jpeg(), "jpeg"),
        (media.mp3(), "mp3"),
        (b"", "empty"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "exe"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
        (b"  <!DOCTYPE html><html>", "markup"),
    ]
    for data, kind in samples:
        assert uploads.sniff(data[: uploads.HEAD]) == kind, kind


def test_requirements_come_from_the_standard(tmp_path):
    """An admin who lowers the minimum resolution changes the verdict: nothing is hard-coded."""
    path = tmp_path / "small.mp4"
    path.write_bytes(media.mp4(width=640, height=360))
    measurement = ops_media.measure_av(path)
    standard = QualityStandard.current()

    def verdict():
        found = checks.check_video("small.mp4", "mp4", path.stat().st_size, measurement, standard)
        return {c.code: c.passed for c in found}

    assert verdict()["resolution"] is False
    standard.video_min_width, standard.video_min_height = 640, 360
    assert verdict()["resolution"] is True


def test_a_new_standard_version_is_judged_on_the_stored_measurement(people):
    """Results are bound to the standard's version; a new version is judged again without re-reading."""
    draft = factories.submission(teacher=people.teacher, files=good_files())
    page = draft.page.get_latest_revision_as_object()
    old = QualityStandard.current()
    verdict = services.files_verdict(draft, page, standard=old)
    assert verdict.ready and not verdict.pending
    edited = QualityStandard.objects.get(pk=old.pk)
    edited.video_min_minutes = Decimal("6")
    stricter = services.quality_standard_new_version(source=edited, user=people.admin)
    verdict = services.files_verdict(draft, page, standard=stricter)
    assert "视频时长 5分1秒，不在要求的 6–20 分钟之内。请剪辑到这个时长范围内后重新导出上传。" in verdict.problems
    assert FileCheck.objects.filter(standard_version=stricter.version).count() == 2  # video and cover
    assert set(FileCheck.objects.values_list("sha256", flat=True)) == set(
        FileIntake.objects.values_list("sha256", flat=True)
    )


def test_pdf_scripts_are_flagged_for_the_reviewers(client, people):
    draft = factories.submission(
        teacher=people.teacher,
        resource_type="courseware",
        files={
            "main_file": factories.upload("课件.pdf", media.pdf(javascript="app.alert('hi')", launch="cmd.exe")),
            "cover": factories.upload("c.png", media.png()),
        },
    )
    submitted = services.submission_submit(submission=draft, user=people.teacher)
    assert submitted.status == Stage.COUNTY_REVIEW  # a warning, not a refusal
    (warning,) = [c["message"] for c in submitted.warnings if c["code"] == "pdf_actions"]
    assert "JavaScript 脚本" in warning and "启动外部程序（Launch）" in warning and "OpenAction" in warning
    client.force_login(people.reviewer)
    assert warning in client.get(f"/review/{submitted.pk}/").content.decode()


def test_results_are_announced_to_the_state_machine(people, django_capture_on_commit_callbacks):
    from review.signals import file_checks_finished

    heard = []

    def receiver(sender, signal, **kwargs):
        heard.append(kwargs)

    file_checks_finished.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            draft = factories.submission(teacher=people.teacher, files=good_files())
    finally:
        file_checks_finished.disconnect(receiver)
    page = draft.page.get_latest_revision_as_object()
    assert heard == [{"document_ids": [page.files.first().document_id], "image_ids": [page.cover_image_id]}]


def test_a_check_that_could_not_run_is_pending_until_the_worker_measures(people, monkeypatch, settings):
    """ffprobe timing out is 待检测, never a pass: a submission waits in 技术检测中; the task measures
    once the tool answers and the work moves on into county review."""
    from review.signals import file_checks_finished
    from review.tasks import file_intakes_measure

    monkeypatch.setattr(ops_media, "_timeout", lambda: 0.001)
    draft = factories.submission(teacher=people.teacher, files=good_files())
    intake = FileIntake.objects.get(content="mp4")
    assert intake.status == FileIntake.Status.PENDING and "did not finish" in intake.error
    page = draft.page.get_latest_revision_as_object()
    verdict = services.files_verdict(draft, page, standard=QualityStandard.current())
    assert not verdict.ready and verdict.pending == ["微课.mp4"] and verdict.problems == []
    # Submitted while a file is 待检测: the work waits in 技术检测中, never reaching a reviewer.
    assert services.submission_submit(submission=draft, user=people.teacher).status == Stage.CHECKING
    monkeypatch.undo()
    heard = []
    file_checks_finished.connect(lambda sender, signal, **kw: heard.append(kw), weak=False, dispatch_uid="t")
    try:
        result = file_intakes_measure.enqueue(intake_ids=[intake.pk]).return_value
    finally:
        file_checks_finished.disconnect(dispatch_uid="t")
    assert result == {"measured": [intake.pk], "pending": []}
    assert heard == [{"document_ids": [intake.document_id], "image_ids": []}]
    assert services.files_verdict(draft, page, standard=QualityStandard.current()).ready
    # The measurement's signal moved the work on into county review by itself.
    draft.refresh_from_db()
    assert draft.status == Stage.COUNTY_REVIEW


def test_gallery_pixel_bomb_and_names_are_refused_on_every_image(people):
    from tests.review import hostile

    with pytest.raises(ValidationError) as refused:
        factories.submission(
            teacher=people.teacher,
            resource_type="gallery",
            files={
                "gallery": [factories.upload("1.png", media.png()), factories.upload("2.png", hostile.pixel_bomb())]
            },
        )
    assert "上限为 64 百万像素" in refused.value.message_dict["gallery"][0]
    assert not Submission.objects.exists()


def test_stored_names_keep_no_executable_suffix_and_no_bidi(people):
    draft = factories.submission(
        teacher=people.teacher,
        resource_type="design",
        files={
            "main_file": factories.upload("教学\u202e设计.exe.pdf", media.pdf()),
            "cover": factories.upload("c.png", media.png()),
        },
    )
    document = draft.page.get_latest_revision_as_object().files.first().document
    assert document.filename == "教学设计_exe.pdf"


def test_files_that_never_came_through_the_intake_are_measured_before_they_can_pass(
    people, django_capture_on_commit_callbacks
):
    """A draft from before the intake (no FileIntake rows): 待检测 at the first submit, which parks the
    work in 技术检测中 and queues the measurement; once measured (SHA-256 read from storage) the work
    moves on into county review."""
    draft = factories.submission(teacher=people.teacher, files=good_files())
    FileIntake.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.submission_submit(submission=draft, user=people.teacher).status == Stage.CHECKING
    intake = FileIntake.objects.get(document__isnull=False)
    assert (
        intake.status == FileIntake.Status.MEASURED
        and intake.sha256 == draft.page.files.first().document.fingerprint.sha256
    )
    draft.refresh_from_db()
    assert draft.status == Stage.COUNTY_REVIEW
