"""Redis down → pages still serve: the cache answers misses instead of raising."""

import logging

import pytest
from django.core.cache import caches

from tests.hardening.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_redis(settings):
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    # Django's setting_changed handler rebuilds the cache connections for the new CACHES.
    settings.CACHES = {"default": {"BACKEND": "ops.cache.TolerantRedisCache", "LOCATION": url}}
    return url


def test_cache_calls_degrade_to_misses(dead_redis, caplog):
    cache = caches["default"]
    with caplog.at_level(logging.ERROR, logger="ops.cache"):
        assert cache.set("k", "v") is None
        assert cache.get("k") is None
        assert cache.get("k", "fallback") == "fallback"
        assert cache.get_or_set("k2", lambda: 42) == 42
        assert cache.get_many(["a", "b"]) == {}
        assert cache.add("k", "v") is False
        assert cache.delete("k") is False
    assert "Redis cache unavailable" in caplog.text


def test_pages_serve_with_redis_unreachable(client, site_pages, dead_redis):
    from tests import factories

    resource = factories.resource()
    assert client.get("/").status_code == 200
    assert client.get(resource.url).status_code == 200
    health = client.get("/healthz/")
    assert health.status_code == 200 and health.json() == {"database": "ok", "cache": "degraded"}
