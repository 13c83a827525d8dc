"""Writes of the accounts app: federated accounts, teacher confirmation, two-factor devices."""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Confirmation, Role
from catalogue.services import profile_confirm, profile_set
from ops.audit import TEACHER_CONFIRMATION, TWO_FACTOR_ENROLLED, TWO_FACTOR_RESET
from ops.audit import audit as log

from .federation import FEDERATED_ROLES, Resolution, config
from .models import FederatedIdentity

RECOVERY_CODE_COUNT = 10


class FederationRefused(Exception):
    """The provider's account may not sign in here (e.g. its user type maps to no role)."""


def _username(provider: str, subject: str) -> str:
    digest = hashlib.sha256(f"{provider}:{subject}".encode()).hexdigest()[:16]
    return f"{provider}-{digest}"[:150]


def _teacher_confirmation(*, via_form: bool) -> str:
    if config().get("confirm_teachers", "all") == "unmapped" and not via_form:
        return Confirmation.CONFIRMED
    return Confirmation.PENDING


@transaction.atomic
def federated_user_sign_in(*, resolution: Resolution):
    """The local account of a provider identity, created when the claims map completely.

    Returns the user, or None when this is a first sign-in the claims cannot fully map (the caller
    shows the completion form). An identity's role, region and school follow the provider's claims
    at every sign-in where they map (a staff role given by a person is never overwritten)."""
    provider = config()["provider"]
    if not resolution.subject:
        raise FederationRefused(_("统一身份认证平台没有返回用户标识，无法登录。"))
    identity = (
        FederatedIdentity.objects.select_related("user", "user__profile")
        .filter(provider=provider, subject=resolution.subject)
        .first()
    )
    if identity is not None:
        identity.claims = resolution.stored_claims()
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["claims", "last_login_at"])
        _follow_claims(identity.user, resolution)
        return identity.user
    if resolution.role is None:
        raise FederationRefused(
            _("您在统一身份认证平台的身份（%(type)s）不能登录本平台，请与学校或市教育资源保障中心联系。")
            % {"type": resolution.raw_role or _("未知")}
        )
    if not resolution.complete:
        return None
    return federated_user_create(
        resolution=resolution, region=resolution.region, school=resolution.school, via_form=False
    )


def _follow_claims(user, resolution: Resolution):
    profile = getattr(user, "profile", None)
    if profile is None or profile.role not in FEDERATED_ROLES or not resolution.complete:
        return
    if resolution.role not in FEDERATED_ROLES:
        return
    if (profile.role, profile.region_id, profile.school_id) == (
        resolution.role,
        resolution.region.pk,
        resolution.school.pk,
    ):
        return
    confirmation = None
    if resolution.role == Role.TEACHER and (profile.role != Role.TEACHER or profile.school_id != resolution.school.pk):
        confirmation = _teacher_confirmation(via_form=False)  # a teacher at a new school is confirmed again
    profile_set(
        user=user, role=resolution.role, region=resolution.region, school=resolution.school, confirmation=confirmation
    )


@transaction.atomic
def federated_user_create(*, resolution: Resolution, region, school, via_form: bool):
    """A new local account for a provider identity: no usable password (it signs in only through
    the provider), role from the claims, region and school from the claims or the completion form."""
    provider = config()["provider"]
    if resolution.role not in FEDERATED_ROLES:
        raise FederationRefused(_("该身份不能登录本平台。"))
    User = get_user_model()
    user = User(username=_username(provider, resolution.subject), first_name=resolution.name[:150])
    user.set_unusable_password()
    user.save()
    confirmation = (
        _teacher_confirmation(via_form=via_form) if resolution.role == Role.TEACHER else Confirmation.CONFIRMED
    )
    profile_set(
        user=user,
        role=resolution.role,
        region=region,
        school=school,
        display_name=resolution.name or "",
        confirmation=confirmation,
    )
    FederatedIdentity.objects.create(
        provider=provider,
        subject=resolution.subject,
        user=user,
        claims=resolution.stored_claims() | {"completed_by_form": via_form},
        last_login_at=timezone.now(),
    )
    return user


@transaction.atomic
def teacher_confirm(*, profile, by, confirmed: bool):
    """The county (own region) or a resource admin confirms or rejects a teacher's school."""
    before = profile.confirmation
    profile_confirm(profile=profile, by=by, confirmed=confirmed)
    log(
        profile.user,
        TEACHER_CONFIRMATION,
        user=by,
        data={"before": before, "after": profile.confirmation, "school": str(profile.school or "")},
    )
    return profile


# --- two-factor devices ----------------------------------------------------------------------------


def totp_device_pending(*, user):
    """The unconfirmed authenticator being enrolled (made once, kept until confirmed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("手机动态口令"), confirmed=False)
    return device


@transaction.atomic
def two_factor_enrol(*, user, device) -> list[str]:
    """Confirm the authenticator and issue fresh recovery codes (returned once, to show)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_reset(user=user)
    log(user, TWO_FACTOR_ENROLLED, user=user, data={"device": device.name})
    return codes


@transaction.atomic
def recovery_codes_reset(*, user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_reset(*, user, by):
    """A superuser clears an account's devices (a lost phone); the account enrols again."""
    from django_otp import devices_for_user

    removed = [device.name for device in devices_for_user(user, confirmed=None)]
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
    log(user, TWO_FACTOR_RESET, user=by, data={"removed": removed, "by": by.get_username()})
