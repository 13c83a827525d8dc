"""Writes of the indicators app: ingesting events, refreshing roll-ups, counters. (Scheduling the
refresh: scheduling.py; retention and erasure of raw events: retention.py.)"""

import datetime
import logging
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from catalogue.models import ResourcePage
from catalogue.signals import resource_counts_changed

from . import conf
from .counter import Hit, count_day
from .models import (
    AccessEvent,
    Action,
    DailyAudienceRollup,
    DailyExclusion,
    DailyResourceRollup,
    DailyRollup,
    DailyUserActivity,
    Exclusion,
    OveractiveClient,
    RollupDirtyDay,
    RollupState,
)

logger = logging.getLogger(__name__)

_EVENT_COLUMNS = [f.column for f in AccessEvent._meta.concrete_fields if f.attname != "id"]
_EVENT_ATTNAMES = [f.attname for f in AccessEvent._meta.concrete_fields if f.attname != "id"]
_EVENT_DEFAULTS = {
    "file_id": None,
    "user_id": None,
    "role": "",
    "region_id": None,
    "school_id": None,
    "session_hash": "",
    "ip_hash": "",
    "user_agent": "",
    "exclusion": "",
    "source": "live",
}


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def _days_touched(events: list[dict]) -> set[datetime.date]:
    days = set()
    margin = datetime.timedelta(seconds=conf.DOUBLE_CLICK_SECONDS)
    for event in events:  # excluded events too: the day's exclusion counts change
        local = timezone.localtime(event["time"])
        days.add(local.date())
        # A hit in the first 30 s of a day may remove the previous day's last click.
        if (local - margin).date() != local.date():
            days.add((local - margin).date())
    return days


def access_events_ingest(*, events: list[dict], refresh: bool = True) -> int:
    """Append a batch of events (dicts of AccessEvent fields) and mark their days for roll-up."""
    if not events:
        return 0
    days = _days_touched(events)
    with transaction.atomic():
        adapt = connection.ops.adapt_datetimefield_value  # aware datetimes as the backend stores them
        _insert(
            AccessEvent,
            _EVENT_COLUMNS,
            [
                [adapt(e["time"]) if a == "time" else e.get(a, _EVENT_DEFAULTS.get(a)) for a in _EVENT_ATTNAMES]
                for e in events
            ],
        )
        if days:
            RollupDirtyDay.objects.bulk_create([RollupDirtyDay(day=d) for d in days], ignore_conflicts=True)
    if refresh and days and conf.refresh_on_ingest():
        rollups_refresh_dirty()
    return len(events)


