"""The monthly push upward: after a month's roll-ups are final, each county's and each school's
figures for that month go to the configured HTTPS endpoint, signed, retried with exponential
backoff, once per unit and month (docs/interop.md §3).

`push_send_what_is_due` is the one idempotent entry point (the task, the command and the
scheduler call it): it creates the deliveries of every month that has become due and sends every
delivery whose next attempt is due. A delivery's body and id never change, so a retry or a resend
is the same message and the receiver deduplicates on `X-ZMD-Delivery`.
"""

import datetime
import hashlib
import hmac
import json
import logging
import time
import uuid

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from catalogue.models import Region, School
from indicators.counter import REQUEST_ACTIONS
from indicators.models import DailyRollup
from indicators.periods import Period, month_last_day
from indicators.selectors import indicator_rows

from . import sushi
from .models import PushDelivery, PushStatus

logger = logging.getLogger(__name__)

SCHEMA = "zmd-monthly-usage/1"
MAX_ATTEMPTS = 12
FIRST_DELAY = datetime.timedelta(minutes=1)
MAX_DELAY = datetime.timedelta(hours=6)
REPLAY_WINDOW_SECONDS = 300
STOP_AFTER_FAILURES = 3
FIGURE_KEYS = (
    "teachers",
    "students",
    "teacher_visits",
    "teacher_unique_visits",
    "teacher_visits_per_100",
    "teacher_visit_score",
    "student_visits",
    "student_unique_visits",
    "student_visits_per_100",
    "student_visit_score",
)


class PushNotConfigured(Exception):
    pass


def push_configured() -> bool:
    return bool(settings.INTEROP_PUSH_URL and settings.INTEROP_PUSH_SECRET)


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex, as sent in X-ZMD-Signature (with "sha256=")."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failed attempt, at most six hours."""
    return min(MAX_DELAY, FIRST_DELAY * (2 ** max(0, attempts - 1)))


# --- which months are due -----------------------------------------------------------------------


def _parse_month(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip() + "-01") if value else None
    except ValueError:
        logger.warning("INTEROP_PUSH_FIRST_MONTH=%r is not YYYY-MM; ignored", value)
        return None


def due_months(now=None) -> list[datetime.date]:
    """Final months still missing some delivery: from INTEROP_PUSH_FIRST_MONTH (else the latest
    month already prepared, else — the first time — the last final month) to the last final month.
    A month prepared before a school was added gets that school's delivery on the next run."""
    last = sushi.last_month_available(now)
    if not sushi.month_is_final(last, now):
        return []
    latest = PushDelivery.objects.order_by("-month").values_list("month", flat=True).first()
    first = _parse_month(settings.INTEROP_PUSH_FIRST_MONTH) or latest or last
    units = Region.objects.count() + School.objects.count()
    months, month = [], first
    while month <= last:
        if PushDelivery.objects.filter(month=month).count() < units:
            months.append(month)
        month = sushi.next_month(month)
    return months


# --- bodies ----------------------------------------------------------------------------------------


def _counter_totals(month: datetime.date, field: str) -> dict:
    """COUNTER metrics of every county (field region_id) or school (school_id) for a month."""
    last = month_last_day(month.year, month.month)
    rows = (
        DailyRollup.objects.filter(day__gte=month, day__lte=last, role__in=sushi.COUNTED_ROLES)
        .exclude(**{f"{field}__isnull": True})
        .values(field, "action")
        .annotate(total=Sum("total"), ui=Sum("unique_investigations"), ur=Sum("unique_requests"))
        .order_by()
    )
    result: dict = {}
    for row in rows:
        metrics = result.setdefault(row[field], dict.fromkeys(sushi.METRICS, 0))
        metrics["Total_Item_Investigations"] += row["total"]
        metrics["Unique_Item_Investigations"] += row["ui"]
        metrics["Unique_Item_Requests"] += row["ur"]
        if row["action"] in REQUEST_ACTIONS:
            metrics["Total_Item_Requests"] += row["total"]
    return result


def _body(*, delivery_id, month, unit: dict, row: dict, counter: dict) -> str:
    document = {
        "schema": SCHEMA,
        "delivery_id": str(delivery_id),
        "month": f"{month:%Y-%m}",
        "generated_at": timezone.localtime().replace(microsecond=0).isoformat(),
        "platform": {"name": sushi.PLATFORM, "base_url": settings.WAGTAILADMIN_BASE_URL},
        "unit": unit,
        "figures": {key: row[key] for key in FIGURE_KEYS},
        "counter": counter or dict.fromkeys(sushi.METRICS, 0),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True)


