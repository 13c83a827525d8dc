"""Batching: events wait in a buffer (in-process or Redis) and reach the database in one write."""

import atexit
import datetime
import shutil
import socket
import subprocess
import time

import pytest
from django.utils import timezone

from catalogue.models import ResourcePage
from indicators.models import AccessEvent, Exclusion, Source
from indicators.recording import BufferRecorder, RedisRecorder
from tests import factories

pytestmark = pytest.mark.django_db


def event(resource, seconds_ago: int, ip: str = "10.0.0.1") -> dict:
    return {
        "time": timezone.now() - datetime.timedelta(seconds=seconds_ago),
        "resource_id": resource.pk,
        "file_id": None,
        "action": "view",
        "user_id": None,
        "role": "",
        "region_id": None,
        "school_id": None,
        "session_hash": "",
        "client_key": f"h:{ip}",
        "ip_hash": "x",
        "user_agent": factories.BROWSER_UA,
        "exclusion": Exclusion.NONE,
        "source": Source.LIVE,
    }


def test_buffered_events_are_written_together_on_flush(site_pages):
    resource = factories.resource()
    recorder = BufferRecorder(size=1000, seconds=3600)  # the background flusher stays asleep
    recorder.submit(event(resource, 300))
    recorder.submit(event(resource, 200))
    recorder.submit(event(resource, 100, ip="10.0.0.2"))
    assert AccessEvent.objects.count() == 0  # nothing written during the "requests"
    assert recorder.flush() == 3  # what the exit handler does on a normal stop
    assert AccessEvent.objects.count() == 3
    assert ResourcePage.objects.get(pk=resource.pk).view_count == 3
    assert recorder.flush() == 0


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=5)


def test_redis_queue_keeps_events_until_drained(site_pages, redis_url):
    resource = factories.resource()
    recorder = RedisRecorder(url=redis_url, size=1000, seconds=3600)
    recorder.submit(event(resource, 100))
    recorder.submit(event(resource, 50, ip="10.0.0.2"))
    assert recorder.client.llen(RedisRecorder.KEY) == 2
    assert AccessEvent.objects.count() == 0
    # Another process (e.g. `manage.py flush_access_events`) drains the same queue.
    drainer = RedisRecorder(url=redis_url, size=1000, seconds=3600)
    assert drainer.flush() == 2
    assert recorder.client.llen(RedisRecorder.KEY) == 0
    assert ResourcePage.objects.get(pk=resource.pk).view_count == 2
    for r in (recorder, drainer):  # their Redis goes away with this test
        atexit.unregister(r.flush)