def _insert(model, columns: list[str], rows: list[list]) -> None:
    """Bulk insert without the ORM, whose bulk_create costs more than the database does on this
    hot path: COPY on PostgreSQL, a prepared INSERT run for every row (executemany) elsewhere."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":  # COPY is PostgreSQL's bulk-load path
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:  # SQLite: one prepared statement, many rows
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def rollup_state() -> RollupState:
    return RollupState.objects.get_or_create(pk=1)[0]


def rollups_refresh_dirty(*, now: datetime.datetime | None = None) -> list[datetime.date]:
    """Recompute the roll-ups of every day marked dirty, then the affected resources' counters, and
    stamp the moment up to which the figures are complete (`RollupState.refreshed_at`: shown as
    "数据更新于 hh:mm"). Several processes may run this at once: each takes the days no other holds."""
    started = now or timezone.now()
    with transaction.atomic():
        queryset = RollupDirtyDay.objects.all()
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        days = sorted(queryset.values_list("day", flat=True))
        horizon = rollup_state().purged_before
        resource_ids: set[int] = set()
        for day in days:
            if horizon and day < horizon:  # raw events are gone: the kept roll-ups stand
                continue
            resource_ids |= _rollup_day(day)["resources"]
        RollupDirtyDay.objects.filter(day__in=days).delete()
        resource_counts_sync(resource_ids=resource_ids)
        RollupState.objects.filter(Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=started), pk=1).update(
            refreshed_at=started
        )
    return days


def _hits_for(day: datetime.date) -> tuple[list[Hit], datetime.datetime, datetime.datetime]:
    start, end = day_bounds(day)
    lookahead = end + datetime.timedelta(seconds=conf.DOUBLE_CLICK_SECONDS)
    rows = (
        AccessEvent.objects.filter(time__gte=start, time__lt=lookahead, exclusion=Exclusion.NONE)
        .values_list("time", "client_key", "resource_id", "action", "role", "region_id", "school_id", "session_hash")
        .iterator(chunk_size=5000)
    )
    return [Hit(*row) for row in rows], start, end


def _recorded_exclusions(day: datetime.date) -> Counter:
    """(reason, region_id) -> events of the day excluded when they were recorded (robot, editorial)."""
    start, end = day_bounds(day)
    rows = (
        AccessEvent.objects.filter(time__gte=start, time__lt=end)
        .exclude(exclusion=Exclusion.NONE)
        .values_list("exclusion", "region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({(reason, region): n for reason, region, n in rows})


def _rollup_day(day: datetime.date) -> dict:
    """Replace one day's roll-ups by a fresh count of its raw events. Returns what changed."""
    hits, start, end = _hits_for(day)
    counts = count_day(hits, day_start=start, day_end=end, thresholds=conf.overactive_thresholds())
    before = {
        (r.resource_id, r.action, r.role, r.region_id, r.school_id): [
            r.total,
            r.uniques,
            r.unique_investigations,
            r.unique_requests,
        ]
        for r in DailyRollup.objects.filter(day=day)
    }
    activity_before = set(
        DailyUserActivity.objects.filter(day=day).values_list("client_key", "role", "region_id", "school_id")
    )
    for model in (
        DailyRollup,
        DailyAudienceRollup,
        DailyResourceRollup,
        DailyUserActivity,
        DailyExclusion,
        OveractiveClient,
    ):
        model.objects.filter(day=day).delete()
    day_value = connection.ops.adapt_datefield_value(day)
    _insert(
        DailyRollup,
        [
            "day",
            "resource_id",
            "action",
            "role",
            "region_id",
            "school_id",
            "total",
            "uniques",
            "unique_investigations",
            "unique_requests",
        ],
        [[day_value, *key, *values] for key, values in counts.rollups.items()],
    )
    audiences: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    resources: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (res, action, role, region, school), (t, u, ui, _ur) in counts.rollups.items():
        audience = audiences[(role, region, school)]
        audience[0] += t
        audience[1] += ui
        per_resource = resources[(res, action)]
        per_resource[0] += t
        per_resource[1] += u
        per_resource[2] += ui
    _insert(
        DailyAudienceRollup,
        ["day", "role", "region_id", "school_id", "total", "unique_investigations"],
        [[day_value, *key, *values] for key, values in audiences.items()],
    )
    _insert(
        DailyResourceRollup,
        ["day", "resource_id", "action", "total", "uniques", "unique_investigations"],
        [[day_value, *key, *values] for key, values in resources.items()],
    )
    _insert(
        DailyUserActivity,
        ["day", "client_key", "role", "region_id", "school_id"],
        [[day_value, *a] for a in counts.activity],
    )
    excluded = _recorded_exclusions(day) + counts.excluded
    _insert(
        DailyExclusion,
        ["day", "reason", "region_id", "events"],
        [[day_value, reason, region, n] for (reason, region), n in excluded.items()],
    )
    _insert(
        OveractiveClient,
        ["day", "client_key", "rule", "observed", "events", "role", "region_id"],
        [
            [day_value, key, finding.rule, finding.observed, events, role, region]
            for key, (finding, events, role, region) in counts.overactive.items()
        ],
    )
    changed_rows = {k for k in set(before) | set(counts.rollups) if before.get(k) != counts.rollups.get(k)}
    return {
        "day": day,
        "changed_rows": changed_rows,
        "before_total": sum(v[0] for v in before.values()),
        "after_total": sum(v[0] for v in counts.rollups.values()),
        "activity_changed": activity_before != counts.activity,
        "resources": {k[0] for k in before} | {k[0] for k in counts.rollups},
    }


