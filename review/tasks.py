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


@task()
def file_intakes_measure(*, intake_ids: list[int]) -> dict:
    """Measure files whose checks could not run when they were uploaded (待检测: ffprobe missing, a
    timeout), then announce the results. While a tool is still missing the task comes back later
    on a queue that can wait (the database backend's worker); elsewhere the next save, submit or
    `manage.py uploads_cleanup` queues it again."""
    import datetime

    from django.utils import timezone

    from .intake import intake_measure
    from .models import FileCheck, FileIntake
    from .signals import file_checks_finished

    measured = [pk for pk in intake_ids if intake_measure(pk)]
    if measured:
        done = FileIntake.objects.filter(pk__in=measured)
        file_checks_finished.send(
            sender=FileCheck,
            document_ids=sorted(pk for pk in done.values_list("document_id", flat=True) if pk),
            image_ids=sorted(pk for pk in done.values_list("image_id", flat=True) if pk),
        )
    waiting = list(
        FileIntake.objects.filter(pk__in=intake_ids, status=FileIntake.Status.PENDING).values_list("pk", "attempts")
    )
    if waiting and file_intakes_measure.get_backend().supports_defer:
        delay = min(60 * 2 ** max(a for _pk, a in waiting), 3600)
        ids = [pk for pk, _a in waiting]
        FileIntake.objects.filter(pk__in=ids).update(queued_at=timezone.now())
        file_intakes_measure.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(intake_ids=ids)
    return {"measured": measured, "pending": [pk for pk, _a in waiting]}
