"""The review pipeline as one state machine: the states, the events, and the transition table.

Every change of a submission's review state goes through `apply(submission_id, event, ...)`:

1. one transaction, the submission's row locked (SELECT … FOR UPDATE; on SQLite the write
   transaction itself is the lock) and its state read again inside it;
2. who may: the event's actor rule (`WHO`), else PermissionDenied;
3. the transition for (current state, event) from `TABLE`, else a SubmissionError saying why;
4. the guard (refuses with Chinese, teacher-facing messages, changing nothing);
5. the effect, which returns the next state (one of the transition's targets): it updates the rows
   the state implies, moves Wagtail's workflow rows along (`review.wagtail_workflow`) and tells the
   people concerned (`review.notify`);
6. the review history row (`ReviewEvent`) and an audit-log entry, then `submission_changed`.

`Submission.status` is the one source of truth. Wagtail's tasks call `apply` from `on_action`;
nothing called from here calls back into this module. The table is drawn in docs/review.md (a test
keeps the two equal: `markdown()` prints what the document should say).
"""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from catalogue.models import ResourcePage
from catalogue.permissions import Ability, can

from . import assignment, selectors, wagtail_workflow
from . import checks as tech
from .models import (
    Award,
    CriterionScore,
    ExpertReview,
    Notification,
    Objection,
    Publicity,
    PublicityItem,
    ReviewEvent,
    Stage,
    Submission,
)
from .notify import county_reviewers, notify, notify_teacher, publicity_link, resource_admins, review_link
from .scoring import TWO, final_score
from .services import files as file_checks
from .services.common import SubmissionError
from .services.setup import campaign_review_ensure
from .signals import submission_changed

OBJECTIONS_PER_HOUR = 5

# Submissions with a transition running in this context: a signal sent from inside one (say the file
# checks finishing while the submit guard reads the verdict) must not start another on the same row.
_RUNNING: ContextVar[frozenset] = ContextVar("review_transitions_running", default=frozenset())


def running() -> frozenset:
    """Ids of the submissions whose transition is running in this thread/context."""
    return _RUNNING.get()


OBJECTION_MIN_CHARS, OBJECTION_MAX_CHARS = 10, 1000


# --- who may ---------------------------------------------------------------------------------------


def _owner(actor, submission, data) -> bool:
    return actor is not None and submission.teacher_id == actor.pk and can(actor, Ability.SUBMIT)


def _county_reviewer(actor, submission, data) -> bool:
    return (
        actor is not None
        and submission.region_id is not None
        and can(actor, Ability.REVIEW_COUNTY, region=submission.region_id)
    )


def _assigned_expert(actor, submission, data) -> bool:
    if actor is None or not can(actor, Ability.SCORE):
        return False
    if submission.school_id and getattr(actor, "profile", None) and actor.profile.school_id == submission.school_id:
        return False
    return ExpertReview.objects.filter(pk=data.get("review_id"), submission=submission, expert=actor).exists()


def _admin(actor, submission, data) -> bool:
    return actor is not None and selectors.is_campaign_admin(actor)


def _system(actor, submission, data) -> bool:
    return actor is None


def _signed_in(actor, submission, data) -> bool:
    return actor is not None and actor.is_authenticated and actor.is_active


@dataclass(frozen=True)
class Who:
    may: Callable
    role: str  # the role written to the history
    label: str  # for the documentation


WHO = {
    "owner": Who(_owner, ReviewEvent.Role.TEACHER, "the submitting teacher"),
    "county_reviewer": Who(_county_reviewer, ReviewEvent.Role.COUNTY_REVIEWER, "a county reviewer of its county"),
    "assigned_expert": Who(_assigned_expert, ReviewEvent.Role.CITY_EXPERT, "the expert assigned to it"),
    "admin": Who(_admin, ReviewEvent.Role.RESOURCE_ADMIN, "a campaign (resource) admin"),
    "system": Who(_system, ReviewEvent.Role.SYSTEM, "the system (no user)"),
    "signed_in": Who(_signed_in, ReviewEvent.Role.OBJECTOR, "any signed-in user"),
}


# --- one step of the machine -----------------------------------------------------------------------


@dataclass
class Step:
    submission: Submission
    event: str
    actor: object
    reason: str
    data: dict
    source: str
    history: dict = field(default_factory=dict)  # details for this step's history row
    notes: list = field(default_factory=list)  # the system's extra history rows (action, reason, data)
    quiet: bool = False  # nothing happened worth a history row (checks still pending)
    scratch: dict = field(default_factory=dict)  # what the guard found, for the effect

    def note(self, action: str, *, reason: str = "", **data) -> None:
        self.notes.append((action, reason, data))