def derived_rollups_rebuild(*, date_from: datetime.date, date_to: datetime.date) -> None:
    """Recompute the per-audience and per-resource roll-ups from DailyRollup rows (for roll-ups
    loaded in bulk; `_rollup_day` derives them itself)."""
    for model in (DailyAudienceRollup, DailyResourceRollup):
        model.objects.filter(day__gte=date_from, day__lte=date_to).delete()
    table = connection.ops.quote_name(DailyRollup._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(DailyAudienceRollup._meta.db_table)} "
            "(day, role, region_id, school_id, total, unique_investigations) "
            f"SELECT day, role, region_id, school_id, SUM(total), SUM(unique_investigations) FROM {table} "
            "WHERE day >= %s AND day <= %s GROUP BY day, role, region_id, school_id",
            [date_from, date_to],
        )
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(DailyResourceRollup._meta.db_table)} "
            "(day, resource_id, action, total, uniques, unique_investigations) "
            f"SELECT day, resource_id, action, SUM(total), SUM(uniques), SUM(unique_investigations) FROM {table} "
            "WHERE day >= %s AND day <= %s GROUP BY day, resource_id, action",
            [date_from, date_to],
        )


class RawEventsPurged(ValueError):
    """The raw events of these days are past their retention: their roll-ups cannot be rebuilt."""


def rollups_rebuild(*, date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    """Recompute every day in [date_from, date_to] from raw events; report the days that differed.
    Refuses days whose raw events were purged (rebuilding them would erase the kept roll-ups)."""
    horizon = rollup_state().purged_before
    if horizon and date_from < horizon:
        raise RawEventsPurged(horizon)
    differences = []
    resource_ids: set[int] = set()
    day = date_from
    with transaction.atomic():
        while day <= date_to:
            result = _rollup_day(day)
            resource_ids |= result["resources"]
            if result["changed_rows"] or result["activity_changed"]:
                differences.append(result)
            day += datetime.timedelta(days=1)
        RollupDirtyDay.objects.filter(day__gte=date_from, day__lte=date_to).delete()
        resource_counts_sync(resource_ids=resource_ids)
    return differences


def resource_counts_sync(*, resource_ids) -> list[int]:
    """Write the counted totals onto the catalogue's ResourcePage fields, for the resources whose
    totals changed (bulk update: no revision, no signal, no change to the page's editing history),
    and tell search which ones did."""
    ids = sorted(set(resource_ids))
    changed: list[int] = []
    fields = ["view_count", "download_count", "play_count"]
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        totals: dict[int, Counter] = defaultdict(Counter)
        for row in (
            DailyResourceRollup.objects.filter(resource_id__in=part)
            .values("resource_id", "action")
            .annotate(n=Sum("total"))
            .order_by()
        ):
            totals[row["resource_id"]][row["action"]] = row["n"]
        pages = []
        for pk, *current in ResourcePage.objects.filter(pk__in=part).values_list("pk", *fields):
            t = totals.get(pk, Counter())
            counts = [t[Action.VIEW], t[Action.DOWNLOAD], t[Action.PLAY]]
            if counts != current:
                pages.append(ResourcePage(id=pk, page_ptr_id=pk, **dict(zip(fields, counts, strict=True))))
        if pages:
            ResourcePage.objects.bulk_update(pages, fields)
            changed += [page.pk for page in pages]
    if changed:
        resource_counts_changed.send(sender=ResourcePage, resource_ids=changed)
    return changed
