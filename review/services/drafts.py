"""The teacher's side: saving drafts and submitting (or resubmitting) them for review."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from catalogue.models import CampaignPage, ResourcePage, Role
from catalogue.services import plain_text_to_rich_text

from .. import checks as tech
from ..models import (
    DraftToken,
    FileCheck,
    Notification,
    Stage,
    Submission,
)
from ..models.workflow import role_of
from ..signals import submission_changed
from .common import SubmissionError, stage_of_current_task
from .files import (
    attach_uploads,
    checks_finished_announce,
    file_checks_ensure,
    files_checks_queue,
    files_verdict,
    pending_checks_enqueue,
    replaced_files_discard,
    uploads_stage,
)
from .notifications import county_reviewers, notify, review_link, teacher_link
from .setup import campaign_review_ensure, current_campaign, review_workflow_ensure


def submission_save(
    *,
    teacher,
    data: dict,
    files: dict,
    submission: Submission | None = None,
    campaign=None,
    form_token: uuid.UUID | None = None,
) -> Submission:
    """Create or update a teacher's draft. `data` is a cleaned SubmissionForm; `files` its uploads
    (field → upload, the gallery a list). `form_token` (the form's hidden token) makes a retried
    POST of a new draft update the draft it created instead of creating a second one.

    The uploads are inspected and stored first, outside the transaction (ops.uploads, ops.storage).
    The transaction then locks the submission row and decides editability on what it reads under
    the lock, after the upload was received: a draft submitted meanwhile is not changed, and the
    stored files are discarded. Drafts may be saved at any time (also after the campaign closed);
    submitting is date-gated.
    """
    profile = getattr(teacher, "profile", None)
    if role_of(teacher) != Role.TEACHER or profile.region_id is None:
        raise PermissionDenied
    if submission is not None and submission.teacher_id != teacher.pk:
        raise PermissionDenied
    staged = uploads_stage(files, resource_type_code=data["resource_type"].code)
    try:
        with transaction.atomic():
            submission, replaced = _save_locked(
                teacher=teacher,
                profile=profile,
                data=data,
                staged=staged,
                submission=submission,
                campaign=campaign,
                form_token=form_token,
            )
    except BaseException:
        staged.discard()
        raise
    return submission


def _save_locked(*, teacher, profile, data, staged, submission, campaign, form_token):
    if submission is None and form_token is not None:
        token, _created = DraftToken.objects.get_or_create(token=form_token, defaults={"teacher": teacher})
        if token.teacher_id != teacher.pk:
            raise PermissionDenied
        submission = token.submission
    else:
        token = None
    if submission is not None:
        submission = Submission.objects.select_for_update().select_related("page", "campaign").get(pk=submission.pk)
        if submission.teacher_id != teacher.pk:
            raise PermissionDenied
        if not submission.is_editable_by_teacher:
            raise SubmissionError(
                _("作品已提交评审，不能再修改。需要修改时，请先撤回（县区初审开始前）或等待退回修改。")
            )
        campaign = submission.campaign
        page = submission.page.get_latest_revision_as_object()
    else:
        campaign = campaign or current_campaign()
        if campaign is None:
            raise SubmissionError(_("目前没有征集活动。"))
        # New drafts are children of the campaign page: lock it, so that concurrent first saves
        # take turns for the tree position and the campaign's review settings (PostgreSQL).
        campaign = CampaignPage.objects.select_for_update().get(pk=campaign.pk)
        page = ResourcePage(owner=teacher, live=False, year=campaign.year, source=ResourcePage.Source.LOCAL)
    standard = campaign_review_ensure(campaign=campaign).standard
    page.title = data["title"]
    page.draft_title = data["title"]
    page.description = plain_text_to_rich_text(data["description"])
    page.theme = data["theme"]
    page.topic = data.get("topic")
    page.stage = data["stage"]
    page.resource_type = data["resource_type"]
    page.authors = data["authors"]
    page.co_authors = data.get("co_authors", "")
    page.external_url = data.get("external_url", "")
    page.licence = data["licence"]
    page.licence_confirmed = bool(data.get("licence_confirmed"))
    page.region_id = profile.region_id
    page.school_id = profile.school_id
    page.subjects = list(data["subjects"])
    page.grades = list(data.get("grades") or [])
    title = data["title"]
    replaced = attach_uploads(page, staged, title=title, user=teacher)
    if submission is None:
        page.slug = f"s{campaign.year}-{uuid.uuid4().hex[:12]}"
        campaign.add_child(instance=page)
        submission = Submission.objects.create(
            page=page, campaign=campaign, teacher=teacher, region_id=profile.region_id, school_id=profile.school_id
        )
        if token is not None:
            token.submission = submission
            token.save(update_fields=["submission"])
        log(instance=submission, action="review.create", user=teacher, data={"title": title})
    else:
        # Until publication the page row is the draft: keep it (taxonomy, files) in step with the
        # latest revision, so listings, filters and the duplicate guard read current values.
        page.save(clean=False)
        log(instance=submission, action="review.edit", user=teacher, data={"title": title})
    page.save_revision(user=teacher, log_action=False, clean=False)
    submission.page = page  # with its new latest revision (the row read under the lock is older)
    submission.save(update_fields=["updated_at"])
    rows = file_checks_ensure(page, standard=standard)
    pending_checks_enqueue([row.intake_id for _item, row in rows if row.state == FileCheck.State.PENDING])
    checks_finished_announce(rows)
    page_id = page.pk
    transaction.on_commit(lambda: replaced_files_discard(page_id=page_id, replaced=replaced))
    return submission, replaced


def _missing_fields(page) -> list[str]:
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


def submission_submit(*, submission: Submission, user) -> Submission:
    """Submit (or resubmit after a return). Refuses with SubmissionError, changing nothing but the
    stored check results, when the campaign is closed, something is missing, a file is a
    duplicate or a hard technical check fails."""
    try:
        return _submit(submission=submission, user=user)
    except _CheckFailure as failure:
        # The transaction rolled back; keep the results so the teacher and reviewers can see them,
        # and queue the measurement of files still 待检测 (their rows were rolled back too).
        Submission.objects.filter(pk=failure.submission_id).update(checks=failure.results)
        if failure.pending:
            page = submission.page.get_latest_revision_as_object()
            files_checks_queue(page, standard=campaign_review_ensure(campaign=submission.campaign).standard)
        raise SubmissionError(failure.messages) from None


@transaction.atomic
def _submit(*, submission: Submission, user) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.teacher_id != user.pk:
        raise PermissionDenied
    if submission.status not in (Stage.DRAFT, Stage.RETURNED):
        raise SubmissionError(_("作品已提交，正在评审中。"))
    campaign = submission.campaign
    # The window applies to entering the campaign; work returned for revision during the review
    # (which usually runs after the closing date) may always be resubmitted.
    if submission.status == Stage.DRAFT and not campaign.is_open:
        raise SubmissionError(
            _("“%(c)s”的征集时间为 %(a)s 至 %(b)s，现在不在征集时间内，不能提交。草稿已为您保存。")
            % {"c": campaign.title, "a": campaign.opens_on, "b": campaign.closes_on}
        )
    page = submission.page.get_latest_revision_as_object()
    problems = _missing_fields(page)
    if problems:
        raise SubmissionError(problems)
    standard = campaign_review_ensure(campaign=campaign).standard
    verdict = files_verdict(submission, page, standard=standard)
    results = verdict.results
    submission.checks = results
    if not verdict.ready:
        waiting = [_("文件还在检测中（待检测：%(f)s），检测通过后才能提交评审。") % {"f": "、".join(verdict.pending)}]
        messages = verdict.problems + (waiting if verdict.pending else [])
        raise _CheckFailure(messages, submission_id=submission.pk, results=results, pending=bool(verdict.pending))
    old = submission.status
    if old == Stage.DRAFT:
        workflow = review_workflow_ensure()
        workflow.start(submission.page, user)
        submission.submitted_at = timezone.now()
        submission.round = 1
        action = "review.submit"
    else:
        state = submission.page.current_workflow_state
        state.resume(user=user)
        submission.round += 1
        action = "review.resubmit"
    submission.status = stage_of_current_task(submission)
    submission.reason = ""
    submission.returned_by_stage = ""
    submission.save()
    warnings = [c["message"] for c in results if c["level"] == tech.SOFT and not c["passed"]]
    log(
        instance=submission,
        action=action,
        user=user,
        data={"round": submission.round, "warnings": warnings, "stage": submission.status},
    )
    notify(
        users=[user],
        submission=submission,
        kind=Notification.Kind.SUBMITTED,
        message=_("您的作品《%(t)s》已提交，当前环节：%(s)s。")
        % {"t": submission.title, "s": submission.get_status_display()},
        link=teacher_link(submission),
    )
    if submission.status == Stage.COUNTY_REVIEW:
        notify(
            users=county_reviewers(submission),
            submission=submission,
            kind=Notification.Kind.TO_REVIEW,
            message=_("《%(t)s》等待县区初审。") % {"t": submission.title},
            link=review_link(submission),
        )
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)
    return submission


class _CheckFailure(SubmissionError):
    def __init__(self, messages, *, submission_id, results, pending=False):
        super().__init__(messages)
        self.submission_id = submission_id
        self.results = results
        self.pending = pending
