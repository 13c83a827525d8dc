"""The teacher's side of the pipeline: submitting (or resubmitting) and withdrawing (撤回).

Both are transitions of the state machine (`review.transitions`): the submit guard reads only
`files_verdict` (the checks bound to the stored bytes), under the submission's row lock. Saving a
draft is `drafts.submission_save`.
"""

from .. import transitions
from ..models import Submission


def submission_submit(*, submission: Submission, user) -> Submission:
    """Submit (or resubmit after a return or a withdrawal). Refuses with SubmissionError, changing
    nothing but the stored check results, when the campaign is closed, something is missing, a file
    is a duplicate or a hard technical check fails. Files still being checked → 技术检测中."""
    return transitions.apply(submission.pk, "submit", actor=user)


def submission_withdraw(*, submission: Submission, user, reason: str = "") -> Submission:
    """Withdraw while the files are being checked or before the county reviewer decides."""
    return transitions.apply(submission.pk, "withdraw", actor=user, reason=reason)
