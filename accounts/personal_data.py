"""What the accounts app stores about a person: platform identities (统一身份认证), second-factor
devices, and the teachers a county reviewer confirmed. Registered in wagtail_hooks.py (see
ops.personal_data)."""

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalogue.models import UserProfile
from ops.personal_data import PersonalDataHandler

from .models import FederatedIdentity


def _iso(moment):
    return moment.isoformat() if moment else None


def _export_identities(user) -> list[dict]:
    return [
        {
            "provider": identity.provider,
            "subject": identity.subject,
            "claims": identity.claims,
            "created_at": _iso(identity.created_at),
            "last_login_at": _iso(identity.last_login_at),
        }
        for identity in FederatedIdentity.objects.filter(user=user).order_by("created_at", "pk")
    ]


def _export_devices(user) -> list[str]:
    return [d.name for model in (TOTPDevice, StaticDevice) for d in model.objects.filter(user=user).order_by("pk")]


def _erase_devices(user) -> int:
    return sum(model.objects.filter(user=user).delete()[0] for model in (TOTPDevice, StaticDevice))


def _export_confirmations(user) -> list[dict]:
    return [
        {"teacher_profile": profile.pk, "confirmed_at": _iso(profile.confirmed_at)}
        for profile in UserProfile.objects.filter(confirmed_by=user).order_by("confirmed_at", "pk")
    ]


HANDLERS = [
    PersonalDataHandler(
        section="federated_identities",
        covers=("accounts.FederatedIdentity.user",),
        export=_export_identities,
        erase=lambda user: FederatedIdentity.objects.filter(user=user).delete()[0],
        erasure="与统一身份认证平台账号的关联删除（再次用平台账号登录会成为新用户）。",
    ),
    PersonalDataHandler(
        section="two_factor_devices",
        covers=("otp_totp.TOTPDevice.user", "otp_static.StaticDevice.user"),
        export=_export_devices,
        erase=_erase_devices,
        erasure="动态口令设备和备用恢复码删除。",
    ),
    PersonalDataHandler(
        section="teacher_confirmations",
        covers=("catalogue.UserProfile.confirmed_by",),
        export=_export_confirmations,
        erase=lambda user: UserProfile.objects.filter(confirmed_by=user).update(confirmed_by=None),
        erasure="您确认过的教师仍是已确认状态（确认时间保留），不再记录是谁确认的。",
    ),
]
