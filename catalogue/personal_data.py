"""What the catalogue stores about a person: the profile (role, region, school, display name), and
the reader's 收藏 and 学习记录. Pages the person owns are covered with Wagtail's own models
(ops.personal_data)."""

from ops.personal_data import ANONYMOUS_NAME, PersonalDataHandler

from .models import Favourite, LearningRecord, UserProfile


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


def _export_favourites(user) -> list[dict]:
    return [
        {"resource": f.resource.title, "url": f.resource.url, "added_at": f.created_at.isoformat()}
        for f in Favourite.objects.filter(user=user).select_related("resource")
    ]


def _erase_favourites(user) -> int:
    return Favourite.objects.filter(user=user).delete()[0]


def _export_learning_history(user) -> list[dict]:
    return [
        {
            "resource": r.resource.title,
            "url": r.resource.url,
            "visits": r.visits,
            "first_visited_at": r.first_visited_at.isoformat(),
            "last_visited_at": r.last_visited_at.isoformat(),
            "position_seconds": r.position,
            "duration_seconds": r.duration,
        }
        for r in LearningRecord.objects.filter(user=user).select_related("resource")
    ]


def _erase_learning_history(user) -> int:
    return LearningRecord.objects.filter(user=user).delete()[0]


HANDLERS = [
    PersonalDataHandler(
        section="profile",
        covers=("catalogue.UserProfile.user",),
        export=_export_profile,
        erase=_erase_profile,
        erasure="显示名改为“已注销用户”；角色、县区、学校保留（统计数字按它们汇总，不对应到人）。",
    ),
    PersonalDataHandler(
        section="favourites",
        covers=("catalogue.Favourite.user",),
        export=_export_favourites,
        erase=_erase_favourites,
        erasure="我的收藏全部删除。",
    ),
    PersonalDataHandler(
        section="learning_history",
        covers=("catalogue.LearningRecord.user",),
        export=_export_learning_history,
        erase=_erase_learning_history,
        erasure="学习记录（打开过的资源和视频播放位置）全部删除。",
    ),
]