class _Refusal(SubmissionError):
    """A refusal that still stores the technical check results (the transaction rolls back)."""

    def __init__(self, messages, *, results):
        super().__init__(messages)
        self.results = results


# --- guards ----------------------------------------------------------------------------------------


def missing_fields(page) -> list[str]:
    problems = []
    code = page.resource_type.code
    if code == "link":
        if not page.external_url:
            problems.append(_("请填写虚拟展馆/外部链接的网址。"))
    elif code == "gallery":
        if not list(page.gallery_images.all()):
            problems.append(_("请上传图集图片。"))
    elif not [f for f in page.files.all() if f.caption == _("主文件")]:
        problems.append(_("请上传作品的主文件（%(t)s）。") % {"t": page.resource_type.name})
    if not page.cover_image_id:
        problems.append(_("请上传封面图。"))
    if not page.licence_confirmed:
        problems.append(_("请勾选原创/授权承诺。"))
    return problems


def _read_verdict(step: Step):
    """The files verdict of the current draft (the intake side's checks bound to the stored bytes)."""
    submission = step.submission
    page = submission.page.get_latest_revision_as_object()
    standard = campaign_review_ensure(campaign=submission.campaign).standard
    verdict = file_checks.files_verdict(submission, page, standard=standard)
    submission.checks = verdict.results
    step.scratch["verdict"] = verdict
    return verdict


def _was_returned_before(submission) -> bool:
    return submission.events.filter(action__in=("county_return", "expert_return")).exists()


def _guard_submit(step: Step) -> None:
    """Within the campaign dates (unless a reviewer returned it before); every required field; no duplicate file and no failed hard check (all messages at once)."""
    submission = step.submission
    campaign = submission.campaign
    # The window applies to entering the campaign. Work a reviewer returned may be resubmitted after
    # the closing date; work withdrawn before any return may not (else withdrawing would extend it).
    window = step.source == Stage.DRAFT or (step.source == Stage.WITHDRAWN and not _was_returned_before(submission))
    if window and not campaign.is_open:
        raise SubmissionError(
            _("“%(c)s”的征集时间为 %(a)s 至 %(b)s，现在不在征集时间内，不能提交。草稿已为您保存。")
            % {"c": campaign.title, "a": campaign.opens_on, "b": campaign.closes_on}
        )
    missing = missing_fields(submission.page.get_latest_revision_as_object())
    verdict = _read_verdict(step)
    if missing or verdict.problems:
        raise _Refusal(missing + verdict.problems, results=verdict.results)


REASON_REQUIRED = {
    "county_return": _("退回修改或不予通过时，必须填写理由。"),
    "county_decline": _("退回修改或不予通过时，必须填写理由。"),
    "expert_return": _("退回修改时，必须填写理由。"),
    "uphold_objection": _("请填写处理说明：异议人、作者和重新评审的专家会看到。"),
    "dismiss_objection": _("请填写异议不成立的理由：异议人会看到。"),
}


def _guard_reason(step: Step) -> None:
    """A reason is required (the teacher reads it)."""
    if not step.reason:
        raise SubmissionError(REASON_REQUIRED[step.event])


def _open_review(step: Step) -> ExpertReview:
    review = ExpertReview.objects.select_for_update().select_related("task_state").get(pk=step.data["review_id"])
    if review.status != ExpertReview.Status.ASSIGNED:
        raise SubmissionError(_("这项评审已结束或已提交。"))
    step.scratch["review"] = review
    return review


def _guard_score(step: Step) -> None:
    """The expert's own assignment is still open; every criterion scored within its points; an overall comment."""
    review = _open_review(step)
    standard = step.submission.campaign.review_settings.standard
    scores = step.data.get("scores") or {}
    comment = (step.data.get("comment") or "").strip()
    errors = [] if comment else [_("请填写总体评语。")]
    rows = []
    for criterion in standard.criteria.all():
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
    if errors:
        raise SubmissionError(errors)
    step.reason = comment
    step.scratch.update(
        rows=rows,
        standard=standard,
        vetoes=list(standard.veto_items.filter(pk__in=list(step.data.get("vetoes") or []))),
    )


def _guard_expert_return(step: Step) -> None:
    """The expert's own assignment is still open; a reason is required (the teacher reads it)."""
    _open_review(step)
    _guard_reason(step)


