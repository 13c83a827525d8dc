"""City expert review (市级专家评审): assignment, scoring, the third expert, returns."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from catalogue.models import Role

from ..models import (
    CriterionScore,
    ExpertProfile,
    ExpertReview,
    ExpertReviewTaskState,
    Notification,
    Stage,
    Submission,
)
from ..models.workflow import role_of
from ..signals import submission_changed
from .common import TWO, SubmissionError, stage_of_current_task
from .notifications import notify, notify_teacher, resource_admins, review_link


def expert_candidates(*, submission: Submission, exclude_ids=()) -> list:
    """City experts who may review `submission`, best first: never its school's staff; most matching
    subjects/theme first, then the lightest pending load."""
    User = get_user_model()
    experts = (
        User.objects.filter(is_active=True, profile__role=Role.CITY_EXPERT)
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


def experts_assign(*, task_state: ExpertReviewTaskState, count: int = 2, is_third: bool = False) -> list[ExpertReview]:
    """Assign experts to a new expert round. A resumed round (after a return) keeps its experts."""
    submission = Submission.objects.get(page_id=task_state.workflow_state.object_id)
    previous = (
        ExpertReview.objects.filter(task_state__workflow_state=task_state.workflow_state)
        .exclude(task_state=task_state)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .order_by("-task_state__started_at", "assigned_at")
    )
    chosen = []
    if previous.exists() and not is_third:
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
        more = expert_candidates(submission=submission, exclude_ids=taken | {e.pk for e in chosen})
        chosen += more[: count - len(chosen)]
    reviews = [
        ExpertReview.objects.create(task_state=task_state, submission=submission, expert=e, is_third=is_third)
        for e in chosen[:count]
    ]
    for review in reviews:
        log(
            instance=submission,
            action="review.expert_assign",
            user=None,
            data={"expert_id": review.expert_id, "third": is_third, "actor_role": "system"},
        )
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


@transaction.atomic
def expert_reassign(*, review: ExpertReview, new_expert, user) -> ExpertReview:
    """An admin moves a pending assignment to another expert (never one from the submission's school)."""
    if not (user.is_superuser or role_of(user) == Role.RESOURCE_ADMIN):
        raise PermissionDenied
    review = ExpertReview.objects.select_for_update().select_related("submission").get(pk=review.pk)
    if review.status != ExpertReview.Status.ASSIGNED:
        raise SubmissionError(_("该专家已提交评分，不能改派。"))
    submission = review.submission
    if role_of(new_expert) != Role.CITY_EXPERT:
        raise SubmissionError(_("只能指派市级评审专家。"))
    if submission.school_id and new_expert.profile.school_id == submission.school_id:
        raise SubmissionError(_("专家不能评审本校作品，请另选专家。"))
    if (
        ExpertReview.objects.filter(task_state=review.task_state, expert=new_expert)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .exists()
    ):
        raise SubmissionError(_("该专家已在评审这件作品。"))
    review.status = ExpertReview.Status.WITHDRAWN
    review.save(update_fields=["status"])
    new = ExpertReview.objects.create(
        task_state=review.task_state, submission=submission, expert=new_expert, is_third=review.is_third
    )
    log(
        instance=submission,
        action="review.expert_reassign",
        user=user,
        data={"from": review.expert_id, "to": new_expert.pk, "actor_role": Role.RESOURCE_ADMIN},
    )
    notify(
        users=[new_expert],
        submission=submission,
        kind=Notification.Kind.TO_REVIEW,
        message=_("您有一件作品《%(t)s》待评分。") % {"t": submission.title},
        link=review_link(submission),
    )
    return new


def final_score(totals: list[Decimal]) -> Decimal:
    """Mean of two scores; with three, the mean of the two closest (ties: the higher pair)."""
    totals = sorted(Decimal(t) for t in totals)
    if len(totals) == 2:
        pair = totals
    elif len(totals) == 3:
        low_gap, high_gap = totals[1] - totals[0], totals[2] - totals[1]
        pair = totals[:2] if low_gap < high_gap else totals[1:]
    else:
        raise ValueError("final score needs two or three expert totals")
    return ((pair[0] + pair[1]) / 2).quantize(TWO, rounding=ROUND_HALF_UP)


def _expert_review_for(review_id, user) -> ExpertReview:
    review = ExpertReview.objects.select_for_update().select_related("submission", "task_state").get(pk=review_id)
    if review.expert_id != user.pk or role_of(user) != Role.CITY_EXPERT:
        raise PermissionDenied
    submission = review.submission
    if submission.school_id and user.profile.school_id == submission.school_id:
        raise PermissionDenied
    if review.status != ExpertReview.Status.ASSIGNED or submission.status != Stage.EXPERT_REVIEW:
        raise SubmissionError(_("这项评审已结束或已提交。"))
    return review


@transaction.atomic
def expert_score(*, review: ExpertReview, user, scores: dict, vetoes=(), comment: str) -> ExpertReview:
    """Record one expert's veto marks and criterion scores, then settle the round if complete.

    `scores` maps criterion id to (score, comment)."""
    review = _expert_review_for(review.pk, user)
    submission = review.submission
    standard = submission.campaign.review_settings.standard
    criteria = list(standard.criteria.all())
    comment = (comment or "").strip()
    errors = []
    if not comment:
        errors.append(_("请填写总体评语。"))
    rows = []
    for criterion in criteria:
        value, note = scores.get(criterion.pk, (None, ""))
        try:
            value = Decimal(str(value))
        except (ArithmeticError, ValueError, TypeError):
            value = None
        if value is None or value < 0 or value > criterion.max_points:
            errors.append(_("“%(n)s”的得分应在 0 到 %(m)d 分之间。") % {"n": criterion.name, "m": criterion.max_points})
            continue
        rows.append(
            CriterionScore(review=review, criterion=criterion, score=value.quantize(TWO), comment=(note or "")[:500])
        )
    veto_items = list(standard.veto_items.filter(pk__in=list(vetoes)))
    if errors:
        raise SubmissionError(errors)
    CriterionScore.objects.bulk_create(rows)
    review.vetoes.set(veto_items)
    review.total = sum((r.score for r in rows), Decimal("0")).quantize(TWO)
    review.comment = comment
    review.status = ExpertReview.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.save()
    log(
        instance=submission,
        action="review.expert_score",
        user=user,
        data={
            "total": str(review.total),
            "vetoes": [v.name for v in veto_items],
            "comment": comment,
            "actor_role": Role.CITY_EXPERT,
        },
    )
    _expert_round_settle(submission=submission, task_state=review.task_state, standard=standard)
    return review


def _close_open_reviews(task_state):
    ExpertReview.objects.filter(task_state=task_state, status=ExpertReview.Status.ASSIGNED).update(
        status=ExpertReview.Status.CLOSED
    )


def _reject(submission, *, reason, action, user=None):
    old = submission.status
    submission.page.current_workflow_state.cancel(user=user)
    submission.status, submission.reason = Stage.REJECTED, reason
    submission.save()
    log(instance=submission, action=action, user=user, data={"reason": reason, "actor_role": "system"})
    notify_teacher(
        submission,
        Notification.Kind.REJECTED,
        _("您的作品《%(t)s》未通过市级评审：%(r)s") % {"t": submission.title, "r": reason},
    )
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)


