"""Settings of the indicators app, with their defaults (override in config/settings)."""

from django.conf import settings


def recording_mode() -> str:
    """immediate (tests: written in the request) | buffer (in-process batches) | redis | off."""
    default = "redis" if getattr(settings, "REDIS_URL", "") else "buffer"
    return getattr(settings, "INDICATORS_RECORDING", default)


def buffer_size() -> int:
    return getattr(settings, "INDICATORS_BUFFER_SIZE", 500)


def buffer_seconds() -> float:
    return getattr(settings, "INDICATORS_BUFFER_SECONDS", 2.0)


def rollup_interval_seconds() -> float:
    """Least time between two roll-up refreshes in one process (0 = after every batch)."""
    default = 0 if recording_mode() == "immediate" else 120
    return getattr(settings, "INDICATORS_ROLLUP_INTERVAL", default)


def editorial_prefixes() -> tuple[str, ...]:
    """Referer paths of editorial work: hits coming from there are reviewing, not using."""
    return tuple(getattr(settings, "INDICATORS_EDITORIAL_PREFIXES", ("/admin/", "/review/")))


def target_score() -> int:
    """Rows scoring below this are flagged (the provincial 70-point requirement in 003)."""
    return getattr(settings, "INDICATORS_TARGET_SCORE", 70)


SALT_RETENTION_DAYS = 2
DOUBLE_CLICK_SECONDS = 30
