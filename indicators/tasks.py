"""Background work: the scheduled roll-up refresh (scheduling.py explains the chain)."""

from django_tasks import task


@task()
def rollups_refresh_task(scheduled_for: str = "") -> dict:
    """One refresh round. A scheduled run (the link queued for `scheduled_for`) first queues the
    next one, so that a crash in the middle of this round cannot break the chain."""
    from django.utils.dateparse import parse_datetime

    from .scheduling import refresh_round, refresh_schedule_next

    if scheduled_for:
        refresh_schedule_next(scheduled_for=parse_datetime(scheduled_for))
    return refresh_round()
