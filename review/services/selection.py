"""Selection and publication (遴选发布): awards and publishing into the catalogue, as transitions."""

from django.db import transaction

from .. import selectors, transitions
from ..models import Submission
from .common import require_admin


def submission_award_set(*, submission: Submission, award: str, user) -> Submission:
    """Set the proposed award by hand (kept when the thresholds are applied again)."""
    return transitions.apply(submission.pk, "set_award", actor=user, data={"award": award})


@transaction.atomic
def awards_apply_thresholds(*, campaign, user, overwrite=()) -> int:
    """Set the award of every work awaiting selection from the campaign's thresholds. An award the
    admin set by hand is kept unless its submission id is in `overwrite` (the admin confirmed)."""
    require_admin(user)
    overwrite = {int(pk) for pk in overwrite}
    changed = 0
    for row in selectors.award_threshold_plan(campaign):
        if row["changes"] and (not row["manual"] or row["submission"].pk in overwrite):
            transitions.apply(
                row["submission"].pk, "set_award", actor=user, data={"award": row["proposed"], "source": "threshold"}
            )
            changed += 1
    return changed


@transaction.atomic
def submissions_publish(*, submissions, user) -> int:
    """Publish works whose notice (公示) has ended with every objection resolved; all or none."""
    require_admin(user)
    for submission in submissions:
        transitions.apply(submission.pk, "publish", actor=user)
    return len(submissions)
