"""The one door through which every counted action enters (`access_record`), turning a request
into an access event and getting it to the database without slowing the page.

Every counted action comes through `access_record`: the resource page's detail view and every file
download (our file view and Wagtail's `/documents/<id>/<name>`, the API's download_url) through
`catalogue.signals.resource_accessed`, and plays through the player's beacon view. Historical log
imports and the test factories build their events with the same `access_event`.

Recorders (chosen by `INDICATORS_RECORDING`, see conf.py):
- immediate: written inside the request (tests: deterministic assertions);
- buffer: appended to an in-process list; a background thread writes it in one transaction when it
  holds `INDICATORS_BUFFER_SIZE` events or is `INDICATORS_BUFFER_SECONDS` old, and at process exit;
- redis: RPUSH onto a Redis list (survives a web-process crash); the same background thread (and
  the scheduled refresh) drains it in batches;
- off: nothing is recorded.
"""

import atexit
import json
import logging
import re
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalogue.permissions import Ability, can
from catalogue.selectors import resource_is_public
from ops.net import client_ip

from . import conf
from .identity import identify
from .models import Action, Exclusion, Source
from .robots import is_robot

logger = logging.getLogger(__name__)

# The HTTP method of each counted action: page views and downloads are GETs (HEAD asks for nothing),
# plays are the player's POST.
METHODS = {Action.VIEW: "GET", Action.DOWNLOAD: "GET", Action.PLAY: "POST"}
RANGE_START = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-")


def profile_snapshot(user) -> dict:
    """Role, region and school of the user now (copied onto the event, never looked up later)."""
    if not user or not user.is_authenticated:
        return {"user_id": None, "role": "", "region_id": None, "school_id": None}
    profile = getattr(user, "profile", None)
    if profile is None:
        return {"user_id": user.pk, "role": "", "region_id": None, "school_id": None}
    return {"user_id": user.pk, "role": profile.role, "region_id": profile.region_id, "school_id": profile.school_id}


def is_editorial_user(user, snapshot: dict) -> bool:
    """Reviewers, experts, the resource admin and superusers (the accounts of the review desk,
    `Ability.USE_REVIEW_DESK`) are at work whenever they open a resource."""
    return can(user, Ability.USE_REVIEW_DESK)


def _is_editorial(request, snapshot: dict) -> bool:
    """Reviewers and admins at work: any hit by an editorial role or a superuser, or a hit from the
    admin or review screens by a user who may use them."""
    user = request.user
    if not user.is_authenticated:
        return False
    if is_editorial_user(user, snapshot):
        return True
    referer = urlsplit(request.META.get("HTTP_REFERER", "")).path
    return referer.startswith(conf.editorial_prefixes()) and can(user, Ability.ACCESS_ADMIN)


def is_continuation(request) -> bool:
    """A Range request for anything but the start of a file continues a download already counted
    (a resumed download, a download manager's parallel chunks)."""
    match = RANGE_START.match(request.headers.get("Range", ""))
    return bool(match) and (match.group(1) == "" or int(match.group(1)) > 0)


def access_event(
    *,
    moment,
    resource_id: int,
    action: str,
    file_id: int | None = None,
    user=None,
    session_key: str = "",
    ip: str = "",
    user_agent: str = "",
    editorial: bool = False,
    source: str = Source.LIVE,
) -> dict:
    """One access event (a dict of AccessEvent fields), identity hashed and exclusion decided."""
    snapshot = profile_snapshot(user)
    user_agent = (user_agent or "")[:400]
    if is_robot(user_agent):
        exclusion = Exclusion.ROBOT
    elif editorial or is_editorial_user(user, snapshot):
        exclusion = Exclusion.EDITORIAL
    else:
        exclusion = Exclusion.NONE
    return {
        "time": moment,
        "resource_id": resource_id,
        "file_id": file_id,
        "action": action,
        **snapshot,
        **identify(
            moment=moment,
            user_id=snapshot["user_id"],
            session_key=session_key if snapshot["user_id"] else "",
            ip=ip or "",
        ),
        "user_agent": user_agent,
        "exclusion": exclusion,
        "source": source,
    }


def event_from_request(request, *, resource_id: int, action: str, file_id: int | None = None) -> dict:
    user = getattr(request, "user", None)
    snapshot = profile_snapshot(user)
    session = getattr(request, "session", None)
    return access_event(
        moment=timezone.now(),
        resource_id=resource_id,
        action=action,
        file_id=file_id,
        user=user,
        session_key=(session.session_key or "") if session is not None else "",
        ip=client_ip(request) or "",
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        editorial=_is_editorial(request, snapshot) or request.path.startswith("/api/"),
    )


def access_record(*, request, resource, action: str, file=None) -> dict | None:
    """THE door: record one access to `resource` by `request` if it is a countable one, and return
    the event (robots and editorial hits are recorded too, marked excluded). Not recorded: a method
    that asks for nothing (HEAD), a Range request continuing a download, a resource the public may
    not see. Counting never breaks a page: any error is logged and swallowed."""
    try:
        if request.method != METHODS[action]:
            return None
        if action == Action.DOWNLOAD and is_continuation(request):
            return None
        recorder = get_recorder()
        if isinstance(recorder, OffRecorder) or not resource_is_public(resource):
            return None
        event = event_from_request(request, resource_id=resource.pk, action=action, file_id=getattr(file, "pk", None))
        recorder.submit(event)
        return event
    except Exception:
        logger.exception("Could not record an access to resource %s", getattr(resource, "pk", None))
        return None


def _close_connections() -> None:
    """Close this thread's database connections if they are broken or too old (as after a request)."""
    try:
        close_old_connections()
    except Exception:
        logger.exception("Could not close old database connections")


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
        self._retired = False
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

    def retire(self) -> None:
        """Write what is left and stop the background thread (the recorder was replaced)."""
        self._retired = True
        self._wake.set()
        self.flush()

    def _run(self):
        while not self._retired:
            self._wake.wait(self.seconds)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # never let the flusher die: the next round retries
                logger.exception("Access events could not be flushed")
            finally:
                _close_connections()


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
            if hasattr(_recorder, "retire"):
                _recorder.retire()
            else:
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


def on_resource_accessed(sender, request, resource, action, file=None, **kwargs):
    """Receiver of catalogue.signals.resource_accessed (detail views and file downloads)."""
    access_record(request=request, resource=resource, action=action, file=file)
