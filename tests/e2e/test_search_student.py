"""A student types 嫘祖 into the search box, sees the 嫘祖 resources, and narrows by subject."""

import pytest

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_student_searches_leizu_and_narrows_by_subject(live_server, page, site_pages):
    factories.resource(
        title="嫘祖文化｜嫘祖养蚕缫丝的传说",
        topic="嫘祖文化",
        region="西平县",
        subjects=("语文",),
        stage="小学",
        description="<p>西平县被认定为嫘祖故里，本课讲述嫘祖教民养蚕缫丝的传说。</p>",
        with_cover=False,
    )
    factories.resource(
        title="从蚕茧到丝绸的科学探究",
        topic="嫘祖文化",
        region="西平县",
        subjects=("科学",),
        stage="初中",
        description="<p>观察蚕的一生。西平县被认定为嫘祖故里。</p>",
        with_cover=False,
    )
    factories.resource(title="嵖岈山｜花岗岩地貌的形成", with_cover=False)

    page.goto(live_server.url + "/")
    box = page.locator("#site-q")
    box.click()
    box.press_sequentially("嫘祖", delay=50)
    # Suggestions appear under the box as the student types.
    suggestion = page.get_by_role("option", name="嫘祖文化", exact=True)
    suggestion.wait_for()
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")

    hits = page.locator(".hit-title")
    assert hits.count() == 2
    assert "嫘祖养蚕缫丝的传说" in hits.first.inner_text()
    assert page.locator(".hit-title mark").first.inner_text() in ("嫘祖", "嫘祖文化")
    assert "嵖岈山" not in page.locator(".hits").inner_text()

    page.locator('[data-facet="subject"]').get_by_role("link", name="科学").click()
    page.wait_for_url("**subject=*")
    assert page.locator(".hit-title").count() == 1
    assert page.locator(".hit-title").inner_text() == "从蚕茧到丝绸的科学探究"
    assert "学科：科学" in page.locator(".chosen").inner_text()

    # Pinyin initials work from the page's own box too.
    page.locator("#search-q").fill("lz")
    page.locator("#search-q").press("Enter")
    page.wait_for_url("**/search/?q=lz")
    assert "嫘祖养蚕缫丝的传说" in page.locator(".hit-title").first.inner_text()
