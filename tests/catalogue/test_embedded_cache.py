"""Without Redis (the embedded default) every process caches in its own memory, so an edit made
through one process reaches the others only when their copies expire: within LOCAL_SECONDS (30 s,
docs/operations.md), not the hour a shared Redis entry lives."""

import time

import pytest
from django.core.cache import caches

from catalogue import caching
from catalogue.models import TopicPage
from ops.cache import local, shared_is_local

pytestmark = pytest.mark.django_db


def test_what_the_public_pages_cache_expires_within_thirty_seconds(client, site_pages):
    assert shared_is_local()
    topic = TopicPage.objects.get(topic__name="嵖岈山")
    for url in ("/", topic.url, topic.get_parent().url):
        assert client.get(url).status_code == 200
    memory = caches["default"]
    now = time.time()
    lifetimes = {
        key: expiry - now for key, expiry in memory._expire_info.items() if ":catalogue:" in key and expiry is not None
    }
    assert any(":catalogue:structure:" in key for key in lifetimes)
    assert any(":catalogue:route:" in key for key in lifetimes)  # the topic and theme pages' routes
    assert max(lifetimes.values()) <= caching.LOCAL_SECONDS
    # and nothing is kept a second time in the per-process layer meant to sit in front of Redis
    assert not local._cache
