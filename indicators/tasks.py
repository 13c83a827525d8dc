"""Background work: the scheduled roll-up refresh (scheduling.py explains the chain)."""

from django_tasks import task


@task()
def rollups_refresh_task(scheduled: bool = False) -> dict:
    """One refresh round. A scheduled run first queues the next one, so that a crash in the middle
    of this round cannot break the chain."""
    from .scheduling import refresh_round, refresh_schedule_next

    if scheduled:
        refresh_schedule_next()
    return refresh_round()
