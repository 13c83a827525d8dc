"""Selection and publication (遴选发布): awards and publishing into the catalogue."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from catalogue.models import ResourcePage, Role

from ..models import (
    Award,
    Notification,
    SelectionTaskState,
    Stage,
    Submission,
)
from ..models.workflow import role_of
from ..signals import submission_changed
from .common import SubmissionError
from .notifications import notify_teacher
from .setup import campaign_review_ensure


def require_admin(user):
    if not (user.is_superuser or role_of(user) == Role.RESOURCE_ADMIN):
        raise PermissionDenied


@transaction.atomic
def submission_award_set(*, submission: Submission, award: str, user) -> Submission:
    require_admin(user)
    if award and award not in Award.values:
        raise SubmissionError(_("未知的奖项。"))
    if submission.status not in (Stage.APPROVED, Stage.PUBLISHED):
        raise SubmissionError(_("只有评审通过的作品可以评定奖项。"))
    previous = submission.award
    submission.award = award
    submission.save(update_fields=["award", "updated_at"])
    if submission.status == Stage.PUBLISHED:
        ResourcePage.objects.filter(pk=submission.page_id).update(award=submission.get_award_display() if award else "")
    log(
        instance=submission,
        action="review.award",
        user=user,
        data={"from": previous, "to": award, "actor_role": Role.RESOURCE_ADMIN},
    )
    return submission


@transaction.atomic
def awards_apply_thresholds(*, campaign, user) -> int:
    """Set every approved submission's award from the campaign's thresholds."""
    require_admin(user)
    settings_row = campaign_review_ensure(campaign=campaign)
    changed = 0
    for submission in Submission.objects.filter(campaign=campaign, status=Stage.APPROVED):
        award = settings_row.award_for(submission.final_score)
        if award != submission.award:
            submission_award_set(submission=submission, award=award, user=user)
            changed += 1
    return changed


@transaction.atomic
def submissions_publish(*, submissions, user) -> int:
    """Publish approved submissions into the catalogue, keeping their award and final score."""
    require_admin(user)
    published = 0
    for submission in submissions:
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != Stage.APPROVED:
            raise SubmissionError(_("《%(t)s》尚未评审通过，不能发布。") % {"t": submission.title})
        task_state = submission.page.current_workflow_task_state
        if not isinstance(task_state, SelectionTaskState):
            raise SubmissionError(_("《%(t)s》不在遴选环节。") % {"t": submission.title})
        award_label = submission.get_award_display() if submission.award else ""
        page = submission.page.get_latest_revision_as_object()
        page.award = award_label
        page.final_score = submission.final_score
        page.save_revision(user=user, log_action=False)
        # Approving the last task finishes the workflow; Wagtail then publishes the latest revision.
        task_state.approve(user=user)
        # award/final_score are editable=False: make sure the live row carries them whatever the revision held.
        ResourcePage.objects.filter(pk=submission.page_id).update(award=award_label, final_score=submission.final_score)
        old = submission.status
        submission.status = Stage.PUBLISHED
        submission.save(update_fields=["status", "updated_at"])
        log(
            instance=submission,
            action="review.publish",
            user=user,
            data={"award": award_label, "final_score": str(submission.final_score), "actor_role": Role.RESOURCE_ADMIN},
        )
        notify_teacher(
            submission,
            Notification.Kind.PUBLISHED,
            _("祝贺！您的作品《%(t)s》已入库发布%(a)s。")
            % {"t": submission.title, "a": f"（{award_label}）" if award_label else ""},
        )
        submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)
        published += 1
    return published
