"""Background work of the interop app (django-tasks: the worker in production, at once in the
embedded default)."""

from django_tasks import task


@task()
def push_due_task() -> dict:
    """Send what is due of the monthly push; run it on the roll-up scheduler's tick (docs/interop.md)."""
    from .push import push_send_what_is_due

    return push_send_what_is_due()


@task()
def push_resend_task(delivery_pk: int) -> bool:
    from .models import PushDelivery
    from .push import push_delivery_resend

    delivery = PushDelivery.objects.filter(pk=delivery_pk).first()
    return bool(delivery) and push_delivery_resend(delivery=delivery)
