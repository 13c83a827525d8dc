"""Turning a request into an access event, and getting it to the database without slowing the page.

Recorders (chosen by `INDICATORS_RECORDING`, see conf.py):
- immediate: written inside the request (tests: deterministic assertions);
- buffer: appended to an in-process list; a background thread writes it in one transaction when it
  holds `INDICATORS_BUFFER_SIZE` events or is `INDICATORS_BUFFER_SECONDS` old, and at process exit;
- redis: RPUSH onto a Redis list (survives a web-process crash); the same background thread (and
  `manage.py flush_access_events`) drains it in batches;
- off: nothing is recorded.
"""

import atexit
import json
import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalogue.permissions import Ability, can

from . import conf
from .identity import identify
from .models import Exclusion, Source
from .robots import is_robot

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    # Behind the production proxy REMOTE_ADDR is the proxy; it passes the client in X-Real-IP.
    return (request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or "").strip()


def profile_snapshot(user) -> dict:
    """Role, region and school of the user now (copied onto the event, never looked up later)."""
    if not user or not user.is_authenticated:
        return {"user_id": None, "role": "", "region_id": None, "school_id": None}
    profile = getattr(user, "profile", None)
    if profile is None:
        return {"user_id": user.pk, "role": "", "region_id": None, "school_id": None}
    return {"user_id": user.pk, "role": profile.role, "region_id": profile.region_id, "school_id": profile.school_id}


def _is_editorial(request, snapshot: dict) -> bool:
    """Reviewers and admins at work: any hit by an account with admin access (reviewers, experts,
    resource admins, superusers: catalogue.permissions)."""
    user = request.user
    if not user.is_authenticated:
        return False
    return can(user, Ability.ACCESS_ADMIN)


def event_from_request(request, *, resource_id: int, action: str, file_id: int | None = None) -> dict:
    now = timezone.now()
    snapshot = profile_snapshot(request.user)
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:400]
    session = getattr(request, "session", None)
    session_key = (session.session_key or "") if snapshot["user_id"] and session is not None else ""
    if is_robot(user_agent):
        exclusion = Exclusion.ROBOT
    elif _is_editorial(request, snapshot) or request.path.startswith("/api/"):
        exclusion = Exclusion.EDITORIAL
    else:
        exclusion = Exclusion.NONE
    return {
        "time": now,
        "resource_id": resource_id,
        "file_id": file_id,
        "action": action,
        **snapshot,
        **identify(
            moment=now,
            user_id=snapshot["user_id"],
            session_key=session_key,
            ip=client_ip(request),
            user_agent=user_agent,
        ),
        "user_agent": user_agent,
        "exclusion": exclusion,
        "source": Source.LIVE,
    }


class ImmediateRecorder:
    def submit(self, event: dict) -> None:
        from .services import access_events_ingest

        access_events_ingest(events=[event])

    def flush(self) -> int:
        return 0


class BufferRecorder:
    """In-process batches. A normal stop flushes at exit; a crash loses at most one buffer."""

    def __init__(self, *, size: int, seconds: float):
        self.size, self.seconds = size, seconds
        self._events: list[dict] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread = None
        self._pid = None
        atexit.register(self.flush)

    def _ensure_thread(self):
        import os

        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="indicators-flush", daemon=True)
            self._thread.start()

    def submit(self, event: dict) -> None:
        with self._lock:
            self._events.append(event)
            full = len(self._events) >= self.size
        self._ensure_thread()
        if full:
            self._wake.set()

    def _take(self) -> list[dict]:
        with self._lock:
            batch, self._events = self._events, []
        return batch

    def flush(self) -> int:
        from .services import access_events_ingest

        batch = self._take()
        if not batch:
            return 0
        try:
            return access_events_ingest(events=batch)
        except Exception:
            logger.exception("Could not write %d access events; keeping them for the next flush", len(batch))
            with self._lock:
                self._events[:0] = batch
            return 0

    def _run(self):
        while True:
            self._wake.wait(self.seconds)
            self._wake.clear()
            try:
                self.flush()
            finally:
                close_old_connections()


class RedisRecorder(BufferRecorder):
    """Events go to a Redis list at once; the background thread drains it into the database."""

    KEY = "indicators:access-events"

    def __init__(self, *, url: str, size: int, seconds: float):
        import redis

        super().__init__(size=size, seconds=seconds)
        self.client = redis.Redis.from_url(url)

    def submit(self, event: dict) -> None:
        payload = dict(event, time=event["time"].isoformat())
        self.client.rpush(self.KEY, json.dumps(payload, ensure_ascii=False))
        self._ensure_thread()

    def flush(self) -> int:
        from .services import access_events_ingest

        written = 0
        while True:
            try:
                raw = self.client.lpop(self.KEY, self.size) or []
            except Exception:  # Redis unreachable: the events wait in Redis for the next drain
                logger.exception("Could not read access events from Redis")
                return written
            if not raw:
                return written
            batch = []
            for item in raw:
                event = json.loads(item)
                event["time"] = parse_datetime(event["time"])
                batch.append(event)
            try:
                written += access_events_ingest(events=batch)
            except Exception:
                logger.exception("Could not write %d access events; pushing them back to Redis", len(batch))
                self.client.lpush(self.KEY, *reversed(raw))
                return written


class OffRecorder:
    def submit(self, event: dict) -> None:
        pass

    def flush(self) -> int:
        return 0


_recorder = None
_recorder_mode = None
_recorder_lock = threading.Lock()


def get_recorder():
    global _recorder, _recorder_mode
    mode = conf.recording_mode()
    if _recorder is not None and _recorder_mode == mode:
        return _recorder
    with _recorder_lock:
        if _recorder is not None and _recorder_mode != mode:
            _recorder.flush()
        if mode == "immediate":
            _recorder = ImmediateRecorder()
        elif mode == "redis":
            _recorder = RedisRecorder(url=settings.REDIS_URL, size=conf.buffer_size(), seconds=conf.buffer_seconds())
        elif mode == "off":
            _recorder = OffRecorder()
        else:
            _recorder = BufferRecorder(size=conf.buffer_size(), seconds=conf.buffer_seconds())
        _recorder_mode = mode
    return _recorder


def record(request, *, resource_id: int, action: str, file_id: int | None = None) -> None:
    recorder = get_recorder()
    if isinstance(recorder, OffRecorder):
        return
    recorder.submit(event_from_request(request, resource_id=resource_id, action=action, file_id=file_id))


def on_resource_accessed(sender, request, resource, action, file=None, **kwargs):
    """Receiver of catalogue.signals.resource_accessed (public views and downloads only)."""
    try:
        record(request, resource_id=resource.pk, action=action, file_id=getattr(file, "pk", None))
    except Exception:  # counting must never break a page
        logger.exception("Could not record an access to resource %s", resource.pk)