def _guard_reassign(step: Step) -> None:
    """A pending assignment of this work; the new expert is a city expert, not of the work's school, not already on it."""
    review = ExpertReview.objects.select_for_update().filter(pk=step.data.get("review_id"), submission=step.submission)
    review = review.first()
    if review is None or review.status != ExpertReview.Status.ASSIGNED:
        raise SubmissionError(_("该专家已提交评分，不能改派。"))
    expert = get_user_model().objects.filter(pk=step.data.get("expert_id")).select_related("profile").first()
    if expert is None or not assignment.is_expert(expert):
        raise SubmissionError(_("只能指派市级评审专家。"))
    if step.submission.school_id and expert.profile.school_id == step.submission.school_id:
        raise SubmissionError(_("专家不能评审本校作品，请另选专家。"))
    if (
        ExpertReview.objects.filter(task_state=review.task_state, expert=expert)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .exists()
    ):
        raise SubmissionError(_("该专家已在评审这件作品。"))
    step.scratch.update(review=review, expert=expert)


def _guard_award(step: Step) -> None:
    """A known award level (or none)."""
    if (step.data.get("award") or "") not in ["", *Award.values]:
        raise SubmissionError(_("未知的奖项。"))


def _guard_open_publicity(step: Step) -> None:
    """A notice of this campaign that is still open."""
    publicity = Publicity.objects.filter(pk=step.data.get("publicity_id")).first()
    if publicity is None or publicity.campaign_id != step.submission.campaign_id or not publicity.is_open:
        raise SubmissionError(_("公示不存在或已结束。"))
    step.scratch["publicity"] = publicity


def _guard_object(step: Step) -> None:
    """The notice is still open; a reason of 10–1000 characters; not the author; no open objection of theirs to it; at most 5 objections an hour."""
    submission, actor = step.submission, step.actor
    item = selectors.current_publicity_item(submission)
    if item is None or not item.publicity.is_open:
        raise SubmissionError(_("公示期已结束，不能再提出异议。"))
    if submission.teacher_id == actor.pk:
        raise SubmissionError(_("不能对自己的作品提出异议。"))
    if not OBJECTION_MIN_CHARS <= len(step.reason) <= OBJECTION_MAX_CHARS:
        raise SubmissionError(
            _("请写明异议的事实和理由（%(a)d–%(b)d 字）。") % {"a": OBJECTION_MIN_CHARS, "b": OBJECTION_MAX_CHARS}
        )
    mine = Objection.objects.filter(author=actor)
    if mine.filter(item__submission=submission, status=Objection.Status.OPEN).exists():
        raise SubmissionError(_("您对这件作品的异议正在处理中，请等待处理结果。"))
    if mine.filter(created_at__gte=timezone.now() - timedelta(hours=1)).count() >= OBJECTIONS_PER_HOUR:
        raise SubmissionError(_("您提交异议过于频繁，请一小时后再试。"))
    step.scratch["item"] = item


def _guard_objection(step: Step) -> None:
    """An open objection to this work; a reason (the objector reads it; for an upheld one the teacher and the new experts too)."""
    objection = (
        Objection.objects.filter(
            pk=step.data.get("objection_id"), item__submission=step.submission, status=Objection.Status.OPEN
        )
        .select_related("item__publicity")
        .first()
    )
    if objection is None:
        raise SubmissionError(_("这条异议不存在或已处理。"))
    _guard_reason(step)
    step.scratch["objection"] = objection


def _guard_publish(step: Step) -> None:
    """The notice period has ended and no objection to any work of that notice is open."""
    blockers = selectors.publish_blockers(step.submission)
    if blockers:
        raise SubmissionError(blockers)


# --- effects ---------------------------------------------------------------------------------------


def _note_assignments(step: Step, reviews) -> None:
    for review in reviews:
        step.note("expert_assign", expert_id=review.expert_id, third=review.is_third)


def _enter_review(step: Step) -> str:
    """Into county review, or back into the stage that returned it; experts are assigned for an expert round."""
    submission = step.submission
    target = Stage.EXPERT_REVIEW if submission.returned_by_stage == "expert" else Stage.COUNTY_REVIEW
    task_state = wagtail_workflow.enter_review(submission, user=step.actor, resume=bool(submission.returned_by_stage))
    submission.round += 1
    submission.submitted_at = submission.submitted_at or timezone.now()
    submission.reason = submission.returned_by_stage = submission.checking_from = ""
    warnings = [c["message"] for c in submission.checks if c.get("level") == tech.SOFT and not c.get("passed")]
    step.history.update(warnings=warnings, stage=target)
    if target == Stage.EXPERT_REVIEW:
        _note_assignments(step, assignment.experts_assign(submission=submission, task_state=task_state))
    stage_label = Stage(target).label
    message = (
        _("您的作品《%(t)s》已提交，当前环节：%(s)s。")
        if step.actor is not None
        else _("您的作品《%(t)s》技术检测通过，已进入%(s)s。")
    )
    notify_teacher(submission, Notification.Kind.SUBMITTED, message % {"t": submission.title, "s": stage_label})
    if target == Stage.COUNTY_REVIEW:
        notify(
            users=county_reviewers(submission),
            submission=submission,
            kind=Notification.Kind.TO_REVIEW,
            message=_("《%(t)s》等待县区初审。") % {"t": submission.title},
            link=review_link(submission),
        )
    return target


