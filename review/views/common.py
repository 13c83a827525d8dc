"""Helpers the review views share."""

from django.core.exceptions import PermissionDenied, ValidationError

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
        raise PermissionDenied
