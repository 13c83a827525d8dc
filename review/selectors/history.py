"""The review history (`ReviewEvent`) as each role may read it.

- admin: everything, with names;
- teacher: never an expert's or a reviewer's name (roles only), no assignments, no awards before
  publication, no objector and no objection text;
- county reviewer: no expert names, no assignments or awards;
- expert (double-blind): no author, school, county or county reviewer — the teacher's and county's
  entries keep only their label, never their free text; other experts' scores only after scoring.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Award, ReviewEvent
from ..models.history import ACTION_LABELS

R = ReviewEvent.Role
ACTOR_LABELS = dict(R.choices)
ADMIN_ONLY = {"expert_assign", "reassign", "set_award"}
TEACHER_SIDE = {"submit", "checks_done", "withdraw", "county_approve", "county_return", "county_decline"}


def _name(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.get_username()


def _actor(event, access, viewer) -> str:
    label = ACTOR_LABELS.get(event.actor_role, _("系统"))
    if event.actor is None:
        return label
    if access == "admin":
        return f"{_name(event.actor)}（{label}）"
    if event.actor_role == R.TEACHER and access in ("teacher", "county"):
        return _name(event.actor)
    if event.actor_role == R.COUNTY_REVIEWER and access == "county":
        return _name(event.actor)
    if event.actor_role == R.CITY_EXPERT and access == "expert" and viewer is not None and event.actor_id == viewer.pk:
        return _("我")
    return label


def _award_label(value) -> str:
    return Award(value).label if value in Award.values else (value or _("无"))


def _detail(event, access, viewer, reveal_scores, experts) -> str:
    data, action, reason = event.data or {}, event.action, event.reason
    admin = access == "admin"
    if access == "expert" and action in TEACHER_SIDE:
        return ""  # free text of the teacher and the county may name the author or the school
    if action in ("submit", "checks_done"):
        if reason:
            return _("技术检测未通过：%(p)s") % {"p": reason}
        if data.get("pending"):
            return _("%(n)d 个文件正在检测") % {"n": len(data["pending"])}
        if data.get("warnings"):
            return _("技术检测提示：%(w)s") % {"w": "；".join(data["warnings"])}
        return ""
    if action == "score":
        own = access == "expert" and viewer is not None and event.actor_id == viewer.pk
        if access in ("teacher", "county"):
            return reason
        if access == "expert" and not (own or reveal_scores):
            return ""
        text = _("总分 %(t)s；%(c)s") % {"t": data.get("total"), "c": reason}
        if data.get("vetoes"):
            text = _("否决项：%(v)s。") % {"v": "、".join(data["vetoes"])} + text
        return text
    if action in ("expert_done", "below_pass") and data.get("final_score") and not reason:
        return _("最终得分 %(s)s") % {"s": data["final_score"]}
    if action == "expert_assign":
        return experts.get(data.get("expert_id"), "") + (_("（第三位专家）") if data.get("third") else "")
    if action == "reassign":
        return _("%(a)s → %(b)s") % {"a": experts.get(data.get("from"), ""), "b": experts.get(data.get("to"), "")}
    if action == "set_award":
        how = _("手动") if data.get("manual") else _("按分数线")
        return _("%(a)s → %(b)s（%(h)s）") % {
            "a": _award_label(data.get("from")),
            "b": _award_label(data.get("to")),
            "h": how,
        }
    if action == "open_publicity":
        ends = (data.get("ends_at") or "")[:16].replace("T", " ")
        if admin:
            return _("拟评奖项：%(a)s；公示至 %(d)s") % {"a": _award_label(data.get("award")), "d": ends}
        return _("公示至 %(d)s") % {"d": ends}
    if action == "object":
        return reason if admin else ""
    if action == "dismiss_objection" and access == "expert":
        return ""
    if action == "publish":
        return _award_label(data.get("award")) if data.get("award") else ""
    return reason


def history_for(submission, viewer_access: str, *, viewer=None, reveal_scores: bool = False) -> list[dict]:
    """The submission's review history for a viewer with `viewer_access` ("teacher", "county",
    "expert", "admin"); `viewer` is the user reading it (an expert sees their own entries as 我)."""
    events = list(ReviewEvent.objects.filter(submission=submission).select_related("actor__profile"))
    experts = {}
    if viewer_access == "admin":
        ids = {e.data.get(k) for e in events for k in ("expert_id", "from", "to") if isinstance(e.data, dict)}
        users = get_user_model().objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).select_related("profile")
        experts = {u.pk: _name(u) for u in users}
    rows = []
    for event in events:
        if event.action in ADMIN_ONLY and viewer_access != "admin":
            continue
        label = ACTION_LABELS.get(event.action, event.action)
        if event.action == "submit" and event.from_state in ("returned", "withdrawn"):
            label = ACTION_LABELS["resubmit"]
        rows.append(
            {
                "when": timezone.localtime(event.created_at),
                "actor": _actor(event, viewer_access, viewer),
                "action": label,
                "detail": _detail(event, viewer_access, viewer, reveal_scores, experts),
            }
        )
    return rows