def _effect_submit(step: Step) -> str:
    """Check results stored; files still being checked → checking; else into review (county, or the stage that returned it)."""
    verdict = step.scratch["verdict"]
    if not verdict.ready:  # no problem found, but not every current file has been checked yet
        step.submission.checking_from = step.source
        step.history["pending"] = list(verdict.pending)
        notify_teacher(
            step.submission,
            Notification.Kind.CHECKS,
            _("您的作品《%(t)s》已提交，正在进行技术检测，检测通过后自动进入评审。") % {"t": step.submission.title},
        )
        return Stage.CHECKING
    return _enter_review(step)


def _effect_checks_done(step: Step) -> str:
    """The verdict read again: ready → into review; problems → back where it was submitted from, the teacher told why; still pending → nothing."""
    submission = step.submission
    verdict = _read_verdict(step)
    if verdict.problems:
        back = submission.checking_from or Stage.DRAFT
        submission.checking_from = ""
        step.reason = "；".join(verdict.problems)
        notify_teacher(
            submission,
            Notification.Kind.CHECKS,
            _("您的作品《%(t)s》技术检测未通过，请修改后重新提交：%(p)s") % {"t": submission.title, "p": step.reason},
        )
        return back
    if not verdict.ready:
        step.quiet = True
        return Stage.CHECKING
    return _enter_review(step)


def _effect_withdraw(step: Step) -> str:
    """The work is the teacher's again (editable); from county review the workflow is cancelled and the county reviewers told."""
    submission = step.submission
    if step.source == Stage.COUNTY_REVIEW:
        wagtail_workflow.cancel(submission, user=step.actor)
        notify(
            users=county_reviewers(submission),
            submission=submission,
            kind=Notification.Kind.WITHDRAWN,
            message=_("《%(t)s》已由申报教师撤回，无需初审。") % {"t": submission.title},
            link="/review/",
        )
    submission.checking_from = ""
    return Stage.WITHDRAWN


def _effect_county_approve(step: Step) -> str:
    """County task approved; two experts assigned to a new city round (never of the work's school); teacher and experts told."""
    submission = step.submission
    task_state = wagtail_workflow.approve(submission, user=step.actor, comment=step.reason)
    _note_assignments(step, assignment.experts_assign(submission=submission, task_state=task_state))
    notify_teacher(
        submission,
        Notification.Kind.APPROVED,
        _("您的作品《%(t)s》已通过县区初审，进入市级专家评审。") % {"t": submission.title},
    )
    return Stage.EXPERT_REVIEW


def _effect_county_return(step: Step) -> str:
    """County task rejected (the workflow needs changes); resubmission resumes at county review; the teacher told why."""
    submission = step.submission
    wagtail_workflow.send_back(submission, user=step.actor, comment=step.reason)
    submission.returned_by_stage, submission.reason = "county", step.reason
    notify_teacher(
        submission,
        Notification.Kind.RETURNED,
        _("您的作品《%(t)s》被县区初审退回修改：%(r)s") % {"t": submission.title, "r": step.reason},
    )
    return Stage.RETURNED


def _effect_county_decline(step: Step) -> str:
    """Workflow cancelled; the teacher told why."""
    submission = step.submission
    wagtail_workflow.cancel(submission, user=step.actor)
    submission.reason = step.reason
    notify_teacher(
        submission,
        Notification.Kind.REJECTED,
        _("您的作品《%(t)s》未通过县区初审：%(r)s") % {"t": submission.title, "r": step.reason},
    )
    return Stage.REJECTED


def _close_open_reviews(task_state) -> None:
    ExpertReview.objects.filter(task_state=task_state, status=ExpertReview.Status.ASSIGNED).update(
        status=ExpertReview.Status.CLOSED
    )


def _reject_in_expert_review(step: Step, *, reason: str, action: str, **data) -> str:
    submission = step.submission
    wagtail_workflow.cancel(submission, user=None)
    submission.reason = reason
    step.note(action, reason=reason, **data)
    notify_teacher(
        submission,
        Notification.Kind.REJECTED,
        _("您的作品《%(t)s》未通过市级评审：%(r)s") % {"t": submission.title, "r": reason},
    )
    return Stage.REJECTED


