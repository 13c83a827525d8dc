"""Reads of the review app: who may see what, queues, the teacher-visible history, ranking, report."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from catalogue.models import Role

from .models import CampaignReview, ExpertReview, Stage, Submission
from .models.workflow import role_of

TWO = Decimal("0.01")


def is_campaign_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or role_of(user) == Role.RESOURCE_ADMIN)


def submissions_base():
    return Submission.objects.select_related(
        "page",
        "campaign",
        "region",
        "school",
        "teacher__profile",
        "page__theme",
        "page__topic",
        "page__resource_type",
        "page__stage",
    )


def live_review_for(user, submission) -> ExpertReview | None:
    """The expert's own current assignment on `submission` (pending or submitted), if any."""
    return (
        ExpertReview.objects.filter(submission=submission, expert=user)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .order_by("-task_state__started_at", "-assigned_at")
        .first()
    )


def submission_access(user, submission) -> str:
    """How `user` may look at `submission`: "teacher", "county", "expert", "admin" or "" (none)."""
    if not user.is_authenticated:
        return ""
    if is_campaign_admin(user):
        return "admin"
    role = role_of(user)
    if role == Role.TEACHER and submission.teacher_id == user.pk:
        return "teacher"
    if (
        role == Role.COUNTY_REVIEWER
        and user.profile.region_id == submission.region_id
        and submission.status != Stage.DRAFT
    ):
        return "county"
    if role == Role.CITY_EXPERT and not (submission.school_id and user.profile.school_id == submission.school_id):
        if live_review_for(user, submission) is not None:
            return "expert"
    return ""


def teacher_submissions(user):
    return submissions_base().filter(teacher=user).order_by("-updated_at")


def county_queue(user):
    qs = submissions_base().filter(region_id=user.profile.region_id).exclude(status=Stage.DRAFT)
    return qs.filter(status=Stage.COUNTY_REVIEW).order_by("submitted_at"), qs.exclude(
        status=Stage.COUNTY_REVIEW
    ).order_by("-updated_at")[:50]


def expert_queue(user):
    reviews = (
        ExpertReview.objects.filter(expert=user)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .select_related(
            "submission__page", "submission__campaign", "submission__page__theme", "submission__page__resource_type"
        )
    )
    return reviews.filter(status=ExpertReview.Status.ASSIGNED).order_by("assigned_at"), reviews.exclude(
        status=ExpertReview.Status.ASSIGNED
    ).order_by("-submitted_at")[:50]


def current_round_reviews(submission):
    """The reviews of the latest expert round (withdrawn assignments excluded)."""
    latest = (
        ExpertReview.objects.filter(submission=submission)
        .order_by("-task_state__started_at")
        .values_list("task_state_id", flat=True)
        .first()
    )
    if latest is None:
        return ExpertReview.objects.none()
    return (
        ExpertReview.objects.filter(task_state_id=latest)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .select_related("expert__profile")
        .prefetch_related("scores__criterion", "vetoes")
        .order_by("assigned_at", "id")
    )


ACTOR_LABELS = {Role.CITY_EXPERT: _("评审专家"), "system": _("系统")}


def history_for(submission, viewer_access: str, *, reveal_scores: bool = False) -> list[dict]:
    """The submission's history from Wagtail's audit log. For the teacher (and anyone but the
    campaign admin) an expert is shown only as "评审专家"; assignment entries are left out.
    An expert who has not scored yet sees no other expert's score or comment (blind review)."""
    content_type = ContentType.objects.get_for_model(Submission)
    entries = (
        ModelLogEntry.objects.filter(content_type=content_type, object_id=str(submission.pk))
        .select_related("user")
        .order_by("timestamp", "id")
    )
    rows = []
    for entry in entries:
        data = entry.data or {}
        role = data.get("actor_role", "")
        if entry.action in ("review.expert_assign", "review.expert_reassign") and viewer_access != "admin":
            continue
        if role in ACTOR_LABELS and not (viewer_access == "admin" and entry.user):
            actor = ACTOR_LABELS[role]
        elif entry.user:
            profile = getattr(entry.user, "profile", None)
            actor = (profile.display_name if profile else "") or entry.user.get_username()
        else:
            actor = _("系统")
        action = (
            log_registry.get_action_label(entry.action) if log_registry.action_exists(entry.action) else entry.action
        )
        detail = data.get("reason") or data.get("comment") or ""
        if entry.action == "review.expert_score":
            # Individual scores stay with the reviewers; the teacher sees the comment.
            if viewer_access == "expert" and not reveal_scores:
                detail = ""
            elif viewer_access in ("teacher", "county"):
                detail = data.get("comment", "")
            else:
                detail = _("总分 %(t)s；%(c)s") % {"t": data.get("total"), "c": data.get("comment", "")}
            if data.get("vetoes") and (viewer_access != "expert" or reveal_scores):
                detail = _("否决项：%(v)s。") % {"v": "、".join(data["vetoes"])} + detail
        if entry.action == "review.expert_done":
            detail = _("最终得分 %(s)s") % {"s": data.get("final_score")}
        if entry.action in ("review.submit", "review.resubmit") and data.get("warnings"):
            detail = _("技术检测提示：%(w)s") % {"w": "；".join(data["warnings"])}
        rows.append({"when": timezone.localtime(entry.timestamp), "actor": actor, "action": action, "detail": detail})
    return rows


