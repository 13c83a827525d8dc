"""Fresh figures: the roll-ups are brought up to date on a schedule, even when nobody visits.

One round (`refresh_round`) writes the events still waiting in a buffer or in Redis, recomputes
every day marked dirty, purges raw events past their retention when the horizon has moved, and
stamps the time the figures are complete up to (RollupState.refreshed_at, "数据更新于 hh:mm"), then
sends `signals.rollups_refreshed` (the interop app queues the monthly push on it).
A round runs every INDICATORS_REFRESH_SECONDS (default 60 s, a fifth of the 5-minute promise).

Who runs the rounds (conf.scheduler_mode):

- **worker** (production: django-tasks-db, whose `db_worker` runs in docker-compose's worker
  service). django-tasks has no periodic scheduler, so the refresh task reschedules itself: each
  run first queues the next one with `run_after` = now + interval, then does its round. Why this
  and not a scheduler loop beside the worker: the next run is a row in the task table, so it
  survives restarts of the web and worker containers and a crash in the middle of a round (it was
  queued before the round began); it runs inside the one worker process compose already
  supervises and health-checks, with the worker's logging and error handling; any number of
  workers can run, because RollupState.next_run_at, updated under a row lock, keeps exactly one
  chain alive (a second chain stops at its next link). If the chain is ever lost (the task table
  emptied by hand), `refresh_schedule_ensure` starts a new one: it runs after every `migrate` (each
  web start) and whenever the dashboard, an export or the API finds the next run overdue.
- **thread** (the embedded default: in-process tasks cannot be deferred): a daemon thread in each
  web process runs the rounds; it starts with the process's first request. With several
  processes, each round takes only the days no other process holds (rows locked with SKIP LOCKED).
- **off**: nobody (tests call `refresh_round` themselves).
"""

import datetime
import logging
import os
import threading
import time

from django.db import close_old_connections, transaction
from django.utils import timezone

from . import conf
from .models import RollupState
from .signals import rollups_refreshed

logger = logging.getLogger(__name__)


def refresh_round(*, now: datetime.datetime | None = None) -> dict:
    """One scheduled round (see the module docstring)."""
    from .recording import get_recorder
    from .retention import access_events_purge_due
    from .services import rollups_refresh_dirty

    written = get_recorder().flush()
    days = rollups_refresh_dirty(now=now)
    purged = access_events_purge_due(today=timezone.localdate(now) if now else None)
    result = {"events_written": written, "days_refreshed": len(days), "events_purged": purged}
    rollups_refreshed.send(sender=refresh_round, result=result)
    return result


def refreshed_at() -> datetime.datetime | None:
    """Every event recorded before this moment is in the figures."""
    return RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


def is_stale(moment: datetime.datetime | None, *, now: datetime.datetime | None = None) -> bool:
    """Older than the promise (INDICATORS_MAX_AGE_SECONDS), or never refreshed."""
    now = now or timezone.now()
    return moment is None or (now - moment).total_seconds() > conf.max_age_seconds()


# --- worker mode: a self-rescheduling task ------------------------------------------------------


def _locked_state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _enqueue(at: datetime.datetime) -> None:
    from .tasks import rollups_refresh_task

    rollups_refresh_task.using(run_after=at).enqueue(scheduled_for=at.isoformat())


def refresh_schedule_ensure(*, now: datetime.datetime | None = None) -> bool:
    """In worker mode, start the chain unless its next run is queued and not overdue. True if a
    run was queued."""
    if conf.scheduler_mode() != "worker":
        return False
    now = now or timezone.now()
    overdue = now - datetime.timedelta(seconds=conf.max_age_seconds())
    with transaction.atomic():
        state = _locked_state()
        if state.next_run_at is not None and state.next_run_at > overdue:
            return False
        _enqueue(now)
        state.next_run_at = now
        state.save(update_fields=["next_run_at"])
    return True


def refresh_schedule_next(*, scheduled_for: datetime.datetime, now: datetime.datetime | None = None) -> bool:
    """Called by a running link of the chain (the run queued for `scheduled_for`): queue the next
    link, unless the state names another chain's link queued for later, in which case this chain
    ends here. True if a run was queued."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _locked_state()
        if state.next_run_at is not None and state.next_run_at != scheduled_for and state.next_run_at > now:
            return False
        at = now + datetime.timedelta(seconds=conf.refresh_seconds())
        _enqueue(at)
        state.next_run_at = at
        state.save(update_fields=["next_run_at"])
    return True


# --- thread mode: a daemon thread in each web process ---------------------------------------------


class RefreshThread:
    """Runs `refresh_round` now and then every INDICATORS_REFRESH_SECONDS, in a daemon thread of
    this process (restarted after a fork)."""

    def __init__(self):
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def start(self) -> None:
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return  # the common case, on every request: no lock
        with self._lock:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="indicators-refresh", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                refresh_round()
            except Exception:
                logger.exception("Scheduled roll-up refresh failed; retrying at the next round")
            finally:
                try:
                    close_old_connections()
                except Exception:
                    logger.exception("Could not close old database connections")
            self._stop.wait(max(0.0, conf.refresh_seconds() - (time.monotonic() - started)))


refresh_thread = RefreshThread()


def on_request_started(sender, **kwargs) -> None:
    """Start this process's refresh thread with its first request (embedded default only)."""
    if conf.scheduler_mode() == "thread":
        refresh_thread.start()


def on_post_migrate(sender, **kwargs) -> None:
    """After `migrate` (every web start in production): make sure the worker's chain exists."""
    try:
        refresh_schedule_ensure()
    except Exception:  # e.g. the task table is not migrated yet in this database
        logger.exception("Could not queue the scheduled roll-up refresh")