def _expert_round_settle(*, submission, task_state, standard):
    reviews = list(
        ExpertReview.objects.filter(task_state=task_state)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .prefetch_related("vetoes")
    )
    vetoed = sorted({v.name for r in reviews if r.status == ExpertReview.Status.SUBMITTED for v in r.vetoes.all()})
    if vetoed:
        _close_open_reviews(task_state)
        _reject(submission, reason=_("一票否决：%(v)s") % {"v": "、".join(vetoed)}, action="review.veto")
        return
    if any(r.status == ExpertReview.Status.ASSIGNED for r in reviews):
        return
    totals = [r.total for r in reviews if r.status == ExpertReview.Status.SUBMITTED]
    if len(totals) < 2:
        return
    if len(totals) == 2 and abs(totals[0] - totals[1]) > standard.third_expert_gap:
        assigned = experts_assign(task_state=task_state, count=1, is_third=True)
        log(
            instance=submission,
            action="review.third_expert",
            user=None,
            data={
                "gap": str(abs(totals[0] - totals[1])),
                "limit": str(standard.third_expert_gap),
                "assigned": bool(assigned),
                "actor_role": "system",
            },
        )
        return
    score = final_score(totals[:3])
    submission.final_score = score
    if score < standard.pass_mark:
        submission.save(update_fields=["final_score"])
        _reject(
            submission,
            reason=_("最终得分 %(s)s 分，低于合格线 %(p)d 分") % {"s": score, "p": standard.pass_mark},
            action="review.below_pass",
        )
        return
    old = submission.status
    submission.award = submission.campaign.review_settings.award_for(score)
    task_state.approve(user=None, comment=_("最终得分 %(s)s") % {"s": score})
    submission.status = stage_of_current_task(submission)
    submission.save()
    log(
        instance=submission,
        action="review.expert_done",
        user=None,
        data={"final_score": str(score), "actor_role": "system"},
    )
    notify_teacher(
        submission,
        Notification.Kind.APPROVED,
        _("您的作品《%(t)s》通过市级专家评审，最终得分 %(s)s 分，等待遴选入库。") % {"t": submission.title, "s": score},
    )
    notify(
        users=resource_admins(),
        submission=submission,
        kind=Notification.Kind.TO_REVIEW,
        message=_("《%(t)s》评审完成，待遴选。") % {"t": submission.title},
        link="/review/selection/",
    )
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=None)


@transaction.atomic
def expert_return(*, review: ExpertReview, user, reason: str) -> Submission:
    """An expert sends the work back to the teacher; resubmission resumes at city expert review."""
    review = _expert_review_for(review.pk, user)
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError(_("退回修改时，必须填写理由。"))
    submission = review.submission
    old = submission.status
    review.comment = reason
    review.status = ExpertReview.Status.CLOSED
    review.save(update_fields=["comment", "status"])
    _close_open_reviews(review.task_state)
    # Finished without a user: the page's workflow history must not name the expert.
    review.task_state.reject(user=None, comment=reason)
    submission.status, submission.returned_by_stage, submission.reason = Stage.RETURNED, "expert", reason
    submission.save()
    log(
        instance=submission,
        action="review.expert_return",
        user=user,
        data={"reason": reason, "actor_role": Role.CITY_EXPERT},
    )
    notify_teacher(
        submission,
        Notification.Kind.RETURNED,
        _("您的作品《%(t)s》被市级评审专家退回修改：%(r)s") % {"t": submission.title, "r": reason},
    )
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)
    return submission
