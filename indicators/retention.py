"""Personal data in the indicators: how long raw events are kept, and what erasing a user does.

Retention. Raw access events are kept for RAW_EVENT_RETENTION_MONTHS (13) full calendar months
before the current one, then deleted by `access_events_purge` (run by the scheduled refresh when the
month turns, or by hand: `manage.py purge_access_events`). The roll-ups, which identify nobody, are
kept: every published figure stays as it was. Two things go with the raw events: the overactive-
client list of those days (it names users) and, once a whole quarter lies before the horizon, the
user ids in that quarter's daily activity rows, which are replaced by pseudonyms made with a random
key per quarter that is then discarded: the active rates (distinct people per quarter) stay exactly
the same, but no row can be tied to a person any more.

Erasure (`access_events_pseudonymise`, called by the personal-data handler): a user's events keep
their time, resource, action and role/region/school snapshot, but lose the user id, the IP hash and
the user agent, and their visitor key and session hash are replaced by pseudonyms; the same is done
to the user's activity and overactive rows. Pseudonyms are consistent within the user's events, so
the double-click filter, unique counts and active rates come out exactly as before: every published
figure is unchanged, and `rebuild_rollups` still reproduces it.
"""

import datetime
import hashlib
import hmac
import secrets

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .conf import RAW_EVENT_RETENTION_MONTHS
from .identity import PSEUDONYM_PREFIX, user_key
from .models import AccessEvent, DailyUserActivity, OveractiveClient, RollupDirtyDay, RollupState

RETIRED_PREFIX = "q:"  # activity keys pseudonymised at the end of retention
BATCH = 20_000


def purge_horizon(today: datetime.date) -> datetime.date:
    """The first day still kept: the 1st of the month RAW_EVENT_RETENTION_MONTHS before this one
    (on 2027-02-15 with 13 months: 2026-01-01, so all of 2026 stays verifiable through January)."""
    months = today.year * 12 + (today.month - 1) - RAW_EVENT_RETENTION_MONTHS
    return datetime.date(months // 12, months % 12 + 1, 1)


def _quarter_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    following = datetime.date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def _pseudonym(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def _activity_retire(first: datetime.date, last: datetime.date) -> int:
    """Replace the person keys of one quarter's activity rows by pseudonyms of a fresh random key."""
    from .services import _insert

    secret = secrets.token_bytes(32)
    rows_done = 0
    day = first
    while day <= last:
        rows = list(
            DailyUserActivity.objects.filter(day=day)
            .exclude(client_key__startswith=RETIRED_PREFIX)
            .values_list("id", "client_key", "role", "region_id", "school_id")
        )
        if rows:
            DailyUserActivity.objects.filter(id__in=[r[0] for r in rows]).delete()
            day_value = connection.ops.adapt_datefield_value(day)
            _insert(
                DailyUserActivity,
                ["day", "client_key", "role", "region_id", "school_id"],
                [[day_value, RETIRED_PREFIX + _pseudonym(secret, key), *rest] for _id, key, *rest in rows],
            )
            rows_done += len(rows)
        day += datetime.timedelta(days=1)
    return rows_done


def access_events_purge(*, today: datetime.date | None = None, dry_run: bool = False) -> dict:
    """Delete raw events (and the overactive list) before the retention horizon, retire the person
    keys of whole quarters before it, and remember the horizon. The roll-ups are kept."""
    from .services import day_bounds, rollups_refresh_dirty

    today = today or timezone.localdate()
    horizon = purge_horizon(today)
    cutoff = day_bounds(horizon)[0]
    events = AccessEvent.objects.filter(time__lt=cutoff)
    quarters = sorted(
        {
            _quarter_bounds(d)
            for d in DailyUserActivity.objects.filter(day__lt=horizon)
            .exclude(client_key__startswith=RETIRED_PREFIX)
            .dates("day", "month")
        }
    )
    quarters = [(first, last) for first, last in quarters if last < horizon]
    summary = {"horizon": horizon.isoformat(), "events": events.count(), "activity_quarters": len(quarters)}
    if dry_run:
        return summary
    rollups_refresh_dirty()  # everything recorded so far is in the roll-ups before its events go
    deleted = 0
    while True:
        ids = list(events.order_by().values_list("id", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            deleted += AccessEvent.objects.filter(id__in=ids).delete()[0]
    with transaction.atomic():
        OveractiveClient.objects.filter(day__lt=horizon).delete()
        RollupDirtyDay.objects.filter(day__lt=horizon).delete()
        retired = sum(_activity_retire(first, last) for first, last in quarters)
        state = RollupState.objects.get_or_create(pk=1)[0]
        if state.purged_before is None or state.purged_before < horizon:
            state.purged_before = horizon
            state.save(update_fields=["purged_before"])
    return summary | {"events": deleted, "activity_rows": retired}


def access_events_purge_due(*, today: datetime.date | None = None) -> int:
    """Purge when the horizon has moved since the last purge (once a month); events deleted."""
    today = today or timezone.localdate()
    done = RollupState.objects.filter(pk=1).values_list("purged_before", flat=True).first()
    if done is not None and done >= purge_horizon(today):
        return 0
    return access_events_purge(today=today)["events"]


def access_events_pseudonymise(*, user_id: int) -> dict:
    """Cut every link from the indicators to one user (see the module docstring)."""
    key = user_key(user_id)
    pseudonym = PSEUDONYM_PREFIX + secrets.token_hex(12)
    secret = secrets.token_bytes(32)
    with transaction.atomic():
        events = AccessEvent.objects.filter(Q(user_id=user_id) | Q(client_key=key))
        sessions = [s for s in events.values_list("session_hash", flat=True).distinct() if s]
        for session in sessions:
            events.filter(session_hash=session).update(session_hash=_pseudonym(secret, session))
        count = events.update(user_id=None, client_key=pseudonym, ip_hash="", user_agent="")
        activity = DailyUserActivity.objects.filter(client_key=key).update(client_key=pseudonym)
        OveractiveClient.objects.filter(client_key=key).update(client_key=pseudonym)
    return {"events": count, "activity_days": activity}


def access_events_of(*, user_id: int) -> list[dict]:
    """A user's own access events, for the personal-data export."""
    from catalogue.models import ResourcePage

    rows = list(
        AccessEvent.objects.filter(Q(user_id=user_id) | Q(client_key=user_key(user_id)))
        .order_by("time", "id")
        .values("time", "resource_id", "file_id", "action", "role", "region__name", "school__name", "exclusion")
    )
    titles = dict(ResourcePage.objects.filter(pk__in={r["resource_id"] for r in rows}).values_list("pk", "title"))
    return [
        {
            "time": timezone.localtime(r["time"]).isoformat(),
            "resource": titles.get(r["resource_id"], f"#{r['resource_id']}"),
            "file_id": r["file_id"],
            "action": r["action"],
            "role": r["role"],
            "region": r["region__name"],
            "school": r["school__name"],
            "excluded": r["exclusion"] or None,
        }
        for r in rows
    ]
