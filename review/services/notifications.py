"""In-app notifications: what a user does with theirs. Sending lives in `review.notify` (a leaf that
the transitions use); it is re-exported here for the callers that know it by this name."""

from django.utils import timezone

from ..models import Notification
from ..notify import (  # noqa: F401
    county_reviewers,
    notify,
    notify_teacher,
    publicity_link,
    resource_admins,
    review_link,
    teacher_link,
)


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
