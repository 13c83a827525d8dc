"""COUNTER Release 5.1 processing of one day's hits, as pure functions over plain tuples.

Order of the rules: robot and editorial hits are already marked on the raw event and never reach
this module; then the double-click filter; then totals and unique counts per user-session.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from .conf import DOUBLE_CLICK_SECONDS

# COUNTER's Requests: the full content was downloaded or played (a subset of Investigations). A
# detail-page view is an Investigation only: it shows the description, a cover or thumbnails.
REQUEST_ACTIONS = ("download", "play")


@dataclass(frozen=True)
class Hit:
    time: datetime.datetime
    client_key: str
    resource_id: int
    action: str
    user_id: int | None
    role: str
    region_id: int | None
    school_id: int | None
    session_hash: str


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


def user_session(hit: Hit) -> str:
    """COUNTER's user-session: a logged session id + date, else the client (user id, cookie or
    IP + user agent) + date + hour of day (local time)."""
    local = timezone.localtime(hit.time)
    if hit.session_hash:
        return f"{hit.session_hash}|{local:%Y-%m-%d}"
    return f"{hit.client_key}|{local:%Y-%m-%d|%H}"


@dataclass
class DayCounts:
    # (resource_id, action, role, region_id, school_id) -> [total, uniques, unique_investigations, unique_requests]
    rollups: dict
    activity: set  # (user_id, role, region_id, school_id)


def count_day(hits: list[Hit], *, day_start: datetime.datetime, day_end: datetime.datetime) -> DayCounts:
    """Counted totals and uniques of the hits in [day_start, day_end). `hits` should include the
    30 seconds after day_end, so that a click just before midnight followed by one just after is
    removed (the later one is kept, on the next day)."""
    counted = [h for h in double_click_filter(hits) if day_start <= h.time < day_end]
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
        if hit.user_id:
            activity.add((hit.user_id, hit.role, hit.region_id, hit.school_id))
    for row, sessions in sessions_per_row.items():
        rollups[row][1] = len(sessions)
    for row in first_action.values():
        rollups[row][2] += 1
    for row in first_request.values():
        rollups[row][3] += 1
    return DayCounts(rollups=rollups, activity=activity)
