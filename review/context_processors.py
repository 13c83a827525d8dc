from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request):
    """`unread_notification_count` for the header: one COUNT query, run only if a template reads
    it (base.html does so for signed-in users only, so anonymous pages cost nothing)."""

    def count():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"unread_notification_count": SimpleLazyObject(count)}
