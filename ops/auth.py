"""Login abuse controls for every login form (the public one and Wagtail's admin login).

- A picture captcha (图形验证码, django-simple-captcha, drawn on our server) is asked for after
  LOGIN_CAPTCHA_AFTER failures for one user name, or LOGIN_CAPTCHA_ADDRESS_AFTER failures from one
  client address, within LOGIN_FAILURE_WINDOW seconds. The captcha is checked before the password,
  so guessing needs a solved captcha per try. A school's pupils behind one NAT address at worst all
  see a captcha for a while; nobody is locked out.
- Lockout (django-axes) applies to staff accounts only (accounts that enter the admin and the
  review desk): after LOGIN_FAILURE_LIMIT failures the account is locked for LOGIN_LOCKOUT_MINUTES,
  by user name (a stolen staff password is the costly case). Teachers, pupils and parents are
  exempt from lockout (`lockout_exempt`), so one pupil can never lock a whole school out.
"""

import hashlib

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

from .net import client_ip


class LockoutBackend(AxesStandaloneBackend):
    """Refuses locked-out clients before any password is checked.

    `authenticate()` without a request (management commands, the test client's `login()`)
    comes from code on the server, not from a form a stranger can hammer: it is let through to
    the next backend instead of raising, as plain AxesStandaloneBackend would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, *args, **kwargs):
    """The page a locked-out client sees (HTTP 429), in Chinese, on both login forms."""
    from django.shortcuts import render

    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME or 0) * 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": minutes}
    return render(request, "ops/lockout.html", context, status=429)


def _account(username: str):
    User = get_user_model()
    if not username:
        return None
    return User.objects.filter(**{User.USERNAME_FIELD: username}).select_related("profile").first()


def lockout_exempt(request, credentials=None) -> bool:
    """AXES_WHITELIST_CALLABLE: only staff accounts are counted and locked by axes."""
    from catalogue.permissions import Ability, can

    username = str((credentials or {}).get("username") or "")
    account = _account(username)
    return account is None or not can(account, Ability.ACCESS_ADMIN)


# --- failure counters and the captcha ----------------------------------------------------------


def _key(kind: str, value: str) -> str:
    return f"ops:login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _bump(key: str):
    window = settings.LOGIN_FAILURE_WINDOW
    try:
        if cache.add(key, 1, window):
            return
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)


def _count(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def captcha_required(request, username: str | None = None) -> bool:
    """Must this login attempt solve a captcha first?"""
    if settings.LOGIN_CAPTCHA_AFTER <= 0:
        return False
    if request is not None and request.session.get("ops_captcha_required"):
        return True
    if username and _count(_key("user", username.strip().lower())) >= settings.LOGIN_CAPTCHA_AFTER:
        return True
    ip = client_ip(request) if request is not None else ""
    return bool(ip) and _count(_key("ip", ip)) >= settings.LOGIN_CAPTCHA_ADDRESS_AFTER


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "").strip().lower()
    if username:
        _bump(_key("user", username))
    if request is not None:
        ip = client_ip(request)
        if ip:
            _bump(_key("ip", ip))
        if username and _count(_key("user", username)) >= settings.LOGIN_CAPTCHA_AFTER:
            request.session["ops_captcha_required"] = True


@receiver(user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    cache.delete(_key("user", user.get_username().strip().lower()))
    if request is not None and hasattr(request, "session"):
        request.session.pop("ops_captcha_required", None)


class CaptchaLoginMixin:
    """For AuthenticationForm subclasses: adds the captcha field when `captcha_required` says so,
    checks it before any password is tried, and shows it at once after the failure that makes it
    necessary."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.data.get("username") if self.is_bound else None
        self.captcha_needed = captcha_required(request, username)
        if self.captcha_needed:
            self._add_captcha()

    def _add_captcha(self):
        from captcha.fields import CaptchaField
        from django.utils.translation import gettext_lazy as _

        self.fields["captcha"] = CaptchaField(
            label=_("图形验证码"),
            help_text=_("请输入图中算式的结果"),
            error_messages={"invalid": _("图形验证码不正确，请重新输入。"), "required": _("请输入图形验证码。")},
        )

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.captcha_needed and ("captcha" in self.errors or "captcha" not in self.cleaned_data):
            # No password is checked without a solved captcha.
            if self.request is not None:
                self.request.session["ops_captcha_required"] = True
            return self.cleaned_data
        try:
            return super().clean()
        except ValidationError:
            if not self.captcha_needed and captcha_required(self.request, self.cleaned_data.get("username")):
                self._add_captcha()  # the re-shown form asks for it right away
            raise
