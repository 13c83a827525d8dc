"""What every actor's services share: the teacher-facing error and the admin check."""

from django.core.exceptions import PermissionDenied, ValidationError

from ..scoring import TWO  # noqa: F401
from ..selectors import is_campaign_admin


class SubmissionError(ValidationError):
    """A teacher-facing refusal: the messages say what to do."""


def require_admin(user):
    if not is_campaign_admin(user):
        raise PermissionDenied
