"""Writes of the ops app. Backups: ops.backup; personal data: ops.personal_data."""

import datetime

from django.db import transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

AUDIT_LOG_MIN_DAYS = 183


@transaction.atomic
def audit_log_purge(*, older_than_days: int, dry_run: bool = False) -> dict:
    """Delete audit entries strictly older than `older_than_days` days; never younger ones."""
    if older_than_days < AUDIT_LOG_MIN_DAYS:
        raise ValueError(f"audit log entries are kept at least {AUDIT_LOG_MIN_DAYS} days")
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    page = PageLogEntry.objects.filter(timestamp__lt=cutoff)
    model = ModelLogEntry.objects.filter(timestamp__lt=cutoff)
    result = {"cutoff": cutoff, "page": page.count(), "model": model.count()}
    if not dry_run:
        page.delete()
        model.delete()
    return result
