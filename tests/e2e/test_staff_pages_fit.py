"""Every page a teacher, a county reviewer or a city expert uses, and the account pages, at 390×844
(a phone) and 1366×768 (a laptop), each as the role that uses it: no sideways scrolling, no English a
user can read (beyond formats, proper nouns and user names), the site's layout (or, under /admin/,
Wagtail's) around it, and its primary action on the page. The checks and the shared data set are in
staff_pages.py; the resource admin's and the superuser's pages are in test_staff_pages_admin.py.
Screenshots go to $E2E_SHOTS (default /tmp/shots/e2e-staff)."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.e2e.staff_pages import check, login, visit, world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_every_teacher_page_fits_both_screens(live_server, browser, site_pages):
    people = world()
    page = login(browser, live_server, "teacher")
    problems = visit(
        page,
        live_server,
        [
            ("/submit/", "teacher-index", "text=新建申报"),
            ("/submit/new/", "teacher-form", "button[value=submit]"),
            (f"/submit/{people.draft.pk}/edit/", "teacher-form-edit", "button[value=submit]"),
            (f"/submit/{people.in_review.pk}/", "teacher-detail", None),
            (f"/submit/{people.draft.pk}/", "teacher-detail-draft", "a.button:has-text('修改')"),
            (f"/submit/{people.noticed.pk}/", "teacher-detail-publicity", None),
            ("/notifications/", "teacher-notifications", None),
            ("/accounts/security/", "teacher-security", "text=修改密码"),
            ("/accounts/password/change/", "teacher-password-change", "button[type=submit]"),
            (f"/publicity/{people.publicity.pk}/", "teacher-publicity", "text=提出异议"),
            (f"/publicity/{people.publicity.pk}/objection/", "teacher-objection", "button[type=submit]"),
        ],
    )
    page.context.close()
    # A teacher whose school the county has not confirmed yet lands on the pending page.
    page = login(browser, live_server, "newteacher")
    problems += visit(page, live_server, [("/accounts/pending/", "teacher-pending", None)])
    assert problems == [], "\n".join(problems)


def test_every_county_reviewer_and_expert_page_fits_both_screens(live_server, browser, site_pages):
    from django_otp.oath import TOTP

    people = world()
    page = login(browser, live_server, "reviewer")
    problems = visit(
        page,
        live_server,
        [
            ("/review/", "county-desk", None),
            (f"/review/{people.in_review.pk}/", "county-detail", "text=提交初审意见"),
            ("/accounts/confirmations/", "county-confirmations", "button[value=confirm]"),
            ("/notifications/", "county-notifications", None),
            ("/admin/", "county-admin-dashboard", None),
            ("/admin/indicators/", "county-indicators", "#main a:has-text('下载月度监测')"),
            ("/admin/account/", "county-admin-account", None),
            ("/accounts/security/", "county-security", "text=绑定"),
            ("/accounts/2fa/setup/", "county-2fa-setup", "button[type=submit]"),
        ],
    )
    # Enrol for real: the code from the secret on the page, then the recovery codes shown once.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=people.reviewer, confirmed=False)
    page.fill("input[name=token]", f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}")
    page.locator("button[type=submit]").last.click()
    page.get_by_text("恢复码").first.wait_for()
    problems += check(page, "county-2fa-recovery-codes", action="text=我已保存")
    page.context.close()

    expert = people.scoring_expert
    page = login(browser, live_server, expert.username)
    problems += visit(
        page,
        live_server,
        [
            ("/review/", "expert-desk", None),
            (f"/review/{people.scoring.pk}/", "expert-detail", "text=提交评分"),
            ("/notifications/", "expert-notifications", None),
            ("/admin/", "expert-admin-dashboard", None),
            ("/admin/account/", "expert-admin-account", None),
            ("/accounts/security/", "expert-security", None),
        ],
    )
    # An expert who has an authenticator but has not typed a code in this session yet.
    TOTPDevice.objects.create(user=expert, name="手机动态口令", confirmed=True)
    problems += visit(page, live_server, [("/accounts/2fa/verify/", "expert-2fa-verify", "button[type=submit]")])
    assert problems == [], "\n".join(problems)


def test_every_sign_in_page_fits_both_screens(live_server, browser, site_pages):
    people = world()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(20000)
    token = default_token_generator.make_token(people.teacher)
    uid = urlsafe_base64_encode(force_bytes(people.teacher.pk))
    problems = visit(
        page,
        live_server,
        [
            ("/accounts/login/", "account-login", "button:has-text('登录')"),
            ("/accounts/password/reset/", "account-password-reset", "button[type=submit]"),
            ("/accounts/password/reset/sent/", "account-password-reset-sent", None),
        ],
    )
    # The link of the reset e-mail: Django redirects it to a token-less address, then asks for the password.
    page.goto(f"{live_server.url}/accounts/password/reset/{uid}/{token}/")
    problems += check(
        page, "account-password-reset-confirm", action="#main button[type=submit], main button[type=submit]"
    )
    problems += visit(page, live_server, [("/accounts/password/reset/done/", "account-password-reset-complete", None)])
    context.close()
    assert problems == [], "\n".join(problems)
