"""Lockout after repeated failures, password rules, idle session timeout — all configurable."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from catalogue.models import Role
from ops import audit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lockout_after_three(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.5  # hours


def test_account_is_locked_after_repeated_failures_even_with_the_right_password(client, lockout_after_three):
    user = factories.user(Role.TEACHER, username="target")
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "target", "password": "guess"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode() and "30 分钟" in response.content.decode()

    response = client.post(
        "/accounts/login/", {"username": "target", "password": "Pass#word123"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert ModelLogEntry.objects.filter(action=audit.LOCKED_OUT, object_id=str(user.pk)).exists()


def test_lockout_covers_the_admin_login_as_well(client, lockout_after_three):
    factories.user(Role.RESOURCE_ADMIN, username="boss", region="")
    for _ in range(3):
        client.post("/admin/login/", {"username": "boss", "password": "guess"}, REMOTE_ADDR="10.0.0.7")
    response = client.post("/admin/login/", {"username": "boss", "password": "Pass#word123"}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429


def test_pupils_behind_the_same_school_address_are_not_locked_out_by_one_account(client, lockout_after_three):
    factories.user(Role.STUDENT, username="pupil-a")
    factories.user(Role.STUDENT, username="pupil-b")
    for _ in range(3):
        client.post("/accounts/login/", {"username": "pupil-a", "password": "guess"}, REMOTE_ADDR="10.20.0.1")
    response = client.post(
        "/accounts/login/", {"username": "pupil-b", "password": "Pass#word123"}, REMOTE_ADDR="10.20.0.1"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_successful_login_resets_the_failure_count(client, lockout_after_three):
    factories.user(username="forgetful")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "forgetful", "password": "guess"})
    assert client.post("/accounts/login/", {"username": "forgetful", "password": "Pass#word123"}).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "forgetful", "password": "guess"})
    assert client.post("/accounts/login/", {"username": "forgetful", "password": "Pass#word123"}).status_code == 302


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Pass#word123", True),
        ("Zmd#demo2026", True),
        ("Short#1a", False),  # too short (< 10)
        ("alllowercaseletters", False),  # one character class
        ("lowercase2026x", False),  # two classes
        ("Lowercase2026x", True),  # three classes
    ],
)
def test_password_rules(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_password_rules_follow_settings(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 14}},
        {"NAME": "ops.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 4}},
    ]
    with pytest.raises(ValidationError) as exc:
        validate_password("Lowercase2026x")
    assert any("4 类" in m for m in exc.value.messages)
    validate_password("Lowercase#2026x")


def test_the_chinese_help_text_names_the_rule():
    with pytest.raises(ValidationError) as exc:
        validate_password("abcdefghijk")
    assert any("密码须至少包含" in m for m in exc.value.messages)


def test_idle_session_expires_and_activity_extends_it(client, settings):
    factories.user(Role.RESOURCE_ADMIN, username="idle", region="")
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60  # default idle timeout: 2 hours
    client.post("/accounts/login/", {"username": "idle", "password": "Pass#word123"})
    session = Session.objects.get(session_key=client.session.session_key)

    # Activity after the refresh interval pushes the expiry forward.
    s = client.session
    s["_ops_last_refresh"] = 0
    s.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    assert client.get("/admin/").status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + datetime.timedelta(minutes=110)

    # Two idle hours later the session has expired: back to the login page.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_session_cookie_ends_with_the_browser(client):
    factories.user(username="cookie")
    response = client.post("/accounts/login/", {"username": "cookie", "password": "Pass#word123"})
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert cookie["httponly"]
