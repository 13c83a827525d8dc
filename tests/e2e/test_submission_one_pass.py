"""The one-pass submission form in Chromium: on a 390×844 phone a teacher submits a micro-lecture
video (made with ffmpeg) in one go, with the 专题 list following the 主题 and the file rules of the
chosen type shown beside the file field; a teacher who makes every mistake at once sees every
message beside its field, each saying what to do, and nothing is sent or stored."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from review.models import Stage, Submission
from tests.e2e.signin import teacher_at_the_form
from tests.review import media

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server):
    return teacher_at_the_form(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )


def _stored() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _error_beside(page, field_id):
    return page.locator(".field.has-error").filter(has=page.locator(f"#{field_id}")).locator("p.error")


def test_a_teacher_on_a_phone_submits_a_video_in_one_pass(live_server, browser):
    page = _phone(browser, live_server)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.fill("#id_title", "嵖岈山｜花岗岩奇石是怎样形成的")
    page.select_option("#id_resource_type", label="微课视频")
    rules = page.locator("#id_main_file_help").inner_text()
    assert rules.startswith("微课视频：MP4 格式") and "1280×720" in rules and "5–20 分钟" in rules
    page.select_option("#id_theme", label="自然风貌")
    topics = page.locator("#id_topic option:not([hidden])").all_inner_texts()
    assert "嵖岈山" in topics and "竹沟革命根据地" not in topics and "梁祝文化" not in topics
    page.select_option("#id_topic", label="嵖岈山")
    page.select_option("#id_stage", label="初中")
    assert page.get_by_label("一年级").is_hidden() and page.get_by_label("七年级").is_visible()
    page.get_by_label("七年级").check()
    page.get_by_label("地理", exact=True).check()
    page.fill("#id_description", "用五分钟看懂嵖岈山花岗岩球状风化的过程。")
    # The promise comes before the upload step, and the file fields speak Chinese.
    promise = page.get_by_label(re.compile("本人承诺"))
    assert promise.bounding_box()["y"] < page.locator("#id_main_file").locator("..").bounding_box()["y"]
    promise.check()
    page.set_input_files("#id_main_file", {"name": "嵖岈山微课.mp4", "mimeType": "video/mp4", "buffer": media.mp4()})
    page.set_input_files("#id_cover", {"name": "封面.png", "mimeType": "image/png", "buffer": media.png()})
    assert page.locator(".file-pick").first.inner_text().replace("\n", " ").startswith("选择文件 嵖岈山微课.mp4")
    assert page.locator(".field.has-error").count() == 0
    page.get_by_role("button", name="保存并提交评审").tap()
    page.wait_for_url(re.compile(r".*/submit/\d+/$"))
    assert page.locator("#submission-status").inner_text() == "县区初审中"
    submission = Submission.objects.get()
    assert submission.status == Stage.COUNTY_REVIEW
    draft = submission.page.get_latest_revision_as_object()
    assert draft.topic.name == "嵖岈山" and [g.name for g in draft.grades.all()] == ["七年级"]


def test_every_mistake_at_once_is_shown_beside_its_field_and_nothing_is_sent(live_server, browser):
    page = _phone(browser, live_server)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.fill("#id_external_url", "zhanguan")  # before the type: a video hides the link field unless filled
    page.select_option("#id_resource_type", label="微课视频")
    page.fill("#id_authors", "")
    page.set_input_files("#id_main_file", {"name": "微课.avi", "mimeType": "video/x-msvideo", "buffer": b"RIFF" * 10})
    page.set_input_files("#id_cover", {"name": "封面.gif", "mimeType": "image/gif", "buffer": media.png()})
    page.get_by_role("button", name="保存并提交评审").click()
    expected = {
        "id_title": "请填写作品名称（120 字以内）。",
        "id_theme": "请选择作品所属的主题。",
        "id_stage": "请选择学段（小学、初中或高中）。",
        "id_subjects": "请至少勾选一个学科。",
        "id_description": "请填写作品简介：教学目标、内容和使用方法，300 字左右。",
        "id_authors": "请填写作者姓名，多位作者用顿号分隔。",
        "id_licence_confirmed": "提交评审前请勾选这项承诺（作品为原创或已获授权）。",
        "id_main_file": "《微课.avi》不是“微课视频”可以用的格式。请选择 MP4 文件（请用软件导出或另存为这种格式，只改扩展名没有用）。",
        "id_cover": "《封面.gif》不是封面图可以用的格式。请选择 JPEG/JPG/PNG/WEBP 文件（请用软件导出或另存为这种格式，只改扩展名没有用）。",
        "id_external_url": "请填写完整的网址，例如 https://www.example.com/zhanguan/。",
    }
    for field_id, message in expected.items():
        assert _error_beside(page, field_id).all_inner_texts() == [message], field_id
    summary = page.locator("#form-errors li").all_inner_texts()
    assert len(summary) == len(expected)
    assert posts == [] and not Submission.objects.exists() and _stored() == set()
    # Mending a field clears its message as the teacher goes.
    page.fill("#id_title", "嵖岈山｜微课")
    page.locator("#id_title").blur()
    assert _error_beside(page, "id_title").count() == 0
