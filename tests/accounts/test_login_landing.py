"""After signing in each role lands on its own page; a safe `next` wins, an outside one never does;
忘记密码 mails a Chinese reset link to local accounts and nothing to federated ones."""

import re
from urllib.parse import unquote

import pytest
from django.core import mail

from accounts.models import FederatedIdentity
from catalogue.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role, landing",
    [
        (Role.TEACHER, "/submit/"),
        (Role.COUNTY_REVIEWER, "/review/"),
        (Role.CITY_EXPERT, "/review/"),
        (Role.RESOURCE_ADMIN, "/admin/"),
        (Role.STUDENT, "/"),
        (Role.PARENT, "/"),
    ],
)
def test_each_role_lands_on_its_own_page(client, role, landing):
    account = factories.user(role, region="" if role == Role.RESOURCE_ADMIN else "遂平县")
    response = client.post("/accounts/login/", {"username": account.username, "password": "Pass#word123"})
    assert response.status_code == 302 and response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_safe_next_wins_and_an_outside_one_is_ignored(client):
    factories.user(Role.TEACHER, username="t1")
    response = client.post(
        "/accounts/login/", {"username": "t1", "password": "Pass#word123", "next": "/search/?q=嵖岈山"}
    )
    assert unquote(response["Location"]) == "/search/?q=嵖岈山"
    client.post("/accounts/logout/")
    for evil in ("https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"):
        response = client.post("/accounts/login/", {"username": "t1", "password": "Pass#word123", "next": evil})
        assert response["Location"] == "/submit/", evil
        client.post("/accounts/logout/")


def test_the_login_page_offers_password_reset(client):
    body = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in body and "忘记密码" in body


def test_password_reset_by_mail_in_chinese(client):
    teacher = factories.user(Role.TEACHER, username="t-mail", email="wang@example.cn")
    response = client.post("/accounts/password/reset/", {"email": "wang@example.cn"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "驻马店特色数字资源库：重设密码" and "您的用户名：t-mail" in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    short = client.post(form.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"})
    assert "密码太短" in short.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Neu#pass2026x", "new_password2": "Neu#pass2026x"})
    assert done["Location"] == "/accounts/password/reset/done/"
    teacher.refresh_from_db()
    assert teacher.check_password("Neu#pass2026x")
    # The link works once.
    assert "链接无效或已过期" in client.get(link, follow=True).content.decode()


def test_a_federated_account_gets_no_reset_mail_and_is_told_why(client):
    pupil = factories.user(Role.STUDENT, username="fed-pupil", email="pupil@example.cn")
    pupil.set_unusable_password()
    pupil.save()
    FederatedIdentity.objects.create(provider="zhjy", subject="S-1", user=pupil)
    page = client.get("/accounts/password/reset/").content.decode()
    assert "请到统一身份认证平台找回密码" in page
    response = client.post("/accounts/password/reset/", {"email": "pupil@example.cn"})
    assert response.status_code == 302 and mail.outbox == []
