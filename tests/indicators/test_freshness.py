"""Fresh figures on a quiet site: the scheduled refresh brings the roll-ups up to date without any
visit, the dashboard and the exports say when ("数据更新于 hh:mm"), and the worker's refresh chain
keeps itself alive. The clock moves as it would over a quiet afternoon."""

import datetime
import io
import json
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from catalogue.models import ResourcePage, Role
from indicators import scheduling
from indicators.models import AccessEvent, RollupState
from indicators.recording import get_recorder
from tests import factories

from .conftest import at

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment

    def to(self, clock: str):
        self.moment = at(self.moment.astimezone(timezone.get_current_timezone()).date().isoformat(), clock)


@pytest.fixture
def clock(monkeypatch):
    moving = Clock(at("2026-03-05", "14:50:00"))
    monkeypatch.setattr(timezone, "now", moving)
    return moving


@pytest.fixture
def production_recording(settings):
    """Events wait in the in-process buffer as in production (the flusher thread stays asleep)."""
    settings.INDICATORS_RECORDING = "buffer"
    settings.INDICATORS_BUFFER_SECONDS = 3600
    yield
    get_recorder().flush()
    settings.INDICATORS_RECORDING = "immediate"


def views(resource) -> int:
    """The resource's view count. The tests' in-memory SQLite is shared by threads without a busy
    timeout: a read that meets the refresh thread's write transaction is told "table is locked"
    at once, where a file database would wait; such a read is asked again."""
    from django.db import OperationalError

    for _ in range(50):
        try:
            return ResourcePage.objects.get(pk=resource.pk).view_count
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.1)
    return ResourcePage.objects.get(pk=resource.pk).view_count


def test_a_quiet_site_is_brought_up_to_date_every_round_and_says_when(site_pages, clock, production_recording, client):
    resource = factories.resource(title="薄山湖｜水库与生态")
    admin = factories.user(Role.RESOURCE_ADMIN, region="")
    visitor = Client(HTTP_USER_AGENT=factories.BROWSER_UA)

    clock.to("14:53:00")
    visitor.get(resource.url)  # the last visit of the afternoon
    clock.to("14:54:00")
    assert views(resource) == 0  # still in the buffer, nothing counted yet
    scheduling.refresh_round()  # what the scheduler runs every minute, visit or no visit
    assert views(resource) == 1
    assert AccessEvent.objects.count() == 1

    # Nobody visits; the rounds go on. At 14:58 the figures are from 14:58 and include 14:53.
    for minute in ("14:55:00", "14:56:00", "14:57:00", "14:58:00"):
        clock.to(minute)
        scheduling.refresh_round()
    client.force_login(admin)
    html = client.get("/admin/indicators/", {"period": "2026-03"}).content.decode()
    assert "数据更新于 14:58" in html and "未更新" not in html
    workbook = load_workbook(io.BytesIO(client.get("/admin/indicators/export.xlsx", {"period": "2026-03"}).content))
    assert "数据更新于 14:58" in workbook["全市"]["A1"].value
    assert any("数据更新于 14:58" in (row[0] or "") for row in workbook["说明"].iter_rows(values_only=True))
    api = client.get("/api/indicators/", {"period": "2026-03", "level": "city"}).json()
    assert api["updated_at"] == "2026-03-05T14:58:00+08:00"

    # A download at 14:58:30 is in by the next round, without another visit to any page.
    doc = factories.document("课件", name="lesson.pdf")
    page = factories.resource(title="嫘祖｜养蚕缫丝", files=[(doc, "document")])
    f = page.files.get()
    clock.to("14:58:30")
    visitor.get(f"/files/{f.pk}/{f.filename}?download=1")
    clock.to("14:59:00")
    scheduling.refresh_round()
    assert ResourcePage.objects.get(pk=page.pk).download_count == 1


