"""Signal receivers of the review app: adapters from other parts of the system to the transitions."""

import logging

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import ResourcePage

from .models import Publicity, Stage, Submission
from .services.common import SubmissionError

logger = logging.getLogger(__name__)


def file_checks_finished(sender, document_ids=(), image_ids=(), **kwargs):
    """Check results were stored for some files: every submission waiting in 技术检测中 that uses one
    of them moves on (ready → review; problems → back to the teacher; still pending → stays)."""
    from . import transitions

    pages = ResourcePage.objects.filter(
        Q(files__document_id__in=list(document_ids))
        | Q(cover_image_id__in=list(image_ids))
        | Q(gallery_images__image_id__in=list(image_ids))
    )
    waiting = Submission.objects.filter(status=Stage.CHECKING, page__in=pages).values_list("pk", flat=True)
    # A submission whose transition sent this (its guard ran the checks) reads the verdict itself.
    for submission_id in sorted(set(waiting) - transitions.running()):
        try:
            transitions.apply(submission_id, "checks_done")
        except (SubmissionError, PermissionDenied) as refused:  # e.g. withdrawn meanwhile: nothing to do
            logger.info("checks_done on submission %s refused: %s", submission_id, refused)


def campaign_notices(sender, campaign, **kwargs) -> list[dict]:
    """The campaign page links to the campaign's public notices (公示) of proposed awards."""
    now = timezone.now()
    return [
        {
            "title": _("拟获奖作品公示"),
            "url": f"/publicity/{p.pk}/",
            "period": f"{timezone.localtime(p.opened_at):%Y-%m-%d} — {timezone.localtime(p.ends_at):%Y-%m-%d %H:%M}",
            "open": now < p.ends_at,
        }
        for p in Publicity.objects.filter(campaign=campaign).order_by("-opened_at")
    ]
