"""The whole campaign in the browser: a teacher submits a real MP4 and cover (made with ffmpeg and
Pillow), the county reviewer approves, two experts score (blind to the author), the admin opens the
public notice (公示), a parent objects through the form on the notice, the admin dismisses the
objection, the period ends, the admin publishes after confirming, and a student finds the work on
its topic page. The new pages are checked at phone width (no horizontal scroll); with E2E_SHOTS=dir
set, screenshots at 390×844 and 1366×768 are written there."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from catalogue.models import Role
from review.models import ExpertReview, Objection, Publicity, Stage, Submission
from tests import factories
from tests.e2e.signin import fill_the_form, sign_in
from tests.review import media

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "嵖岈山｜花岗岩奇石是怎样形成的"


SHOTS = os.environ.get("E2E_SHOTS")


def _fits_a_phone(page, name):
    """The page `page` shows, at 390×844 (it reflows; pages answering a POST stay as they are):
    no horizontal scroll."""
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-390.png", full_page=True)
        page.set_viewport_size({"width": 1366, "height": 768})
        page.screenshot(path=f"{SHOTS}/{name}-1366.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0, f"{name} scrolls sideways on a phone by {overflow}px"


def _login(browser, live_server, username, next_url):
    page = sign_in(browser, live_server, username, next_path=next_url, viewport={"width": 1280, "height": 900})
    assert page.url == f"{live_server.url}{next_url}"
    return page


def test_campaign_runs_end_to_end_for_all_five_roles(live_server, browser, site_pages):
    factories.campaign(open_now=True)
    factories.user(Role.TEACHER, username="teacher", region="遂平县", school="遂平县第一初级中学")
    factories.user(Role.COUNTY_REVIEWER, username="reviewer", region="遂平县")
    for name, school in (("expert1", "驻马店市第一高级中学"), ("expert2", "驻马店市实验小学")):
        factories.user(Role.CITY_EXPERT, username=name, region="市直", school=school)
    factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region=None)
    factories.user(Role.STUDENT, username="student", region="遂平县", school="遂平县第一初级中学")
    factories.user(Role.PARENT, username="parent", region="遂平县")

    # 1. The teacher fills the guided form and uploads with the progress bar.
    teacher = _login(browser, live_server, "teacher", "/submit/new/")
    fill_the_form(
        teacher, title=TITLE, resource_type="微课视频", description="用三分钟看懂嵖岈山花岗岩球状风化的过程。"
    )
    teacher.set_input_files("#id_main_file", {"name": "嵖岈山微课.mp4", "mimeType": "video/mp4", "buffer": media.mp4()})
    teacher.set_input_files("#id_cover", {"name": "封面.png", "mimeType": "image/png", "buffer": media.png()})
    teacher.get_by_role("button", name="保存并提交评审").click()
    teacher.wait_for_url(re.compile(r".*/submit/\d+/$"))
    assert teacher.locator("#submission-status").inner_text() == "县区初审中"
    assert "视频分辨率 1280×720" in teacher.content()
    submission = Submission.objects.get(page__title=TITLE)

    # 2. The county reviewer of 遂平县 approves from the queue, beside the preview and checks.
    reviewer = _login(browser, live_server, "reviewer", "/review/")
    reviewer.get_by_role("link", name=TITLE, exact=True).click()
    reviewer.locator("video").first.evaluate(
        "v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', () => r(true), {once: true}))"
    )
    reviewer.get_by_label("通过，进入市级评审").check()
    reviewer.fill("#id_reason", "内容准确，符合要求。")
    reviewer.get_by_role("button", name="提交初审意见").click()
    reviewer.wait_for_url("**/review/")
    submission.refresh_from_db()
    assert submission.status == Stage.EXPERT_REVIEW

    # 3. Both assigned experts score every criterion with the rubric beside the preview, blind to the author.
    standard = submission.campaign.review_settings.standard
    for review, base in zip(
        ExpertReview.objects.filter(submission=submission).select_related("expert"), (1, 2), strict=True
    ):
        expert = _login(browser, live_server, review.expert.username, "/review/")
        expert.get_by_role("link", name=TITLE, exact=True).click()
        body = expert.content()
        assert "嵖岈山微课.mp4" not in body and "遂平县" not in body and f"作品{submission.pk}-主文件.mp4" in body
        if base == 1:
            _fits_a_phone(expert, "desk-detail-expert")
        for criterion in standard.criteria.all():
            expert.fill(f"#id_score_{criterion.pk}", str(criterion.max_points - base))
        assert expert.locator("#score-total").inner_text() == str(100 - 5 * base)
        expert.fill("#id_comment", "选题有地方特色，讲解清楚。")
        expert.get_by_role("button", name="提交评分").click()
        expert.wait_for_url("**/review/")
    submission.refresh_from_db()
    assert submission.status == Stage.SELECTED and str(submission.final_score) == "92.50"

    # 4. The admin opens the public notice from the ranking, after a confirmation.
    admin = _login(browser, live_server, "ziyuan", "/review/selection/")
    _fits_a_phone(admin, "selection")
    admin.get_by_label(f"选择 {TITLE}").check()
    admin.fill("#id_days", "5")
    admin.get_by_role("button", name="对所选作品发起公示").click()
    assert admin.get_by_role("heading", level=1).inner_text() == "发起公示：请确认"
    _fits_a_phone(admin, "publicity-confirm")
    assert not Publicity.objects.exists()
    admin.get_by_role("button", name="确认发起公示").click()
    admin.wait_for_url("**/review/publicity/*/")
    publicity = Publicity.objects.get()
    assert publicity.days == 5

    # 5. A parent finds the notice from the campaign page and objects through the form.
    parent = _login(browser, live_server, "parent", "/")
    parent.goto(f"{live_server.url}{submission.campaign.url}")
    parent.get_by_role("link", name="拟获奖作品公示").click()
    parent.wait_for_url(f"**/publicity/{publicity.pk}/")
    body = parent.content()
    assert TITLE in body and "一等奖" in body and "遂平县第一初级中学" in body
    _fits_a_phone(parent, "publicity")
    parent.get_by_role("link", name="提出异议").first.click()
    parent.wait_for_url("**/objection/**")
    _fits_a_phone(parent, "objection-form")
    parent.fill("#id_reason", "短")
    parent.get_by_role("button", name="提交异议").click()
    assert "至少" in parent.content()
    parent.fill("#id_reason", "片中第二分钟的航拍画面与某网站视频相同，请核实是否原创。")
    parent.get_by_role("button", name="提交异议").click()
    parent.wait_for_url(f"**/publicity/{publicity.pk}/")
    assert "异议已提交" in parent.content() and "我提出的异议" in parent.content()
    objection = Objection.objects.get()

    # 6. The admin dismisses it with a reason; publishing waits for the end of the period.
    admin.reload()
    assert "航拍画面" in admin.content()
    admin.get_by_label("异议不成立").check()
    admin.fill(f"#id_o{objection.pk}-reason", "航拍画面为作者本人拍摄，已提供原始素材。")
    admin.get_by_role("button", name="提交处理结果").click()
    admin.wait_for_url(f"**/review/publicity/{publicity.pk}/")
    assert "公示期满后才能发布" in admin.content()
    _fits_a_phone(admin, "publicity-manage")
    Publicity.objects.filter(pk=publicity.pk).update(ends_at=timezone.now() - datetime.timedelta(minutes=1))
    admin.reload()
    admin.get_by_role("button", name=re.compile("发布本次公示的 1 件作品入库")).click()
    assert admin.get_by_role("heading", level=1).inner_text() == "发布入库：请确认"
    _fits_a_phone(admin, "publish-confirm")
    submission.refresh_from_db()
    assert submission.status == Stage.PUBLICITY
    admin.get_by_role("button", name="确认发布").click()
    admin.wait_for_url("**/review/selection/published/**")
    assert "已发布 1 件作品入库" in admin.content()
    _fits_a_phone(admin, "published")
    admin.get_by_role("link", name=TITLE).click()
    assert admin.get_by_role("heading", level=1).inner_text() == TITLE

    # The parent reads the outcome; the teacher sees the award, the comments, and no expert's name.
    parent.reload()
    assert "航拍画面为作者本人拍摄" in parent.content()
    teacher.goto(f"{live_server.url}/submit/{submission.pk}/")
    body = teacher.content()
    assert "已入库发布" in body and "一等奖" in body and "选题有地方特色" in body
    assert "expert1" not in body and "expert2" not in body and "parent" not in body

    # 7. A student finds it on the 嵖岈山 topic page.
    student = _login(browser, live_server, "student", "/")
    student.get_by_role("link", name="嵖岈山", exact=True).first.click()
    student.wait_for_url("**/natural-scenery/chayashan/")
    student.get_by_role("link", name=TITLE).first.click()
    assert student.get_by_role("heading", level=1).inner_text() == TITLE
    assert "一等奖" in student.content()
