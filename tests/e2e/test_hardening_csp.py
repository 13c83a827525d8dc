"""In a real browser, the Content-Security-Policy blocks nothing the site itself needs: the
public pages run under the strict policy, the admin under its own, with no violation reported."""

import pytest

from catalogue.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def watch_csp(page):
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    return violations


def test_public_pages_run_under_the_strict_policy(live_server, page, site_pages):
    from catalogue.demo.media import SAMPLE_VIDEO

    video = factories.document("嵖岈山微课", name="chayashan.mp4", data=SAMPLE_VIDEO.read_bytes())
    resource = factories.resource(title="嵖岈山｜CSP", files=[(video, "video")])
    violations = watch_csp(page)
    for url in ["/", resource.url, resource.topic.page.url, "/accounts/login/"]:
        response = page.goto(live_server.url + url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(live_server.url + resource.url)
    page.locator("video").first.evaluate(
        "v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', () => r(true), {once: true}))"
    )
    assert violations == []


def test_admin_works_under_its_policy(live_server, page, site_pages):
    factories.user(Role.RESOURCE_ADMIN, username="cspadmin", region="", is_superuser=True)
    resource = factories.resource(title="后台编辑测试")
    violations = watch_csp(page)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "cspadmin")
    page.fill("#id_password", "Pass#word123")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    for url in [f"/admin/pages/{resource.pk}/edit/", "/admin/images/add/", "/admin/documents/multiple/add/"]:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    # The page editor's rich-text field (Draftail, loaded by script) is live.
    page.goto(live_server.url + f"/admin/pages/{resource.pk}/edit/")
    page.wait_for_selector(".Draftail-Editor")
    assert violations == []
