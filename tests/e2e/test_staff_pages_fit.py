"""Every teacher and staff page, as each role uses it, at 390×844 (a phone) and 1366×768 (a laptop):
no sideways scrolling, no English a user can read (beyond proper nouns and format names), the site's
layout around it (a page without the header is an error page or a bare template), and its primary
action on the page. Screenshots go to $E2E_SHOTS (default: the test's temporary directory)."""

import os
import re
from pathlib import Path

import pytest

from catalogue.models import Role
from review import services, transitions
from review.models import ExpertReview, Stage
from tests import factories
from tests.review import media

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Pass#word123"
SIZES = ((390, 844), (1366, 768))
# Words a Chinese user meets as they are: formats, codecs, units, brand and product names.
ALLOWED = {
    "MP4", "MP3", "AAC", "M4A", "PDF", "PPTX", "DOCX", "XLSX", "DOC", "PPT", "XLS", "JPG", "JPEG", "PNG", "WebP",
    "GIF", "H.264", "H.265", "HEVC", "CSV", "JSON", "Excel", "Word", "PowerPoint", "WeChat", "kbps", "fps",
    "MB", "GB", "KB", "https", "http", "www", "example", "com", "zhanguan", "Zmd", "ZIP", "URL", "OK",
    "bytes", "Part", "MPEG", "SHA", "px", "COUNTER", "R5.1", "COUNTER-Robots", "Wagtail",
    # the accounts' user names, shown in the header (the user's own data, not the site's words)
    "teacher", "reviewer", "expert1", "expert2", "ziyuan",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z0-9.\-]{2,}")


def _shots() -> Path:
    path = Path(os.environ.get("E2E_SHOTS") or "/tmp/shots/e2e-staff")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _login(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _english(page) -> list[str]:
    # Visible text only (innerText skips hidden elements), minus file names.
    text = page.evaluate("() => document.body.innerText")
    text = re.sub(r"《[^》]*》|[\w\-]+\.(mp4|png|pdf|jpg|docx)", "", text)
    return sorted({w for w in WORD.findall(text) if w.strip(".-") not in ALLOWED})


def _check(page, name, *, action=None):
    """The page at both sizes: fits, reads Chinese, has the layout and its primary action."""
    problems = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        page.screenshot(path=str(_shots() / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{name} at {width}px scrolls sideways by {overflow}px")
        if width == 1366:
            inner = page.evaluate(
                "Math.max(0, ...[...document.querySelectorAll('.ind-table-wrap')].map(e => e.scrollWidth - e.clientWidth))"
            )
            if inner > 0:
                problems.append(f"{name} at {width}px: a table is wider than the screen by {inner}px")
        if action is not None and not page.locator(action).first.is_visible():
            problems.append(f"{name} at {width}px: the primary action {action} is not visible")
    if (
        page.locator("header").count() == 0
        and page.locator(".w-sidebar, #wagtail-sidebar, [data-side-panel]").count() == 0
    ):
        problems.append(f"{name}: no site layout (header) around the page")
    english = _english(page)
    if english:
        problems.append(f"{name}: English a user can see: {english}")
    return problems


def test_every_teacher_and_staff_page_fits_both_screens(live_server, browser, site_pages):
    factories.campaign(open_now=True)
    teacher = factories.user(Role.TEACHER, username="teacher", region="遂平县", school="遂平县第一初级中学")
    reviewer = factories.user(Role.COUNTY_REVIEWER, username="reviewer", region="遂平县")
    for name, school in (("expert1", "驻马店市第一高级中学"), ("expert2", "驻马店市实验小学")):
        factories.user(Role.CITY_EXPERT, username=name, region="市直", school=school)
    factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region=None)

    files = {
        "main_file": factories.upload("嵖岈山微课.mp4", media.mp4(), "video/mp4"),
        "cover": factories.upload("封面.png", media.png(), "image/png"),
    }
    in_review = factories.submission(teacher=teacher, files=files, title="嵖岈山｜花岗岩地貌的形成")
    services.submission_submit(submission=in_review, user=teacher)
    draft = factories.submission(teacher=teacher, title="梁祝故事｜课本剧（草稿）", topic="梁祝文化")
    in_review.refresh_from_db()
    assert in_review.status == Stage.COUNTY_REVIEW

    problems = []
    page = _login(browser, live_server, "teacher")
    for url, name, action in (
        ("/submit/", "teacher-index", "text=新建申报"),
        ("/submit/new/", "teacher-form", "button[value=submit]"),
        (f"/submit/{draft.pk}/edit/", "teacher-form-edit", "button[value=submit]"),
        (f"/submit/{in_review.pk}/", "teacher-detail", None),
        (f"/submit/{draft.pk}/", "teacher-detail-draft", None),
        ("/notifications/", "teacher-notifications", None),
    ):
        page.goto(f"{live_server.url}{url}")
        problems += _check(page, name, action=action)

    page = _login(browser, live_server, "reviewer")
    for url, name, action in (
        ("/review/", "county-desk", None),
        (f"/review/{in_review.pk}/", "county-detail", "text=提交初审意见"),
        ("/notifications/", "county-notifications", None),
    ):
        page.goto(f"{live_server.url}{url}")
        problems += _check(page, name, action=action)

    transitions.apply(in_review.pk, "county_approve", actor=reviewer, reason="内容准确。")
    expert = ExpertReview.objects.filter(submission=in_review).select_related("expert").first().expert
    page = _login(browser, live_server, expert.username)
    for url, name, action in (
        ("/review/", "expert-desk", None),
        (f"/review/{in_review.pk}/", "expert-detail", "text=提交评分"),
    ):
        page.goto(f"{live_server.url}{url}")
        problems += _check(page, name, action=action)

    page = _login(browser, live_server, "ziyuan")
    for url, name, action in (
        ("/review/", "admin-desk", None),
        (f"/review/{in_review.pk}/", "admin-detail", None),
        ("/review/selection/", "admin-selection", None),
        ("/admin/indicators/", "admin-indicators", None),
        ("/admin/", "admin-dashboard", None),
    ):
        page.goto(f"{live_server.url}{url}")
        problems += _check(page, name, action=action)

    assert problems == [], "\n".join(problems)
