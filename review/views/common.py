"""Helpers the review views share."""

from django.core.exceptions import ValidationError

from catalogue import denied
from catalogue.denied import Denied
from catalogue.models import Role
from catalogue.permissions import role_of

from .. import selectors
from ..models import Notification


def wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def unread(user):
    return Notification.objects.filter(user=user, read_at__isnull=True)[:10]


def require_admin(user):
    if not selectors.is_campaign_admin(user):
        raise Denied(denied.ADMIN_ONLY)


def refusal(user, submission) -> Denied:
    """Why `user` may not open `submission`, in words for them (shown on the 403 page)."""
    role = role_of(user)
    if role == Role.COUNTY_REVIEWER:
        if user.profile.region_id != submission.region_id:
            return Denied(denied.OTHER_REGION)
        return Denied(denied.NOT_SUBMITTED_YET)
    if role == Role.CITY_EXPERT:
        return Denied(denied.NOT_ASSIGNED)
    if role == Role.TEACHER:
        return Denied(denied.NOT_YOURS)
    return Denied(denied.REVIEWERS_ONLY)
