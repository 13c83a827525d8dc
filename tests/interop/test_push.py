"""The monthly push as the upstream platform receives it: an HTTPS server on loopback with its own
CA, HMAC-verified, failing (500s, a timeout) and then recovering."""

import datetime
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
import requests
from django.utils import timezone

from catalogue.models import Region, Role, School
from indicators.models import RollupDirtyDay
from indicators.periods import parse_period
from indicators.selectors import indicator_rows
from interop import push
from interop.models import PushDelivery, PushStatus
from tests import factories

from .receiver import Receiver, make_certificates

pytestmark = pytest.mark.django_db
SECRET = "test-secret-for-hmac-0123456789"


@pytest.fixture
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def receiver(certificates, settings):
    ca, certificate, key = certificates
    with Receiver(certificate, key, SECRET) as server:
        settings.INTEROP_PUSH_URL = server.url
        settings.INTEROP_PUSH_SECRET = SECRET
        settings.INTEROP_PUSH_CA_BUNDLE = str(ca)
        settings.INTEROP_PUSH_TIMEOUT = 1
        settings.INTEROP_PUSH_FIRST_MONTH = "2026-09"
        yield server


@pytest.fixture
def figures():
    school = factories.school_(region="遂平县", name="遂平县第一初级中学")
    factories.denominator(region="遂平县", teachers=100, students=200)
    factories.daily_rollup("2026-10-05", Role.TEACHER, 120, region="遂平县", school=school)
    factories.daily_rollup("2026-10-06", Role.STUDENT, 30, region="遂平县", school=school, action="download")
    factories.daily_rollup("2026-10-06", Role.TEACHER, 7, region="汝南县")
    return school


def units() -> int:
    return Region.objects.count() + School.objects.count()


def later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def test_failing_endpoint_recovers_with_exactly_one_delivery_per_unit_and_month(receiver, figures):
    receiver.script = ["500", "500", "slow"]
    first = push.push_send_what_is_due()
    # Two months (September, October) are final; November is still running.
    assert PushDelivery.objects.count() == 2 * units()
    assert set(PushDelivery.objects.values_list("month", flat=True)) == {
        datetime.date(2026, 9, 1),
        datetime.date(2026, 10, 1),
    }
    # Three failures in a row stop the run (an endpoint that is down costs one timeout, not hundreds).
    assert first == {"configured": True, "prepared": 2 * units(), "sent": 0, "failed": 3}
    retrying = PushDelivery.objects.filter(status=PushStatus.RETRYING).order_by("last_attempt_at", "pk")
    assert retrying.count() == 3
    errors = [d.last_error for d in retrying]
    assert errors[0].startswith("HTTP 500") and "Timeout" in errors[2]
    assert all(d.next_attempt_at > timezone.now() for d in retrying)

    # Still inside the backoff: nothing is retried, the pending rest goes out.
    second = push.push_send_what_is_due()
    assert second["sent"] == 2 * units() - 3 and second["failed"] == 0
    assert PushDelivery.objects.filter(status=PushStatus.RETRYING).count() == 3
    # After the backoff the three are sent; the one that timed out had been processed: the receiver
    # answers 200 to the repeat and stores nothing twice.
    third = push.push_send_what_is_due(now=later(10))
    assert third == {"configured": True, "prepared": 0, "sent": 3, "failed": 0}
    assert PushDelivery.objects.exclude(status=PushStatus.SENT).count() == 0
    assert sorted(PushDelivery.objects.values_list("attempts", flat=True))[-3:] == [2, 2, 2]

    per_unit = Counter((d["unit"]["customer_id"], d["month"]) for d in receiver.accepted.values())
    assert len(per_unit) == 2 * units() and set(per_unit.values()) == {1}
    assert all(status in (200, 500) for _d, status in receiver.requests)  # every signature verified

    # Running again changes nothing and sends nothing.
    assert push.push_send_what_is_due(now=later(20)) == {"configured": True, "prepared": 0, "sent": 0, "failed": 0}


def test_the_body_carries_the_monitoring_figures_and_counter_metrics(receiver, figures):
    push.push_send_what_is_due()
    documents = {(d["unit"]["customer_id"], d["month"]): d for d in receiver.accepted.values()}
    county = documents[("zmd-suiping", "2026-10")]
    row = indicator_rows(parse_period("2026-10"), "region", Region.objects.get(name="遂平县"))[0]
    assert county["schema"] == "zmd-monthly-usage/1"
    assert county["unit"] == {"kind": "county", "customer_id": "zmd-suiping", "code": "suiping", "name": "遂平县"}
    assert county["figures"] == {key: row[key] for key in push.FIGURE_KEYS}
    assert county["figures"]["teacher_visits"] == 120 and county["figures"]["teacher_visits_per_100"] == 120.0
    assert county["counter"] == {
        "Total_Item_Investigations": 150,
        "Unique_Item_Investigations": 150,
        "Total_Item_Requests": 30,
        "Unique_Item_Requests": 0,  # the factory's roll-up rows carry no request uniques
    }
    school = documents[(f"zmd-school-{figures.pk}", "2026-10")]
    assert school["unit"]["county"] == {"code": "suiping", "name": "遂平县"}
    assert school["figures"]["student_visits"] == 30
    quiet = documents[("zmd-xiping", "2026-09")]
    assert quiet["figures"]["teacher_visits"] == 0 and quiet["counter"]["Total_Item_Investigations"] == 0
    delivery = PushDelivery.objects.get(month=datetime.date(2026, 10, 1), region__code="suiping", school=None)
    assert county["delivery_id"] == str(delivery.delivery_id)


