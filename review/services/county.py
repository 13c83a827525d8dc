"""County first review (县区初审): the county reviewer's decisions, as transitions."""

from django.utils.translation import gettext as _

from .. import transitions
from ..models import Submission
from .common import SubmissionError

DECISIONS = {"approve": "county_approve", "reject": "county_return", "decline": "county_decline"}


def county_decide(*, submission: Submission, user, decision: str, reason: str = "") -> Submission:
    """approve → city expert review; reject → returned to the teacher; decline → not passed."""
    if decision not in DECISIONS:
        raise SubmissionError(_("未知的操作。"))
    return transitions.apply(submission.pk, DECISIONS[decision], actor=user, reason=reason)