@transaction.atomic
def push_deliveries_prepare(*, month: datetime.date) -> int:
    """Make the deliveries of one month (one per county, one per school) that do not exist yet,
    with their bodies fixed now, from the same selector as the monitoring pages."""

    period = Period(year=month.year, month=month.month)
    existing_regions = set(
        PushDelivery.objects.filter(month=month, school__isnull=True).values_list("region_id", flat=True)
    )
    existing_schools = set(
        PushDelivery.objects.filter(month=month, school__isnull=False).values_list("school_id", flat=True)
    )
    regions = {r.pk: r for r in Region.objects.all()}
    created = []
    county_counter = _counter_totals(month, "region_id")
    for row in indicator_rows(period, "region"):
        region = regions[row["region_id"]]
        if region.pk in existing_regions:
            continue
        delivery_id = uuid.uuid4()
        unit = {
            "kind": "county",
            "customer_id": sushi.county(region).customer_id,
            "code": region.code,
            "name": region.name,
        }
        body = _body(delivery_id=delivery_id, month=month, unit=unit, row=row, counter=county_counter.get(region.pk))
        created.append(PushDelivery(delivery_id=delivery_id, month=month, unit_kind="county", region=region, body=body))
    school_counter = _counter_totals(month, "school_id")
    for row in indicator_rows(period, "school"):
        if row["school_id"] in existing_schools:
            continue
        region = regions[row["region_id"]]
        delivery_id = uuid.uuid4()
        unit = {
            "kind": "school",
            "customer_id": f"{sushi.CONSORTIUM_ID}-school-{row['school_id']}",
            "name": row["school"],
            "county": {"code": region.code, "name": region.name},
        }
        body = _body(
            delivery_id=delivery_id, month=month, unit=unit, row=row, counter=school_counter.get(row["school_id"])
        )
        created.append(
            PushDelivery(
                delivery_id=delivery_id,
                month=month,
                unit_kind="school",
                region=region,
                school_id=row["school_id"],
                body=body,
            )
        )
    PushDelivery.objects.bulk_create(created, ignore_conflicts=True, batch_size=500)
    return len(created)


# --- sending ---------------------------------------------------------------------------------------


def push_delivery_attempt(*, delivery: PushDelivery, now=None) -> bool:
    """One POST of a delivery. Records the outcome; schedules the next attempt on failure."""
    if not push_configured():
        raise PushNotConfigured("INTEROP_PUSH_URL and INTEROP_PUSH_SECRET must be set.")
    url = settings.INTEROP_PUSH_URL
    now = now or timezone.now()
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "zmd-catalogue-push/1",
        "X-ZMD-Delivery": str(delivery.delivery_id),
        "X-ZMD-Timestamp": timestamp,
        "X-ZMD-Signature": "sha256=" + signature(secret=settings.INTEROP_PUSH_SECRET, timestamp=timestamp, body=body),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = now
    ok, error = False, ""
    if not url.lower().startswith("https://"):
        error = "INTEROP_PUSH_URL 必须是 https:// 地址，未发送。"
    else:
        try:
            response = requests.post(
                url,
                data=body,
                headers=headers,
                timeout=(5, settings.INTEROP_PUSH_TIMEOUT),
                verify=settings.INTEROP_PUSH_CA_BUNDLE or True,
            )
            delivery.response_status = response.status_code
            ok = 200 <= response.status_code < 300
            if not ok:
                error = f"HTTP {response.status_code}: {response.text[:300]}"
        except requests.RequestException as exc:
            delivery.response_status = None
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
    if ok:
        delivery.status, delivery.sent_at, delivery.last_error, delivery.next_attempt_at = (
            PushStatus.SENT,
            now,
            "",
            None,
        )
    else:
        delivery.last_error = error
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = PushStatus.FAILED, None
        else:
            delivery.status, delivery.next_attempt_at = PushStatus.RETRYING, now + backoff(delivery.attempts)
        logger.warning("Push %s (%s) failed: %s", delivery.delivery_id, delivery, error)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "status",
            "sent_at",
            "last_error",
            "next_attempt_at",
            "response_status",
        ]
    )
    return ok


def push_send_due(*, now=None, limit: int = 500) -> dict:
    """Send every delivery whose attempt is due. Rows are locked (skipped if another worker holds
    them), so two workers never send the same delivery at once."""
    now = now or timezone.now()
    sent = failed = streak = 0
    due = Q(status=PushStatus.PENDING) | Q(status=PushStatus.RETRYING, next_attempt_at__lte=now)
    while True:
        with transaction.atomic():
            rows = PushDelivery.objects.filter(due).order_by("month", "pk")
            if transaction.get_connection().features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            batch = list(rows[:50])
            if not batch:
                break
            for delivery in batch:
                if push_delivery_attempt(delivery=delivery, now=now):
                    sent, streak = sent + 1, 0
                else:
                    failed, streak = failed + 1, streak + 1
                if streak >= STOP_AFTER_FAILURES:
                    break
        # An endpoint that is down would otherwise cost a timeout per delivery: stop this run after
        # a few failures in a row; the rest stay due for the next run.
        if sent + failed >= limit or streak >= STOP_AFTER_FAILURES:
            break
    return {"sent": sent, "failed": failed}


def push_send_what_is_due(*, now=None) -> dict:
    """Create the deliveries of newly final months, then send what is due. Safe to run at any
    moment, as often as wanted, from any number of workers."""
    if not push_configured():
        return {"configured": False, "prepared": 0, "sent": 0, "failed": 0}
    prepared = sum(push_deliveries_prepare(month=month) for month in due_months(now))
    result = push_send_due(now=now)
    return {"configured": True, "prepared": prepared, **result}


def push_delivery_resend(*, delivery: PushDelivery, now=None) -> bool:
    """The admin's 重新发送: the same body and delivery id, at once, with a fresh round of
    retries (the attempt count starts again)."""
    delivery.status, delivery.next_attempt_at, delivery.attempts = PushStatus.PENDING, None, 0
    delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
    return push_delivery_attempt(delivery=delivery, now=now)
