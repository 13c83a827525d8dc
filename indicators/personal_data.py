"""What the indicators store about a person: their access events (and, derived from them, their
active days and any overactive flag). Registered in wagtail_hooks.py (see ops.personal_data);
retention.py explains what erasure keeps and why every figure stays the same."""

from ops.personal_data import PersonalDataHandler

from .retention import access_events_of, access_events_pseudonymise

HANDLERS = [
    PersonalDataHandler(
        section="access_events",
        covers=("indicators.AccessEvent.user",),
        export=lambda user: access_events_of(user_id=user.pk),
        erase=lambda user: access_events_pseudonymise(user_id=user.pk)["events"],
        erasure=(
            "访问记录保留时间、资源、动作和当时的角色/县区/学校（已发布的统计数字不变、可复核），"
            "去除用户编号、IP 摘要和浏览器标识，访问者与会话标识改为不可还原的匿名编号。"
        ),
    ),
]