def _effect_score(step: Step) -> str:
    """Scores recorded; any veto or a final score under the pass mark rejects; a gap over the limit brings a third expert; else final score and proposed award → selected."""
    submission, review = step.submission, step.scratch["review"]
    rows, vetoes, standard = step.scratch["rows"], step.scratch["vetoes"], step.scratch["standard"]
    CriterionScore.objects.bulk_create(rows)
    review.vetoes.set(vetoes)
    review.total = sum((r.score for r in rows), Decimal("0")).quantize(TWO)
    review.comment = step.reason
    review.status = ExpertReview.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.save()
    step.history.update(
        review_id=review.pk, total=str(review.total), vetoes=[v.name for v in vetoes], third=review.is_third
    )
    task_state = review.task_state
    reviews = list(
        ExpertReview.objects.filter(task_state=task_state)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .prefetch_related("vetoes")
    )
    vetoed = sorted({v.name for r in reviews if r.status == ExpertReview.Status.SUBMITTED for v in r.vetoes.all()})
    if vetoed:
        _close_open_reviews(task_state)
        return _reject_in_expert_review(step, reason=_("一票否决：%(v)s") % {"v": "、".join(vetoed)}, action="veto")
    totals = [r.total for r in reviews if r.status == ExpertReview.Status.SUBMITTED]
    if any(r.status == ExpertReview.Status.ASSIGNED for r in reviews) or len(totals) < 2:
        return Stage.EXPERT_REVIEW
    if len(totals) == 2 and abs(totals[0] - totals[1]) > standard.third_expert_gap:
        third = assignment.experts_assign(submission=submission, task_state=task_state, count=1, is_third=True)
        step.note(
            "third_expert",
            gap=str(abs(totals[0] - totals[1])),
            limit=str(standard.third_expert_gap),
            assigned=bool(third),
        )
        _note_assignments(step, third)
        return Stage.EXPERT_REVIEW
    score = final_score(totals[:3])
    submission.final_score = score
    if score < standard.pass_mark:
        reason = _("最终得分 %(s)s 分，低于合格线 %(p)d 分") % {"s": score, "p": standard.pass_mark}
        return _reject_in_expert_review(step, reason=reason, action="below_pass", final_score=str(score))
    submission.award = submission.campaign.review_settings.award_for(score)
    submission.award_manual = False
    wagtail_workflow.approve(submission, user=None, comment=_("最终得分 %(s)s") % {"s": score})
    step.note("expert_done", final_score=str(score))
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
    return Stage.SELECTED


def _effect_expert_return(step: Step) -> str:
    """The round closes; expert task rejected with no user named; resubmission resumes at city review with the same experts; the teacher told why."""
    submission, review = step.submission, step.scratch["review"]
    review.comment = step.reason
    review.status = ExpertReview.Status.CLOSED
    review.save(update_fields=["comment", "status"])
    _close_open_reviews(review.task_state)
    wagtail_workflow.send_back(submission, user=None, comment=step.reason)
    submission.returned_by_stage, submission.reason = "expert", step.reason
    step.history["review_id"] = review.pk
    notify_teacher(
        submission,
        Notification.Kind.RETURNED,
        _("您的作品《%(t)s》被市级评审专家退回修改：%(r)s") % {"t": submission.title, "r": step.reason},
    )
    return Stage.RETURNED


def _effect_reassign(step: Step) -> str:
    """The pending assignment moves to the new expert, who is told."""
    review, expert = step.scratch["review"], step.scratch["expert"]
    review.status = ExpertReview.Status.WITHDRAWN
    review.save(update_fields=["status"])
    ExpertReview.objects.create(
        task_state=review.task_state, submission=step.submission, expert=expert, is_third=review.is_third
    )
    step.history.update({"from": review.expert_id, "to": expert.pk})
    notify(
        users=[expert],
        submission=step.submission,
        kind=Notification.Kind.TO_REVIEW,
        message=_("您有一件作品《%(t)s》待评分。") % {"t": step.submission.title},
        link=review_link(step.submission),
    )
    return Stage.EXPERT_REVIEW


def _effect_award(step: Step) -> str:
    """The proposed award set; by hand unless it comes from the thresholds (a hand-set award is kept when thresholds are re-applied)."""
    submission = step.submission
    award = step.data.get("award") or ""
    step.history.update({"from": submission.award, "to": award, "manual": step.data.get("source") != "threshold"})
    submission.award = award
    submission.award_manual = step.data.get("source") != "threshold"
    return Stage.SELECTED