def ranking(campaign, params=None):
    params = params or {}
    qs = submissions_base().filter(campaign=campaign).exclude(status=Stage.DRAFT).prefetch_related("page__subjects")
    for key, field in (("theme", "page__theme_id"), ("subject", "page__subjects__id"), ("region", "region_id")):
        value = str(params.get(key) or "")
        if value.isdigit():
            qs = qs.filter(**{field: int(value)})
    status = params.get("status") or ""
    if status in Stage.values:
        qs = qs.filter(status=status)
    return qs.distinct().order_by(F("final_score").desc(nulls_last=True), "submitted_at", "id")


def criterion_means(submission) -> dict:
    """Per criterion, the mean score of the experts whose totals made the final score."""
    reviews = [r for r in current_round_reviews(submission) if r.status == ExpertReview.Status.SUBMITTED]
    counted = _counted_reviews(reviews)
    means = {}
    for review in counted:
        for score in review.scores.all():
            means.setdefault(score.criterion.name, []).append(score.score)
    return {name: (sum(values) / len(values)).quantize(TWO, rounding=ROUND_HALF_UP) for name, values in means.items()}


def _counted_reviews(reviews):
    if len(reviews) != 3:
        return reviews
    ordered = sorted(reviews, key=lambda r: r.total)
    low_gap, high_gap = ordered[1].total - ordered[0].total, ordered[2].total - ordered[1].total
    return ordered[:2] if low_gap < high_gap else ordered[1:]


STAGE_REACHED = {
    Stage.DRAFT: _("草稿"),
    Stage.COUNTY_REVIEW: _("县区初审"),
    Stage.EXPERT_REVIEW: _("市级评审"),
    Stage.APPROVED: _("遴选"),
    Stage.PUBLISHED: _("入库发布"),
}


def _stage_reached(submission) -> str:
    if submission.status in (Stage.RETURNED, Stage.REJECTED):
        if submission.returned_by_stage == "expert" or submission.expert_reviews.exists():
            return _("市级评审")
        return _("县区初审")
    return STAGE_REACHED.get(submission.status, "")


def report(campaign) -> tuple[list[str], list[list]]:
    """Every submission of `campaign` (drafts excluded) as rows for the campaign report."""
    settings_row = CampaignReview.objects.filter(campaign=campaign).select_related("standard").first()
    criteria = list(settings_row.standard.criteria.all()) if settings_row else []
    headers = (
        [
            _("编号"),
            _("作品名称"),
            _("县（区）"),
            _("学校"),
            _("作者"),
            _("合作者"),
            _("主题"),
            _("专题"),
            _("学科"),
            _("资源类型"),
            _("状态"),
            _("到达环节"),
        ]
        + [f"{c.name}（{c.max_points}）" for c in criteria]
        + [_("专家1总分"), _("专家2总分"), _("专家3总分"), _("最终得分"), _("奖项")]
    )
    rows = []
    for submission in ranking(campaign):
        page = submission.page.get_latest_revision_as_object() if not submission.page.live else submission.page
        means = criterion_means(submission)
        totals = [r.total for r in current_round_reviews(submission) if r.status == ExpertReview.Status.SUBMITTED]
        totals += [None] * (3 - len(totals))
        rows.append(
            [
                submission.pk,
                page.title,
                submission.region.name,
                submission.school.name if submission.school else "",
                page.authors,
                page.co_authors,
                page.theme.name if page.theme_id else "",
                page.topic.name if page.topic_id else "",
                "、".join(s.name for s in page.subjects.all()),
                page.resource_type.name,
                submission.get_status_display(),
                _stage_reached(submission),
            ]
            + [means.get(c.name) for c in criteria]
            + totals[:3]
            + [submission.final_score, submission.get_award_display() if submission.award else ""]
        )
    return headers, rows
