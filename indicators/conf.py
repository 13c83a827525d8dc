"""Settings of the indicators app, with their defaults (override in config/settings; the
operator-facing ones come from the environment through config/env.py)."""

from django.conf import settings


def recording_mode() -> str:
    """immediate (tests: written in the request) | buffer (in-process batches) | redis | off."""
    default = "redis" if getattr(settings, "REDIS_URL", "") else "buffer"
    return getattr(settings, "INDICATORS_RECORDING", default)


def buffer_size() -> int:
    return getattr(settings, "INDICATORS_BUFFER_SIZE", 500)


def buffer_seconds() -> float:
    return getattr(settings, "INDICATORS_BUFFER_SECONDS", 2.0)


def max_age_seconds() -> int:
    """The promise: no published figure is older than this (default 5 minutes)."""
    return getattr(settings, "INDICATORS_MAX_AGE_SECONDS", 300)


def refresh_seconds() -> float:
    """How often the scheduler brings the roll-ups up to date: a fifth of the maximum age by
    default, so a missed or slow run still keeps the promise."""
    return getattr(settings, "INDICATORS_REFRESH_SECONDS", max(max_age_seconds() / 5, 1))


def scheduler_mode() -> str:
    """Who runs the scheduled refresh: `worker` (a self-rescheduling task on a task backend that
    can defer, i.e. django-tasks-db's db_worker in production), `thread` (a thread in each web
    process: the embedded default) or `off` (tests drive it themselves)."""
    mode = getattr(settings, "INDICATORS_SCHEDULER", "")
    if mode:
        return mode
    from django_tasks import default_task_backend

    return "worker" if default_task_backend.supports_defer else "thread"


def refresh_on_ingest() -> bool:
    """Recompute at once after every batch (only when events are written inside the request)."""
    return recording_mode() == "immediate"


def overactive_thresholds():
    from .counter import Thresholds

    return Thresholds(
        items_per_minute=getattr(settings, "INDICATORS_OVERACTIVE_ITEMS_PER_MINUTE", 10),
        items_per_day=getattr(settings, "INDICATORS_OVERACTIVE_ITEMS_PER_DAY", 100),
        actions_per_day=getattr(settings, "INDICATORS_OVERACTIVE_ACTIONS_PER_DAY", 300),
    )


def editorial_prefixes() -> tuple[str, ...]:
    """Referer paths of editorial work: hits coming from there are reviewing, not using."""
    return tuple(getattr(settings, "INDICATORS_EDITORIAL_PREFIXES", ("/admin/", "/review/")))


def target_score() -> int:
    """Rows scoring below this are flagged (the provincial 70-point requirement in 003)."""
    return getattr(settings, "INDICATORS_TARGET_SCORE", 70)


SALT_RETENTION_DAYS = 2
DOUBLE_CLICK_SECONDS = 30
# Raw access events are kept for 13 calendar months (docs/indicators.md, docs/operations.md §6);
# the roll-ups, which identify nobody, are kept for good.
RAW_EVENT_RETENTION_MONTHS = 13