def _effect_open_publicity(step: Step) -> str:
    """Listed in the public notice with a snapshot (title, authors, school, county, proposed award); the teacher told."""
    submission, publicity = step.submission, step.scratch["publicity"]
    page = submission.page.get_latest_revision_as_object()
    PublicityItem.objects.create(
        publicity=publicity,
        submission=submission,
        title=page.title,
        authors="、".join(a for a in (page.authors, page.co_authors) if a),
        school=submission.school.name if submission.school_id else "",
        region=submission.region.name,
        award=submission.award,
        final_score=submission.final_score,
    )
    step.history.update(
        publicity_id=publicity.pk, ends_at=timezone.localtime(publicity.ends_at).isoformat(), award=submission.award
    )
    notify_teacher(
        submission,
        Notification.Kind.PUBLICITY,
        _("您的作品《%(t)s》已进入公示，公示期至 %(d)s。")
        % {"t": submission.title, "d": f"{timezone.localtime(publicity.ends_at):%Y-%m-%d %H:%M}"},
    )
    return Stage.PUBLICITY


def _effect_object(step: Step) -> str:
    """The objection is stored and the campaign admins told."""
    item = step.scratch["item"]
    objection = Objection.objects.create(item=item, author=step.actor, reason=step.reason)
    step.history["objection_id"] = objection.pk
    notify(
        users=resource_admins(),
        submission=step.submission,
        kind=Notification.Kind.OBJECTION,
        message=_("《%(t)s》在公示期间收到一条异议，请处理。") % {"t": step.submission.title},
        link=f"/review/publicity/{item.publicity_id}/",
    )
    return Stage.PUBLICITY


def _resolve(objection, *, status, step) -> None:
    objection.status = status
    objection.resolution = step.reason
    objection.resolved_by = step.actor
    objection.resolved_at = timezone.now()
    objection.save()


def _effect_dismiss_objection(step: Step) -> str:
    """The objection is closed as not upheld; the objector told, with the reason."""
    objection = step.scratch["objection"]
    _resolve(objection, status=Objection.Status.DISMISSED, step=step)
    step.history["objection_id"] = objection.pk
    notify(
        users=[objection.author],
        submission=None,
        kind=Notification.Kind.OBJECTION,
        message=_("您对《%(t)s》提出的异议经核实不成立。说明：%(r)s") % {"t": objection.item.title, "r": step.reason},
        link=publicity_link(objection.item.publicity),
    )
    return Stage.PUBLICITY


def _effect_uphold_objection(step: Step) -> str:
    """Out of the notice and back to city expert review with experts who have not reviewed it (an objection questions the experts' judgement); every open objection to it closed; teacher, objectors and experts told."""
    submission, objection = step.submission, step.scratch["objection"]
    item = objection.item
    open_objections = list(item.objections.filter(status=Objection.Status.OPEN).select_related("author"))
    for each in open_objections:
        _resolve(each, status=Objection.Status.UPHELD, step=step)
    item.removed_at, item.removed_reason = timezone.now(), step.reason
    item.save(update_fields=["removed_at", "removed_reason"])
    task_state = wagtail_workflow.back_to_expert_review(submission, user=step.actor, comment=step.reason)
    submission.final_score, submission.award, submission.award_manual = None, "", False
    step.history["objection_id"] = objection.pk
    _note_assignments(step, assignment.experts_assign(submission=submission, task_state=task_state, fresh=True))
    notify_teacher(
        submission,
        Notification.Kind.OBJECTION,
        _("公示期间对您的作品《%(t)s》提出的异议经核实成立，作品撤出公示，重新进入市级专家评审。说明：%(r)s")
        % {"t": submission.title, "r": step.reason},
    )
    notify(
        users=[o.author for o in open_objections],
        submission=None,
        kind=Notification.Kind.OBJECTION,
        message=_("您对《%(t)s》提出的异议经核实成立，作品已撤出公示并重新评审。说明：%(r)s")
        % {"t": item.title, "r": step.reason},
        link=publicity_link(item.publicity),
    )
    return Stage.EXPERT_REVIEW


def _effect_publish(step: Step) -> str:
    """The latest revision published with award and final score (Wagtail's workflow finishes); the teacher told."""
    submission = step.submission
    award_label = submission.get_award_display() if submission.award else ""
    page = submission.page.get_latest_revision_as_object()
    page.award = award_label
    page.final_score = submission.final_score
    page.save_revision(user=step.actor, log_action=False)
    # Approving the last task finishes the workflow; Wagtail then publishes the latest revision.
    wagtail_workflow.approve(submission, user=step.actor)
    # award/final_score are editable=False: make sure the live row carries them whatever the revision held.
    ResourcePage.objects.filter(pk=submission.page_id).update(award=award_label, final_score=submission.final_score)
    step.history.update(award=submission.award, final_score=str(submission.final_score))
    notify_teacher(
        submission,
        Notification.Kind.PUBLISHED,
        _("祝贺！您的作品《%(t)s》已入库发布%(a)s。")
        % {"t": submission.title, "a": f"（{award_label}）" if award_label else ""},
    )
    return Stage.PUBLISHED


