"""A student opens the home page, goes to 嵖岈山's topic page, opens a resource and sees it play."""

import pytest

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_student_browses_to_a_chayashan_video(live_server, page, site_pages):
    from catalogue.demo.media import SAMPLE_VIDEO

    video = factories.document("嵖岈山微课", name="chayashan.mp4", data=SAMPLE_VIDEO.read_bytes())
    factories.resource(title="嵖岈山｜花岗岩地貌的形成", files=[(video, "video")])

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="嵖岈山", exact=True).first.click()
    page.wait_for_url("**/natural-scenery/chayashan/")
    assert page.get_by_role("heading", level=1).inner_text() == "嵖岈山"

    page.get_by_role("link", name="嵖岈山｜花岗岩地貌的形成").click()
    assert page.get_by_role("heading", level=1).inner_text() == "嵖岈山｜花岗岩地貌的形成"

    poster = page.locator("video").get_attribute("poster")
    assert poster and poster.startswith("/media/images/")
    assert page.request.get(live_server.url + poster).status == 200  # the cover rendition is served

    # The player loads real media metadata over HTTP range requests.
    # Wait with a function, not a string: Playwright polls string predicates through eval, which our
    # strict CSP (no unsafe-eval) rightly blocks.
    page.locator("video").first.evaluate(
        "v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', () => r(true), {once: true}))"
    )
    duration = page.evaluate("document.querySelector('video').duration")
    assert 5 < duration < 7
