"""A Redis cache that degrades to "no cache" while Redis is unreachable.

Pages must still serve when Redis is down (issue 6): every cache call that fails with a
connection error is logged (at most once a minute) and answered as a miss / no-op.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache

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
    get_many = _tolerant({})(RedisCache.get_many)
    set_many = _tolerant([])(RedisCache.set_many)
    delete_many = _tolerant(None)(RedisCache.delete_many)
    has_key = _tolerant(False)(RedisCache.has_key)
    clear = _tolerant(False)(RedisCache.clear)
    incr = _tolerant(None)(RedisCache.incr)
