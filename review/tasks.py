"""Background work of the review app (django-tasks; immediate in dev and tests)."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one in-app notification to its user (console backend in dev, SMTP in production)."""
    from .models import Notification

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or not notification.user.email:
        return False
    link = notification.link
    base = (getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "").rstrip("/")
    body = notification.message + (f"\n\n{base}{link}" if link else "")
    send_mail(
        subject=f"【驻马店特色数字资源库】{notification.get_kind_display()}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notification.user.email],
    )
    return True
