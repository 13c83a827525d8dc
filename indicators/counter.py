"""COUNTER Release 5.1 processing of one day's hits, as pure functions over plain tuples.

Order of the rules: robot and editorial hits are already marked on the raw event and never reach
this module; then the double-click filter; then the overactive-client rules over the day's
remaining hits (a client past a threshold loses all its hits of the day); then totals and unique
counts per user-session.
"""

import datetime
from collections import Counter, defaultdict, deque
from dataclasses import dataclass

from django.utils import timezone

from .conf import DOUBLE_CLICK_SECONDS
from .identity import is_person
from .models import ExcludedReason

# COUNTER's Requests: the full content was downloaded or played (a subset of Investigations). A
# detail-page view is an Investigation only: it shows the description, a cover or thumbnails.
REQUEST_ACTIONS = ("download", "play")


@dataclass(frozen=True)
class Hit:
    time: datetime.datetime
    client_key: str
    resource_id: int
    action: str
    role: str
    region_id: int | None
    school_id: int | None
    session_hash: str


@dataclass(frozen=True)
class Thresholds:
    """Overactive clients (IRUS-UK style): more than this many distinct items in any 60 seconds, or
    distinct items in a day, or counted actions in a day (after the double-click filter)."""

    items_per_minute: int
    items_per_day: int
    actions_per_day: int


@dataclass(frozen=True)
class Overactive:
    rule: str  # items_per_minute | items_per_day | actions_per_day
    observed: int


def double_click_filter(hits: list[Hit]) -> list[Hit]:
    """Keep the later of two hits by the same client on the same item and action within 30
    seconds, down any chain: a hit counts unless the next such hit follows within 30 s.
    (0 s and 29 s → one; 0 s and 35 s → two; 0, 20, 40, 60 s → one.)"""
    groups: dict[tuple, list[Hit]] = defaultdict(list)
    for hit in hits:
        groups[(hit.client_key, hit.resource_id, hit.action)].append(hit)
    window = datetime.timedelta(seconds=DOUBLE_CLICK_SECONDS)
    kept = []
    for group in groups.values():
        group.sort(key=lambda h: h.time)
        for current, following in zip(group, group[1:] + [None], strict=True):
            if following is None or following.time - current.time > window:
                kept.append(current)
    kept.sort(key=lambda h: h.time)
    return kept


def _most_items_in_a_minute(hits: list[Hit]) -> int:
    """The most distinct items among hits less than 60 seconds apart (hits sorted by time)."""
    window: deque[Hit] = deque()
    items: Counter = Counter()
    most = 0
    minute = datetime.timedelta(seconds=60)
    for hit in hits:
        window.append(hit)
        items[hit.resource_id] += 1
        while hit.time - window[0].time >= minute:
            old = window.popleft()
            items[old.resource_id] -= 1
            if not items[old.resource_id]:
                del items[old.resource_id]
        most = max(most, len(items))
    return most


def overactive_clients(hits: list[Hit], thresholds: Thresholds) -> dict[str, Overactive]:
    """The clients among one day's counted hits (sorted by time) that passed a threshold."""
    by_client: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_client[hit.client_key].append(hit)
    found = {}
    for key, group in by_client.items():
        if len(group) > thresholds.actions_per_day:
            found[key] = Overactive("actions_per_day", len(group))
            continue
        items = len({h.resource_id for h in group})
        if items > thresholds.items_per_day:
            found[key] = Overactive("items_per_day", items)
            continue
        if items > thresholds.items_per_minute:  # otherwise no minute can hold more
            most = _most_items_in_a_minute(group)
            if most > thresholds.items_per_minute:
                found[key] = Overactive("items_per_minute", most)
    return found


def user_session(hit: Hit) -> str:
    """COUNTER's user-session: a logged session id + date, else the client (user id or address)
    + date + hour of day (local time)."""
    local = timezone.localtime(hit.time)
    if hit.session_hash:
        return f"{hit.session_hash}|{local:%Y-%m-%d}"
    return f"{hit.client_key}|{local:%Y-%m-%d|%H}"


@dataclass
class DayCounts:
    rollups: dict  # (resource_id, action, role, region_id, school_id) -> [total, uniques, unique_investigations, unique_requests]
    activity: set  # (client_key, role, region_id, school_id) of each person with a counted hit
    excluded: Counter  # (reason, region_id) -> hits not counted for a reason only the day can tell
    overactive: dict  # client_key -> (Overactive, hits excluded, role, region_id)


def count_day(
    hits: list[Hit], *, day_start: datetime.datetime, day_end: datetime.datetime, thresholds: Thresholds
) -> DayCounts:
    """Counted totals and uniques of the hits in [day_start, day_end). `hits` should include the
    30 seconds after day_end, so that a click just before midnight followed by one just after is
    removed (the later one is kept, on the next day)."""
    in_day = [h for h in hits if day_start <= h.time < day_end]
    kept = [h for h in double_click_filter(hits) if day_start <= h.time < day_end]
    excluded: Counter = Counter()
    for hit in in_day:
        excluded[(ExcludedReason.DOUBLE_CLICK.value, hit.region_id)] += 1
    for hit in kept:
        excluded[(ExcludedReason.DOUBLE_CLICK.value, hit.region_id)] -= 1
    flagged = overactive_clients(kept, thresholds)
    overactive = {}
    counted = []
    for hit in kept:
        if hit.client_key in flagged:
            excluded[(ExcludedReason.OVERACTIVE.value, hit.region_id)] += 1
            finding, events, _role, _region = overactive.get(hit.client_key, (flagged[hit.client_key], 0, "", None))
            overactive[hit.client_key] = (finding, events + 1, hit.role, hit.region_id)
        else:
            counted.append(hit)
    rollups: dict[tuple, list[int]] = {}
    sessions_per_row: dict[tuple, set] = defaultdict(set)
    first_action: dict[tuple, tuple] = {}
    first_request: dict[tuple, tuple] = {}
    activity = set()
    for hit in counted:
        row = (hit.resource_id, hit.action, hit.role, hit.region_id, hit.school_id)
        rollups.setdefault(row, [0, 0, 0, 0])[0] += 1
        session = user_session(hit)
        sessions_per_row[row].add(session)
        first_action.setdefault((session, hit.resource_id), row)
        if hit.action in REQUEST_ACTIONS:
            first_request.setdefault((session, hit.resource_id), row)
        if is_person(hit.client_key):
            activity.add((hit.client_key, hit.role, hit.region_id, hit.school_id))
    for row, sessions in sessions_per_row.items():
        rollups[row][1] = len(sessions)
    for row in first_action.values():
        rollups[row][2] += 1
    for row in first_request.values():
        rollups[row][3] += 1
    return DayCounts(rollups=rollups, activity=activity, excluded=+excluded, overactive=overactive)