# --- the table -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    source: str
    event: str
    who: str
    targets: tuple
    guard: Callable | None
    effect: Callable


S = Stage
REVIEW_ENTRY = (S.CHECKING, S.COUNTY_REVIEW, S.EXPERT_REVIEW)
TABLE = [
    Transition(S.DRAFT, "submit", "owner", (S.CHECKING, S.COUNTY_REVIEW), _guard_submit, _effect_submit),
    Transition(S.RETURNED, "submit", "owner", REVIEW_ENTRY, _guard_submit, _effect_submit),
    Transition(S.WITHDRAWN, "submit", "owner", REVIEW_ENTRY, _guard_submit, _effect_submit),
    Transition(
        S.CHECKING,
        "checks_done",
        "system",
        (S.CHECKING, S.COUNTY_REVIEW, S.EXPERT_REVIEW, S.DRAFT, S.RETURNED, S.WITHDRAWN),
        None,
        _effect_checks_done,
    ),
    Transition(S.CHECKING, "withdraw", "owner", (S.WITHDRAWN,), None, _effect_withdraw),
    Transition(S.COUNTY_REVIEW, "withdraw", "owner", (S.WITHDRAWN,), None, _effect_withdraw),
    Transition(S.COUNTY_REVIEW, "county_approve", "county_reviewer", (S.EXPERT_REVIEW,), None, _effect_county_approve),
    Transition(
        S.COUNTY_REVIEW, "county_return", "county_reviewer", (S.RETURNED,), _guard_reason, _effect_county_return
    ),
    Transition(
        S.COUNTY_REVIEW, "county_decline", "county_reviewer", (S.REJECTED,), _guard_reason, _effect_county_decline
    ),
    Transition(
        S.EXPERT_REVIEW,
        "score",
        "assigned_expert",
        (S.EXPERT_REVIEW, S.SELECTED, S.REJECTED),
        _guard_score,
        _effect_score,
    ),
    Transition(
        S.EXPERT_REVIEW, "expert_return", "assigned_expert", (S.RETURNED,), _guard_expert_return, _effect_expert_return
    ),
    Transition(S.EXPERT_REVIEW, "reassign", "admin", (S.EXPERT_REVIEW,), _guard_reassign, _effect_reassign),
    Transition(S.SELECTED, "set_award", "admin", (S.SELECTED,), _guard_award, _effect_award),
    Transition(S.SELECTED, "open_publicity", "admin", (S.PUBLICITY,), _guard_open_publicity, _effect_open_publicity),
    Transition(S.PUBLICITY, "object", "signed_in", (S.PUBLICITY,), _guard_object, _effect_object),
    Transition(S.PUBLICITY, "dismiss_objection", "admin", (S.PUBLICITY,), _guard_objection, _effect_dismiss_objection),
    Transition(
        S.PUBLICITY, "uphold_objection", "admin", (S.EXPERT_REVIEW,), _guard_objection, _effect_uphold_objection
    ),
    Transition(S.PUBLICITY, "publish", "admin", (S.PUBLISHED,), _guard_publish, _effect_publish),
]
_BY_KEY = {(t.source, t.event): t for t in TABLE}
_BY_EVENT: dict[str, list[Transition]] = {}
for _t in TABLE:
    _BY_EVENT.setdefault(_t.event, []).append(_t)
EVENTS = list(_BY_EVENT)
assert all(len({t.who for t in rows}) == 1 for rows in _BY_EVENT.values()), "one actor rule per event"


