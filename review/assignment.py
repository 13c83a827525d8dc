"""Choosing city experts for a submission and creating their assignments (ExpertReview rows).

A leaf module used by the transitions (county approval, a resumed round, the third expert, a review
after an upheld objection) and by the admin's reassignment: it creates rows and tells the experts,
and never changes a submission's state.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from catalogue.permissions import Ability, holders

from .models import ExpertProfile, ExpertReview, ExpertReviewTaskState, Notification, Submission
from .notify import notify, resource_admins, review_link


def is_expert(user) -> bool:
    """Is `user` one of the city experts (an account that may be assigned to score)?"""
    return holders(Ability.SCORE).filter(pk=user.pk).exists()


def expert_candidates(*, submission: Submission, exclude_ids=()) -> list:
    """City experts who may review `submission`, best first: never its school's staff; most matching
    subjects/theme first, then the lightest pending load."""
    experts = (
        holders(Ability.SCORE)
        .exclude(pk__in=list(exclude_ids))
        .exclude(expert_profile__accepts_assignments=False)
        .select_related("profile")
        .annotate(load=Count("expert_reviews", filter=Q(expert_reviews__status=ExpertReview.Status.ASSIGNED)))
    )
    if submission.school_id:
        experts = experts.exclude(profile__school_id=submission.school_id)
    page = submission.page
    subject_ids = set(page.subjects.values_list("pk", flat=True))
    profiles = {
        p.user_id: p for p in ExpertProfile.objects.filter(user__in=experts).prefetch_related("subjects", "themes")
    }

    def match(user):
        profile = profiles.get(user.pk)
        if profile is None:
            return 0
        score = len(subject_ids & {s.pk for s in profile.subjects.all()})
        score += 1 if page.theme_id in {t.pk for t in profile.themes.all()} else 0
        return score

    return sorted(experts, key=lambda u: (-match(u), u.load, u.pk))


def experts_assign(
    *,
    submission: Submission,
    task_state: ExpertReviewTaskState,
    count: int = 2,
    is_third: bool = False,
    fresh: bool = False,
) -> list[ExpertReview]:
    """Assign experts to the expert round `task_state`. A round resumed after a return keeps the
    experts of the last round; `fresh` (a review after an upheld objection) takes none of the
    experts who reviewed the work before, where enough others exist."""
    previous = (
        ExpertReview.objects.filter(submission=submission)
        .exclude(task_state=task_state)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .order_by("-task_state__started_at", "assigned_at")
    )
    chosen = []
    if previous.exists() and not is_third and not fresh:
        last_round = previous.first().task_state_id
        chosen = [r.expert for r in previous.filter(task_state_id=last_round, is_third=False).select_related("expert")]
        chosen = [
            e
            for e in chosen
            if e.is_active and not (submission.school_id and e.profile.school_id == submission.school_id)
        ]
    taken = set(
        ExpertReview.objects.filter(task_state=task_state)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .values_list("expert_id", flat=True)
    )
    if len(chosen) < count:
        excluded = taken | {e.pk for e in chosen}
        more = (
            expert_candidates(
                submission=submission, exclude_ids=excluded | set(previous.values_list("expert_id", flat=True))
            )
            if fresh
            else []
        )
        if len(more) < count - len(chosen):  # not enough new faces: fall back to the whole pool
            more += [e for e in expert_candidates(submission=submission, exclude_ids=excluded) if e not in more]
        chosen += more[: count - len(chosen)]
    reviews = [
        ExpertReview.objects.create(task_state=task_state, submission=submission, expert=e, is_third=is_third)
        for e in chosen[:count]
    ]
    for review in reviews:
        notify(
            users=[review.expert],
            submission=submission,
            kind=Notification.Kind.TO_REVIEW,
            message=_("您有一件作品《%(t)s》待评分。") % {"t": submission.title},
            link=review_link(submission),
        )
    if len(reviews) < count:
        notify(
            users=resource_admins(),
            submission=submission,
            kind=Notification.Kind.TO_REVIEW,
            message=_("《%(t)s》没有足够的可分配专家（需要 %(n)d 位），请在评审台手动指派。")
            % {"t": submission.title, "n": count},
            link=review_link(submission),
        )
    return reviews
