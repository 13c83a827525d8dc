from django.apps import AppConfig


def _unless_review(handler_name):
    """Wagtail's workflow e-mail for every workflow but ours: review sends its own Chinese notices
    (and Wagtail's rejection mail would repeat them)."""

    def receiver(sender, instance, **kwargs):
        from .models import Submission

        if Submission.objects.filter(page_id=instance.object_id).exists():
            return None
        from wagtail.admin import signal_handlers

        return getattr(signal_handlers, handler_name)(sender=sender, instance=instance, **kwargs)

    return receiver


def _seed_review_demo(sender, stdout, **kwargs):
    """`seed_demo` also gives the review desk something to show (see seed_review_demo)."""
    from django.core.management import CommandError, call_command

    try:
        call_command("seed_review_demo", stdout=stdout)
    except CommandError as exc:  # e.g. no ffmpeg to make demo videos: the catalogue demo still stands
        stdout.write(f"评审演示数据未生成：{exc}")


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "征集评审"

    def ready(self):
        from wagtail.models import WorkflowState

        from catalogue.signals import campaign_notices, demo_seeded

        from . import receivers
        from .signals import file_checks_finished

        demo_seeded.connect(_seed_review_demo, dispatch_uid="review_seed_demo")
        file_checks_finished.connect(receivers.file_checks_finished, dispatch_uid="review_checks_done")
        campaign_notices.connect(receivers.campaign_notices, dispatch_uid="review_campaign_notices")
        from wagtail.signals import workflow_approved, workflow_rejected, workflow_submitted

        # Same dispatch_uid as wagtail.admin's handlers: whichever app is ready first, ours stays.
        for signal, uid, handler in (
            (workflow_submitted, "workflow_state_submitted_email_notification", "workflow_submission_email_notifier"),
            (workflow_rejected, "workflow_state_rejected_email_notification", "workflow_rejection_email_notifier"),
            (workflow_approved, "workflow_state_approved_email_notification", "workflow_approval_email_notifier"),
        ):
            signal.disconnect(sender=WorkflowState, dispatch_uid=uid)
            signal.connect(_unless_review(handler), sender=WorkflowState, dispatch_uid=uid, weak=False)
