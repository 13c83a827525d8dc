"""The public notice (公示) before publication and objections (异议) to it."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import transitions
from ..models import Objection, Publicity, Submission
from .common import SubmissionError, require_admin

MIN_DAYS, MAX_DAYS = 1, 30


@transaction.atomic
def publicity_open(*, campaign, submissions, days: int, user) -> Publicity:
    """Open a notice of `days` days listing `submissions` (each must await selection); all or none."""
    require_admin(user)
    if not submissions:
        raise SubmissionError(_("请先勾选要公示的作品。"))
    if not MIN_DAYS <= int(days) <= MAX_DAYS:
        raise SubmissionError(_("公示天数应在 %(a)d 到 %(b)d 天之间。") % {"a": MIN_DAYS, "b": MAX_DAYS})
    now = timezone.now()
    publicity = Publicity.objects.create(
        campaign=campaign, opened_by=user, opened_at=now, days=int(days), ends_at=now + timedelta(days=int(days))
    )
    for submission in submissions:
        transitions.apply(submission.pk, "open_publicity", actor=user, data={"publicity_id": publicity.pk})
    return publicity


def objection_file(*, submission: Submission, user, reason: str) -> Objection:
    """Any signed-in user objects to a work in an open notice (rate-limited per user)."""
    transitions.apply(submission.pk, "object", actor=user, reason=reason)
    return Objection.objects.filter(author=user, item__submission=submission).latest("created_at", "id")


def objection_resolve(*, objection: Objection, user, upheld: bool, reason: str) -> Submission:
    """Upheld: the work leaves the notice for a new city expert round. Dismissed: with a reason."""
    event = "uphold_objection" if upheld else "dismiss_objection"
    return transitions.apply(
        objection.item.submission_id, event, actor=user, reason=reason, data={"objection_id": objection.pk}
    )
