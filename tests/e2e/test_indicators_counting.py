"""A visitor refreshes a resource page and plays its video; the numbers move exactly once. A
resource admin then opens the indicators dashboard and downloads the quarterly bulletin."""

import pytest

from catalogue.models import ResourcePage, Role
from indicators.models import AccessEvent
from indicators.periods import current_month
from tests import factories

# tests/conftest.py gives every transactional test a serialized rollback of the migrated data.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    """A browser that says what it is to the site: headless Chromium announces "HeadlessChrome",
    which the COUNTER robot list (rightly) excludes, so this one presents a desktop Chrome's user
    agent as a person's browser would."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        user_agent=(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36"
        ),
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_refreshing_moves_the_count_by_one_a_play_counts_once_and_the_admin_sees_the_dashboard(
    live_server, page, site_pages
):
    from catalogue.demo.media import SAMPLE_VIDEO

    video = factories.document("嵖岈山微课", name="chayashan.mp4", data=SAMPLE_VIDEO.read_bytes())
    resource = factories.resource(title="嵖岈山｜花岗岩地貌的形成", files=[(video, "video")])
    url = live_server.url + resource.url

    page.goto(url)
    assert page.locator(".count-views").inner_text() == "0"  # the count shown is the one before this view
    for _ in range(5):
        page.reload()
    assert page.locator(".count-views").inner_text() == "1"
    assert ResourcePage.objects.get(pk=resource.pk).view_count == 1
    assert AccessEvent.objects.filter(action="view").count() == 6

    page.wait_for_function("document.querySelector('video').readyState >= 1")
    with page.expect_response(lambda r: r.url.endswith("/indicators/play/") and r.status == 204):
        page.evaluate("document.querySelector('video').muted = true; document.querySelector('video').play()")
    page.evaluate("document.querySelector('video').pause(); document.querySelector('video').play()")  # same play
    page.wait_for_timeout(300)
    assert AccessEvent.objects.filter(action="play").count() == 1
    assert ResourcePage.objects.get(pk=resource.pk).play_count == 1

    # One transactional test for both halves: the migrated data is restored once per test, which
    # has proved unreliable on PostgreSQL after a flush.
    page.context.clear_cookies()
    factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region="", password="Pass#word123")
    factories.denominator(teachers=10, students=10)
    page.goto(live_server.url + "/accounts/login/?next=/admin/indicators/")
    page.fill("#id_username", "ziyuan")
    page.fill("#id_password", "Pass#word123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/indicators/")
    assert page.get_by_role("heading", name="县（区）排名").is_visible()
    assert page.locator("tr[data-name='遂平县']").is_visible()
    assert page.locator("svg.ind-chart").is_visible()
    assert page.locator(".ind-updated").inner_text().startswith("数据更新于")
    month = current_month()
    page.fill("#ind-period", f"{month.year}-Q{(month.month - 1) // 3 + 1}")
    page.get_by_role("button", name="查看").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载季度通报（Excel）").click()
    assert download_info.value.suggested_filename.startswith("季度通报-")