def test_the_dashboard_warns_when_the_figures_are_older_than_promised(site_pages, clock, client):
    client.force_login(factories.user(Role.RESOURCE_ADMIN, region=""))
    scheduling.refresh_round()  # 14:50
    clock.to("14:54:59")
    assert "（超过" not in client.get("/admin/indicators/").content.decode()
    clock.to("14:55:01")  # more than 5 minutes: the worker must have stopped
    html = client.get("/admin/indicators/").content.decode()
    assert "数据更新于 14:50" in html and "超过 5 分钟未更新" in html


def test_the_indicators_command_exports_fresh_figures(site_pages, clock, production_recording):
    resource = factories.resource()
    Client(HTTP_USER_AGENT=factories.BROWSER_UA).get(resource.url)
    get_recorder().flush()  # the buffer reached the database, the roll-ups not yet
    clock.to("15:00:00")
    out = io.StringIO()
    call_command("indicators", "--period", "2026-03", "--level", "city", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["updated_at"] == "2026-03-05T15:00:00+08:00"
    assert views(resource) == 1


@pytest.fixture
def worker_backend(settings):
    """A task backend that can defer, as django-tasks-db's is (the dummy one keeps what is queued)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.INDICATORS_SCHEDULER = ""  # derived from the backend: "worker"
    from django_tasks import default_task_backend

    return default_task_backend


def run(result):
    """What db_worker does with a queued task."""
    return result.task.call(*result.args, **result.kwargs)


def test_the_worker_chain_requeues_itself_and_stays_a_single_chain(site_pages, clock, worker_backend):
    assert scheduling.refresh_schedule_ensure() is True  # after `migrate`, at web start
    assert scheduling.refresh_schedule_ensure() is False  # already queued
    (first,) = worker_backend.results
    assert first.task.run_after == clock() and first.kwargs == {"scheduled_for": clock().isoformat()}

    clock.to("14:50:02")
    run(first)  # queues the next link first, then refreshes
    second = worker_backend.results[-1]
    assert len(worker_backend.results) == 2 and second.task.run_after == at("2026-03-05", "14:51:02")
    assert RollupState.objects.get().refreshed_at == clock()

    # The worker was down for ten minutes: the dashboard (or the next web start) finds the chain
    # overdue and queues a run; when the worker is back both run, and only one chain continues.
    clock.to("15:01:30")
    assert scheduling.refresh_schedule_ensure() is True
    third = worker_backend.results[-1]
    clock.to("15:01:31")
    run(second)
    clock.to("15:01:32")
    run(third)
    queued_after = [r for r in worker_backend.results if r.task.run_after and r.task.run_after > clock()]
    assert len(queued_after) == 1
    assert RollupState.objects.get().next_run_at == queued_after[0].task.run_after


@pytest.mark.django_db(transaction=True)
def test_the_embedded_default_refreshes_in_a_thread_with_nobody_visiting(site_pages, settings):
    settings.INDICATORS_RECORDING = "buffer"
    settings.INDICATORS_BUFFER_SECONDS = 0.05
    settings.INDICATORS_REFRESH_SECONDS = 0.1
    resource = factories.resource()
    thread = scheduling.RefreshThread()
    try:
        Client(HTTP_USER_AGENT=factories.BROWSER_UA).get(resource.url)  # the last visit
        thread.start()  # what the process's first request does in the embedded default
        deadline = time.monotonic() + 20
        while views(resource) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert views(resource) == 1
        assert RollupState.objects.get().refreshed_at > timezone.now() - datetime.timedelta(seconds=20)
    finally:
        thread.stop()
        settings.INDICATORS_RECORDING = "immediate"
        get_recorder()  # writes what is left and stops the buffer's flusher thread


def test_the_first_request_starts_the_thread_only_in_the_embedded_default(settings, monkeypatch):
    started = []
    monkeypatch.setattr(scheduling.refresh_thread, "start", lambda: started.append(True))
    scheduling.on_request_started(sender=None)
    settings.INDICATORS_SCHEDULER = "thread"
    scheduling.on_request_started(sender=None)
    assert started == [True]
