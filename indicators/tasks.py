"""Background work: recomputing dirty days' roll-ups off the request path (a worker runs it with
the database task backend; the immediate backend of dev/test runs it at once)."""

from django_tasks import task


@task()
def rollups_refresh_task() -> int:
    from .services import rollups_refresh_dirty

    return len(rollups_refresh_dirty())
