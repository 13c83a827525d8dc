"""The teacher's side: saving drafts. Submitting is a transition (`services.submitting`)."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from catalogue.models import CampaignPage, ResourcePage
from catalogue.permissions import Ability, can
from catalogue.services import plain_text_to_rich_text

from ..models import (
    DraftToken,
    FileCheck,
    Submission,
)
from .common import SubmissionError
from .files import (
    attach_uploads,
    checks_finished_announce,
    file_checks_ensure,
    pending_checks_enqueue,
    replaced_files_discard,
    uploads_stage,
)
from .setup import campaign_review_ensure, current_campaign


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
    if not can(teacher, Ability.SUBMIT) or profile is None or profile.region_id is None:
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
