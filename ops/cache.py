"""The shared cache's helpers.

- TolerantRedisCache: a Redis cache that degrades to "no cache" while Redis is unreachable. Pages
  must still serve when Redis is down (issue 6): every cache call that fails with a connection
  error is logged (at most once a minute) and answered as a miss / no-op.
- version tokens read once per request, and `local`, a per-process layer kept under them
  (catalogue.caching), so that a warm page costs one round trip to Redis for all of them.
- LocalFrontCache: that layer in front of the shared cache for Wagtail's renditions.
"""

import logging
import threading
import time
import uuid

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.signals import request_finished, request_started

logger = logging.getLogger("ops.cache")

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    TOLERATED = (RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover
    TOLERATED = (OSError,)


def _tolerant(default):
    def wrap(method):
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except TOLERATED as exc:
                self._report(method.__name__, exc)
                return default(*args, **kwargs) if callable(default) else default

        call.__name__ = method.__name__
        return call

    return wrap


class TolerantRedisCache(RedisCache):
    _last_report = 0.0

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        # Fail fast: a dead Redis must cost milliseconds per request, not the default timeouts.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        params["OPTIONS"] = options
        super().__init__(server, params)

    def _report(self, operation, exc):
        now = time.monotonic()
        if now - TolerantRedisCache._last_report > 60:
            TolerantRedisCache._last_report = now
            logger.error("Redis cache unavailable (%s: %s); serving without cache", operation, exc)

    @staticmethod
    def _get_default(key, default=None, version=None):
        return default

    get = _tolerant(_get_default)(RedisCache.get)
    set = _tolerant(None)(RedisCache.set)
    add = _tolerant(False)(RedisCache.add)
    touch = _tolerant(False)(RedisCache.touch)
    delete = _tolerant(False)(RedisCache.delete)
    get_many = _tolerant(lambda *args, **kwargs: {})(RedisCache.get_many)  # a new dict: callers fill it
    set_many = _tolerant(lambda *args, **kwargs: [])(RedisCache.set_many)
    delete_many = _tolerant(None)(RedisCache.delete_many)
    has_key = _tolerant(False)(RedisCache.has_key)
    clear = _tolerant(False)(RedisCache.clear)
    incr = _tolerant(None)(RedisCache.incr)


# --- version tokens, read once per request --------------------------------------------------------
#
# Entries that every page needs (catalogue.caching's site structure, Wagtail's renditions) are kept
# in each process as well as in the shared cache, under a version token that any edit replaces.
# Every process must see an edit at its next request, so the token is read from the shared cache,
# but once per request: the first `version()` of a request fetches every token this process has met
# in one round trip (get_many) and the rest of the request uses that snapshot. Outside a request
# (management commands, tasks, the shell) each call reads the shared cache.

_request = threading.local()
_known_versions: set[str] = set()
local = LocMemCache("ops-local", {"TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 5000}})


def _versions_read(names) -> dict:
    from django.core.cache import cache

    found = dict(cache.get_many(list(names)))
    for name in names:
        if found.get(name) is None:
            cache.add(name, uuid.uuid4().hex, None)
            found[name] = cache.get(name) or uuid.uuid4().hex  # Redis down: a token of this request
    return found


def version(name: str) -> str:
    """The current token of `name` (created on first use)."""
    snapshot = getattr(_request, "versions", None)
    if snapshot is None:
        return _versions_read([name])[name]
    if name not in snapshot:
        _known_versions.add(name)
        snapshot.update(_versions_read(_known_versions - snapshot.keys()))
    return snapshot[name]


def version_bump(name: str) -> None:
    """A new token for `name`: every process drops what it keeps under the old one."""
    from django.core.cache import cache

    token = uuid.uuid4().hex
    cache.set(name, token, None)
    snapshot = getattr(_request, "versions", None)
    if snapshot is not None:
        snapshot[name] = token


def request_memo(name: str, compute):
    """`compute()` once per request, kept with the request's version tokens (outside a request:
    every call computes)."""
    snapshot = getattr(_request, "versions", None)
    if snapshot is None:
        return compute()
    key = "memo:" + name
    if key not in snapshot:
        snapshot[key] = compute()
    return snapshot[key]


def request_memo_forget(name: str) -> None:
    snapshot = getattr(_request, "versions", None)
    if snapshot is not None:
        snapshot.pop("memo:" + name, None)


def shared_is_local() -> bool:
    """Whether the default cache is this process's memory already (the embedded default, tests).

    `django.core.cache.cache` is a proxy, never a LocMemCache itself: ask for the backend."""
    from django.core.cache import caches

    return isinstance(caches["default"], LocMemCache)


def _request_started(**kwargs):
    _request.versions = {}


def _request_finished(**kwargs):
    _request.versions = None


request_started.connect(_request_started, dispatch_uid="ops.cache.request_started")
request_finished.connect(_request_finished, dispatch_uid="ops.cache.request_finished")


class LocalFrontCache(BaseCache):
    """A process-local layer in front of another cache (LOCATION: its alias), for entries that never
    change under their key and are read many times a page: Wagtail's renditions (`caches["renditions"]`,
    keyed by image, file hash, focal point and filter). Reads come from this process's memory when it
    has them; misses go to the shared cache in one get_many. Writes of an entry this process already
    holds are skipped (Wagtail writes back every rendition it has read, on every page view). Deleting an entry
    (a rendition removed) deletes it in the shared cache and replaces the version token OPTIONS'
    VERSION_NAME, so every process drops its copies at its next request."""

    def __init__(self, location, params):
        params = dict(params)
        options = dict(params.pop("OPTIONS", None) or {})
        super().__init__(params)
        self._shared_alias = location or "default"
        self._version_name = options.get("VERSION_NAME", f"ops:local-front:{self._shared_alias}")

    @property
    def _shared(self):
        from django.core.cache import caches

        return caches[self._shared_alias]

    def _local_key(self, key) -> str:
        return f"{self._version_name}:{version(self._version_name)}:{key}"

    def get_many(self, keys, version=None):
        keys = list(keys)
        local_keys = {self._local_key(key): key for key in keys}
        found = {local_keys[k]: v for k, v in local.get_many(list(local_keys)).items()}
        missing = [key for key in keys if key not in found]
        if missing:
            fetched = self._shared.get_many(missing, version=version)
            if fetched:
                local.set_many({self._local_key(k): v for k, v in fetched.items()}, self.default_timeout)
            found.update(fetched)
        return found

    def get(self, key, default=None, version=None):
        return self.get_many([key], version=version).get(key, default)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        held = local.get_many([self._local_key(k) for k in data])
        new = {k: v for k, v in data.items() if self._local_key(k) not in held}
        if new:
            self._shared.set_many(new, timeout, version=version)
            local.set_many({self._local_key(k): v for k, v in new.items()}, self.default_timeout)
        return []

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.set_many({key: value}, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._shared.add(key, value, timeout, version=version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._shared.delete_many(keys, version=version)
        for key in keys:
            local.delete(self._local_key(key))
        version_bump(self._version_name)

    def delete(self, key, version=None):
        self.delete_many([key], version=version)
        return True

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._shared.touch(key, timeout, version=version)

    def has_key(self, key, version=None):
        return key in self.get_many([key], version=version)

    def clear(self):
        self._shared.clear()
        local.clear()
        version_bump(self._version_name)
