"""County first review (县区初审)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from catalogue.models import Role

from ..models import (
    CountyReviewTaskState,
    Notification,
    Stage,
    Submission,
)
from ..models.workflow import role_of
from ..signals import submission_changed
from .common import SubmissionError, stage_of_current_task
from .notifications import notify_teacher


def county_reviewer_may_act(user, submission) -> bool:
    profile = getattr(user, "profile", None)
    return (
        role_of(user) == Role.COUNTY_REVIEWER
        and profile.region_id is not None
        and profile.region_id == submission.region_id
    )


@transaction.atomic
def county_decide(*, submission: Submission, user, decision: str, reason: str = "") -> Submission:
    """approve → city expert review; reject → returned to the teacher; decline → not passed."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not county_reviewer_may_act(user, submission):
        raise PermissionDenied
    task_state = submission.page.current_workflow_task_state
    if submission.status != Stage.COUNTY_REVIEW or not isinstance(task_state, CountyReviewTaskState):
        raise SubmissionError(_("该作品当前不在县区初审环节。"))
    reason = (reason or "").strip()
    if decision in ("reject", "decline") and not reason:
        raise SubmissionError(_("退回修改或不予通过时，必须填写理由。"))
    old = submission.status
    if decision == "approve":
        task_state.approve(user=user, comment=reason)
        submission.status = stage_of_current_task(submission)
        action, kind = "review.county_approve", Notification.Kind.APPROVED
        message = _("您的作品《%(t)s》已通过县区初审，进入市级专家评审。") % {"t": submission.title}
    elif decision == "reject":
        task_state.reject(user=user, comment=reason)
        submission.status, submission.returned_by_stage, submission.reason = Stage.RETURNED, "county", reason
        action, kind = "review.county_return", Notification.Kind.RETURNED
        message = _("您的作品《%(t)s》被县区初审退回修改：%(r)s") % {"t": submission.title, "r": reason}
    elif decision == "decline":
        submission.page.current_workflow_state.cancel(user=user)
        submission.status, submission.reason = Stage.REJECTED, reason
        action, kind = "review.county_decline", Notification.Kind.REJECTED
        message = _("您的作品《%(t)s》未通过县区初审：%(r)s") % {"t": submission.title, "r": reason}
    else:
        raise SubmissionError(_("未知的操作。"))
    submission.save()
    log(instance=submission, action=action, user=user, data={"reason": reason, "actor_role": Role.COUNTY_REVIEWER})
    notify_teacher(submission, kind, message)
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)
    return submission
