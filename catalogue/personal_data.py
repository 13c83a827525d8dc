"""What the catalogue stores about a person: the profile (role, region, school, display name).
Pages the person owns are covered with Wagtail's own models (ops.personal_data)."""

from ops.personal_data import ANONYMOUS_NAME, PersonalDataHandler

from .models import UserProfile


def _export_profile(user) -> dict | None:
    profile = UserProfile.objects.filter(user=user).select_related("region", "school").first()
    if profile is None:
        return None
    return {
        "display_name": profile.display_name,
        "role": profile.role,
        "role_label": str(profile.get_role_display()),
        "region": profile.region.name if profile.region else None,
        "school": profile.school.name if profile.school else None,
    }


def _erase_profile(user) -> int:
    """The name goes; role, region and school stay, since counted access events are reported by
    them (never by person) and a figure must not change when a pupil leaves."""
    return UserProfile.objects.filter(user=user).update(display_name=ANONYMOUS_NAME)


HANDLERS = [
    PersonalDataHandler(
        section="profile",
        covers=("catalogue.UserProfile.user",),
        export=_export_profile,
        erase=_erase_profile,
        erasure="显示名改为“已注销用户”；角色、县区、学校保留（统计数字按它们汇总，不对应到人）。",
    ),
]
