"""The teacher's side: saving drafts. Submitting is a transition (`services.submitting`)."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from catalogue.models import ResourcePage, Role
from catalogue.services import plain_text_to_rich_text

from ..models import (
    Submission,
)
from ..models.workflow import role_of
from .common import SubmissionError
from .files import attach_uploads
from .setup import campaign_review_ensure, current_campaign


@transaction.atomic
def submission_save(
    *, teacher, data: dict, files: dict, submission: Submission | None = None, campaign=None
) -> Submission:
    """Create or update a teacher's draft. `data` is a cleaned SubmissionForm; `files` its uploads.

    Drafts may be saved at any time (also after the campaign closed); submitting is date-gated.
    """
    profile = getattr(teacher, "profile", None)
    if role_of(teacher) != Role.TEACHER or profile.region_id is None:
        raise PermissionDenied
    if submission is not None:
        if submission.teacher_id != teacher.pk:
            raise PermissionDenied
        if not submission.is_editable_by_teacher:
            raise SubmissionError(_("作品正在评审中，暂时不能修改。"))
        page = submission.page.get_latest_revision_as_object()
    else:
        campaign = campaign or current_campaign()
        if campaign is None:
            raise SubmissionError(_("目前没有征集活动。"))
        campaign_review_ensure(campaign=campaign)
        page = ResourcePage(owner=teacher, live=False, year=campaign.year, source=ResourcePage.Source.LOCAL)
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
    attach_uploads(page, files, title=title, user=teacher)
    if submission is None:
        page.slug = f"s{campaign.year}-{uuid.uuid4().hex[:12]}"
        campaign.add_child(instance=page)
        submission = Submission.objects.create(
            page=page, campaign=campaign, teacher=teacher, region_id=profile.region_id, school_id=profile.school_id
        )
        log(instance=submission, action="review.create", user=teacher, data={"title": title})
    else:
        # Until publication the page row is the draft: keep it (taxonomy, files) in step with the
        # latest revision, so listings, filters and the duplicate guard read current values.
        page.save(clean=False)
        log(instance=submission, action="review.edit", user=teacher, data={"title": title})
    page.save_revision(user=teacher, log_action=False, clean=False)
    submission.save(update_fields=["updated_at"])
    return submission