def test_a_month_waiting_for_a_recount_is_not_sent(receiver, figures):
    RollupDirtyDay.objects.create(day=datetime.date(2026, 10, 20))
    push.push_send_what_is_due()
    assert set(PushDelivery.objects.values_list("month", flat=True)) == {datetime.date(2026, 9, 1)}
    RollupDirtyDay.objects.all().delete()
    push.push_send_what_is_due()
    assert PushDelivery.objects.filter(month=datetime.date(2026, 10, 1)).count() == units()


def test_forged_or_replayed_requests_fail_the_receivers_check(receiver, figures, settings):
    """The documented verification: a wrong secret or an old timestamp is refused."""
    push.push_send_what_is_due()
    delivery = PushDelivery.objects.first()
    body = delivery.body.encode()
    session = requests.Session()

    def post(**kw):
        return session.post(receiver.url, data=body, verify=settings.INTEROP_PUSH_CA_BUNDLE, **kw)

    wrong = push.signature(secret="not-the-secret", timestamp=str(int(timezone.now().timestamp())), body=body)
    forged = post(
        headers={"X-ZMD-Timestamp": str(int(timezone.now().timestamp())), "X-ZMD-Signature": "sha256=" + wrong}
    )
    assert forged.status_code == 401 and forged.json() == {"error": "bad signature"}
    old = str(int(timezone.now().timestamp()) - 3600)
    replay = post(
        headers={
            "X-ZMD-Timestamp": old,
            "X-ZMD-Signature": "sha256=" + push.signature(secret=SECRET, timestamp=old, body=body),
        },
    )
    assert replay.status_code == 401 and replay.json() == {"error": "stale or missing timestamp"}


def test_without_the_ca_bundle_the_self_signed_endpoint_is_refused(receiver, figures, settings):
    settings.INTEROP_PUSH_CA_BUNDLE = ""
    result = push.push_send_what_is_due()
    assert result["sent"] == 0 and result["failed"] == 3
    assert "SSLError" in PushDelivery.objects.filter(status=PushStatus.RETRYING).first().last_error
    assert receiver.accepted == {}


def test_plain_http_is_never_used(receiver, figures, settings):
    settings.INTEROP_PUSH_URL = receiver.url.replace("https://", "http://")
    push.push_send_what_is_due()
    delivery = PushDelivery.objects.filter(status=PushStatus.RETRYING).first()
    assert "https://" in delivery.last_error and receiver.requests == []


def test_not_configured_sends_nothing(settings, figures):
    settings.INTEROP_PUSH_URL = ""
    assert push.push_send_what_is_due()["configured"] is False
    assert PushDelivery.objects.count() == 0


def test_backoff_doubles_up_to_six_hours():
    assert [push.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert push.backoff(20) == datetime.timedelta(hours=6)


def test_the_environment_configures_the_push(tmp_path):
    """The settings come from the environment (config/env.py), as docker-compose sets them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "INTEROP_PUSH_URL": "https://upstream.example/zmd",
        "INTEROP_PUSH_SECRET": "s3cret",
        "INTEROP_PUSH_CA_BUNDLE": str(tmp_path / "ca.pem"),
        "INTEROP_PUSH_FIRST_MONTH": "2026-01",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.INTEROP_PUSH_URL, s.INTEROP_PUSH_SECRET, s.INTEROP_PUSH_CA_BUNDLE, s.INTEROP_PUSH_FIRST_MONTH]))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        "https://upstream.example/zmd",
        "s3cret",
        str(tmp_path / "ca.pem"),
        "2026-01",
    ]


def test_the_roll_up_refresh_tick_sends_the_closed_months(receiver, figures):
    """Nobody runs push_monthly by hand: the scheduled refresh round of the roll-ups (the worker's
    chain, or the embedded default's thread) queues the push, and the closed months arrive."""
    from indicators.scheduling import refresh_round

    refresh_round()
    assert PushDelivery.objects.count() == 2 * units()
    assert PushDelivery.objects.exclude(status=PushStatus.SENT).count() == 0
    assert len(receiver.accepted) == 2 * units()


def test_without_a_push_endpoint_the_tick_sends_nothing(settings, figures):
    from indicators.scheduling import refresh_round

    settings.INTEROP_PUSH_URL = ""
    refresh_round()
    assert not PushDelivery.objects.exists()
