"""Who may look at a submission, the desks' queues, the ranking and the expert rounds."""

from decimal import ROUND_HALF_UP

from django.db.models import F

from catalogue.permissions import Ability, can

from ..models import ExpertReview, Stage, Submission
from ..scoring import TWO, counted_reviews

# Teacher-side states: the county reviewer does not see the work (it is not, or no longer, theirs).
COUNTY_HIDDEN = (Stage.DRAFT, Stage.CHECKING, Stage.WITHDRAWN)


def is_campaign_admin(user) -> bool:
    return can(user, Ability.RUN_CAMPAIGNS)


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
    if submission.teacher_id == user.pk and can(user, Ability.SUBMIT):
        return "teacher"
    if (
        submission.region_id is not None
        and can(user, Ability.REVIEW_COUNTY, region=submission.region_id)
        and submission.status not in COUNTY_HIDDEN
    ):
        return "county"
    if can(user, Ability.SCORE) and not (submission.school_id and user.profile.school_id == submission.school_id):
        if live_review_for(user, submission) is not None:
            return "expert"
    return ""


def teacher_submissions(user):
    return submissions_base().filter(teacher=user).order_by("-updated_at")


def county_queue(user):
    qs = submissions_base().filter(region_id=user.profile.region_id).exclude(status__in=COUNTY_HIDDEN)
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
    means = {}
    for review in counted_reviews(reviews):
        for score in review.scores.all():
            means.setdefault(score.criterion.name, []).append(score.score)
    return {name: (sum(values) / len(values)).quantize(TWO, rounding=ROUND_HALF_UP) for name, values in means.items()}


def standard_in_force(campaign):
    """The quality standard a campaign's work is judged by: the one bound to it, else the newest
    (what the campaign will bind when its first draft is saved). Reads only."""
    from ..models import CampaignReview, QualityStandard

    row = CampaignReview.objects.filter(campaign=campaign).select_related("standard").first() if campaign else None
    return row.standard if row else QualityStandard.current()
