"""Signing in as a person does (the login form, in a browser context of its own), and the
teacher's submission form filled in as they fill it."""

import re

from catalogue.models import Role
from tests import factories

PASSWORD = "Pass#word123"  # tests.factories.user's default


def sign_in(browser, live_server, username, *, password=PASSWORD, next_path=None, timeout=20000, **context_options):
    """A new browser context (Chinese, 1366×768 unless `context_options` say otherwise), signed in
    through /accounts/login/ and landed on `next_path` (or wherever the site sends them). Returns
    the page; `page.context` is its context."""
    options = {"locale": "zh-CN", "viewport": {"width": 1366, "height": 768}, **context_options}
    page = browser.new_context(**options).new_page()
    page.set_default_timeout(timeout)
    page.goto(f"{live_server.url}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    if next_path:
        page.wait_for_url(f"{live_server.url}{next_path}")
    else:
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def teacher_at_the_form(browser, live_server, **context_options):
    """A confirmed 遂平县 teacher, signed in on the submission form of an open campaign."""
    factories.campaign(open_now=True)
    factories.user(Role.TEACHER, username="teacher", region="遂平县", school="遂平县第一初级中学")
    return sign_in(browser, live_server, "teacher", next_path="/submit/new/", timeout=30000, **context_options)


def fill_the_form(page, *, title, resource_type, description):
    """The submission form's fields, for a 嵖岈山 resource of `resource_type` (its label), promise
    ticked; the files are the test's own."""
    page.fill("#id_title", title)
    page.select_option("#id_resource_type", label=resource_type)
    page.select_option("#id_theme", label="自然风貌")
    page.select_option("#id_topic", label="嵖岈山")
    page.select_option("#id_stage", label="初中")
    page.get_by_label("地理", exact=True).check()
    page.fill("#id_description", description)
    page.get_by_label(re.compile("本人承诺")).check()