def _refusal(event: str, submission: Submission) -> str:
    status, title = submission.status, submission.title
    if event == "submit":
        if status in (S.CHECKING, S.COUNTY_REVIEW, S.EXPERT_REVIEW):
            return _("作品已提交，正在评审中。")
        if status == S.REJECTED:
            return _("作品未通过评审，不能再次提交。")
        return _("作品已完成评审，不能再次提交。")
    if event == "withdraw":
        if status == S.DRAFT:
            return _("作品尚未提交，无需撤回。")
        if status == S.WITHDRAWN:
            return _("作品已撤回。")
        if status == S.RETURNED:
            return _("作品已退回修改，无需撤回。")
        return _("县区初审员已作出决定，评审已经开始，不能撤回。")
    return {
        "checks_done": _("该作品不在技术检测中。"),
        "county_approve": _("该作品当前不在县区初审环节。"),
        "county_return": _("该作品当前不在县区初审环节。"),
        "county_decline": _("该作品当前不在县区初审环节。"),
        "score": _("这项评审已结束或已提交。"),
        "expert_return": _("这项评审已结束或已提交。"),
        "reassign": _("该作品当前不在市级评审环节，不能改派。"),
        "set_award": _("《%(t)s》不是“评审通过，待遴选”状态，不能修改奖项（公示期间奖项不能修改）。") % {"t": title},
        "open_publicity": _("《%(t)s》不是“评审通过，待遴选”状态，不能进入公示。") % {"t": title},
        "object": _("该作品不在公示中，不能提出异议。"),
        "dismiss_objection": _("该作品不在公示中。"),
        "uphold_objection": _("该作品不在公示中。"),
        "publish": _("《%(t)s》不在公示中，不能发布（发布前须先公示）。") % {"t": title},
    }[event]


def _record(step: Step, new: str) -> None:
    submission, role = step.submission, WHO[_BY_EVENT[step.event][0].who].role
    common = {"submission": submission, "round": submission.round}
    ReviewEvent.objects.create(
        **common,
        actor=step.actor,
        actor_role=role,
        action=step.event,
        from_state=step.source,
        to_state=new,
        reason=step.reason,
        data=step.history,
    )
    for action, reason, data in step.notes:
        ReviewEvent.objects.create(
            **common, actor=None, actor_role=ReviewEvent.Role.SYSTEM, action=action, reason=reason, data=data
        )


def apply(submission_id: int, event: str, *, actor=None, reason: str = "", data: dict | None = None) -> Submission:
    """Run `event` on the submission: see the module docstring. Raises SubmissionError (Chinese
    messages, nothing changed but the stored check results) or PermissionDenied."""
    rows = _BY_EVENT.get(event)
    if not rows:
        raise ValueError(f"unknown review event {event!r}")
    data = dict(data or {})
    token = _RUNNING.set(_RUNNING.get() | {submission_id})
    try:
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=submission_id)
            if not WHO[rows[0].who].may(actor, submission, data):
                raise PermissionDenied
            transition = _BY_KEY.get((submission.status, event))
            if transition is None:
                raise SubmissionError(_refusal(event, submission))
            step = Step(submission, event, actor, (reason or "").strip(), data, submission.status)
            if transition.guard is not None:
                transition.guard(step)
            new = transition.effect(step)
            if new not in transition.targets:
                raise RuntimeError(f"{event} from {step.source} led to {new}, not one of {transition.targets}")
            submission.status = new
            submission.save()
            if not step.quiet:
                _record(step, new)
                log(
                    instance=submission,
                    action=f"review.{event}",
                    user=actor,
                    data={"from": step.source, "to": new, "round": submission.round},
                )
                if new != step.source:
                    submission_changed.send(
                        sender=Submission, submission=submission, old=step.source, new=new, user=actor
                    )
    except _Refusal as refusal:
        # The transaction rolled back; keep the results so the teacher and reviewers can see them.
        Submission.objects.filter(pk=submission_id).update(checks=refusal.results)
        raise SubmissionError(refusal.messages) from None
    finally:
        _RUNNING.reset(token)
    return submission


# --- the table as documentation --------------------------------------------------------------------


def _first_line(function) -> str:
    return (function.__doc__ or "").strip().splitlines()[0] if function else "—"


def table_rows() -> list[tuple[str, str, str, str, str, str]]:
    """(from, event, who, guard, to, effects) per transition, as docs/review.md shows them."""
    return [
        (
            t.source.value,
            t.event,
            t.who,
            _first_line(t.guard),
            ", ".join(s.value for s in t.targets),
            _first_line(t.effect),
        )
        for t in TABLE
    ]


def diagram_edges() -> list[tuple[str, str, str]]:
    """(from, to, event) for every possible outcome of every transition."""
    return [(t.source.value, target.value, t.event) for t in TABLE for target in t.targets]


def markdown() -> str:
    """The state diagram and the transition table as docs/review.md holds them."""
    lines = ["```mermaid", "stateDiagram-v2", "    [*] --> draft"]
    lines += [f"    {a} --> {b}: {event}" for a, b, event in diagram_edges()]
    lines += ["    rejected --> [*]", "    published --> [*]", "```", ""]
    lines += ["| From | Event | Who | Guard | To | Effects |", "| --- | --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows()]
    return "\n".join(lines)
