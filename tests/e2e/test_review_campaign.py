"""The whole campaign in the browser: a teacher submits a real MP4 and cover (made with ffmpeg and
Pillow), the county reviewer approves, two experts score, the admin publishes, and a student finds
the work on its topic page."""

import re

import pytest

from catalogue.models import Role
from review.models import ExpertReview, Stage, Submission
from tests import factories
from tests.review import media

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Pass#word123"
TITLE = "嵖岈山｜花岗岩奇石是怎样形成的"


def _login(browser, live_server, username, next_url):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
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

    # 1. The teacher fills the guided form and uploads with the progress bar.
    teacher = _login(browser, live_server, "teacher", "/submit/new/")
    teacher.fill("#id_title", TITLE)
    teacher.select_option("#id_resource_type", label="微课视频")
    teacher.select_option("#id_theme", label="自然风貌")
    teacher.select_option("#id_topic", label="嵖岈山")
    teacher.select_option("#id_stage", label="初中")
    teacher.get_by_label("地理", exact=True).check()
    teacher.fill("#id_description", "用三分钟看懂嵖岈山花岗岩球状风化的过程。")
    teacher.set_input_files("#id_main_file", {"name": "嵖岈山微课.mp4", "mimeType": "video/mp4", "buffer": media.mp4()})
    teacher.set_input_files("#id_cover", {"name": "封面.png", "mimeType": "image/png", "buffer": media.png()})
    teacher.get_by_label(re.compile("本人承诺")).check()
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

    # 3. Both assigned experts score every criterion with the rubric beside the preview.
    standard = submission.campaign.review_settings.standard
    for review, base in zip(
        ExpertReview.objects.filter(submission=submission).select_related("expert"), (1, 2), strict=True
    ):
        expert = _login(browser, live_server, review.expert.username, "/review/")
        expert.get_by_role("link", name=TITLE, exact=True).click()
        for criterion in standard.criteria.all():
            expert.fill(f"#id_score_{criterion.pk}", str(criterion.max_points - base))
        assert expert.locator("#score-total").inner_text() == str(100 - 5 * base)
        expert.fill("#id_comment", "选题有地方特色，讲解清楚。")
        expert.get_by_role("button", name="提交评分").click()
        expert.wait_for_url("**/review/")
    submission.refresh_from_db()
    assert submission.status == Stage.SELECTED and str(submission.final_score) == "92.50"

    # 4. The admin publishes it from the ranking.
    admin = _login(browser, live_server, "ziyuan", "/review/selection/")
    admin.get_by_label(f"选择 {TITLE}").check()
    admin.get_by_role("button", name="发布所选作品入库").click()
    admin.wait_for_url("**/review/selection/?year=*")
    assert "已发布 1 件作品入库" in admin.content()

    # The teacher sees the outcome, the comments, and no expert's name.
    teacher.goto(f"{live_server.url}/submit/{submission.pk}/")
    body = teacher.content()
    assert "已入库发布" in body and "一等奖" in body and "选题有地方特色" in body
    assert "expert1" not in body and "expert2" not in body

    # 5. A student finds it on the 嵖岈山 topic page.
    student = _login(browser, live_server, "student", "/")
    student.get_by_role("link", name="嵖岈山", exact=True).first.click()
    student.wait_for_url("**/natural-scenery/chayashan/")
    student.get_by_role("link", name=TITLE).first.click()
    assert student.get_by_role("heading", level=1).inner_text() == TITLE
    assert "一等奖" in student.content()
