"""What every actor's services share: the teacher-facing error."""

from django.core.exceptions import PermissionDenied, ValidationError

from catalogue.models import Role

from ..models.workflow import role_of
from ..scoring import TWO  # noqa: F401


class SubmissionError(ValidationError):
    """A teacher-facing refusal: the messages say what to do."""


def require_admin(user):
    if not (user.is_authenticated and (user.is_superuser or role_of(user) == Role.RESOURCE_ADMIN)):
        raise PermissionDenied
