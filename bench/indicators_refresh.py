"""The scheduled roll-up refresh over a month of 5 million raw access events.

A month of synthetic city-scale use is written as raw events (60,000 signed-in teachers, pupils and
parents in 1,000 schools, 10% anonymous visitors from 20,000 addresses, 2% robots, 1% editorial
hits, 5,000 resources, 07:00–22:00 each day). Then timed:

1. the full recount of every day of the month from raw events (what `rebuild_rollups` or a first
   refresh after an import does: 5 million events through the COUNTER rules);
2. a scheduled round when one day has new events (the steady state: each minute's round
   recomputes today);
3. a scheduled round with nothing new (flush + stamp).

    .venv/bin/python bench/indicators_refresh.py [sqlite|pg] [events] [days]
"""

import datetime
import random
import sys
import time

from indicators_common import machine, setup

USERS = 60_000
SCHOOLS = 1_000
RESOURCES = 5_000
ADDRESSES = 20_000
BATCH = 20_000


def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n_events = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000_000
    n_days = int(sys.argv[3]) if len(sys.argv) > 3 else 31
    setup(engine)
    from django.db import connection
    from django.utils import timezone

    from catalogue.models import Region, Role, School
    from indicators.models import AccessEvent, DailyExclusion, DailyRollup, RollupDirtyDay
    from indicators.scheduling import refresh_round
    from indicators.services import access_events_ingest, day_bounds, rollups_refresh_dirty

    print(f"engine={engine} machine: {machine()}")
    rng = random.Random(2026)
    regions = list(Region.objects.values_list("id", flat=True))
    School.objects.bulk_create(
        [School(region_id=regions[i % len(regions)], name=f"基准学校{i:04d}", sort_order=i) for i in range(SCHOOLS)]
    )
    schools = list(School.objects.values_list("id", "region_id"))
    roles = [Role.TEACHER] * 2 + [Role.STUDENT] * 5 + [Role.PARENT] * 2
    people = [(uid, rng.choice(roles), *schools[uid % SCHOOLS]) for uid in range(1, USERS + 1)]
    first = datetime.date(2026, 3, 1)
    per_day = n_events // n_days
    t0 = time.perf_counter()
    written = 0
    for d in range(n_days):
        day_start, _end = day_bounds(first + datetime.timedelta(days=d))
        opening = day_start + datetime.timedelta(hours=7)
        count = per_day if d < n_days - 1 else n_events - written
        for offset in range(0, count, BATCH):
            events = []
            for _i in range(min(BATCH, count - offset)):
                moment = opening + datetime.timedelta(seconds=rng.uniform(0, 15 * 3600))
                luck = rng.random()
                if luck < 0.10:  # anonymous visitor
                    address = rng.randrange(ADDRESSES)
                    person = {"user_id": None, "role": "", "region_id": None, "school_id": None}
                    keys = {"client_key": f"h:{address:032x}", "session_hash": "", "ip_hash": f"{address:032x}"}
                else:
                    uid, role, school_id, region_id = people[rng.randrange(USERS)]
                    person = {"user_id": uid, "role": role, "region_id": region_id, "school_id": school_id}
                    keys = {"client_key": f"u:{uid}", "session_hash": f"{uid:016x}{d:016x}", "ip_hash": ""}
                events.append(
                    {
                        "time": moment,
                        "resource_id": rng.randint(1, RESOURCES),
                        "file_id": None,
                        "action": rng.choice(("view", "view", "view", "download", "play")),
                        **person,
                        **keys,
                        "user_agent": "Mozilla/5.0 (Linux; Android 13) Chrome/124.0 Mobile MicroMessenger/8.0.48",
                        "exclusion": "robot" if luck > 0.98 else ("editorial" if luck > 0.97 else ""),
                        "source": "live",
                    }
                )
            access_events_ingest(events=events, refresh=False)
            written += len(events)
    if engine == "pg":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    t_gen = time.perf_counter() - t0
    print(f"generated {written:,} raw events over {n_days} days ({per_day:,} a day) in {t_gen:.0f} s")
    assert AccessEvent.objects.count() == written and RollupDirtyDay.objects.count() == n_days

    t0 = time.perf_counter()
    days = rollups_refresh_dirty()
    t_full = time.perf_counter() - t0
    counted = sum(DailyRollup.objects.values_list("total", flat=True))
    excluded = sum(DailyExclusion.objects.values_list("events", flat=True))
    print(
        f"1. full recount of {len(days)} days, {written:,} events: {t_full:.1f} s "
        f"({written / t_full:,.0f} events/s); counted {counted:,}, excluded {excluded:,}"
    )

    last = first + datetime.timedelta(days=n_days - 1)
    RollupDirtyDay.objects.create(day=last)  # "today" got new events since the last round
    t0 = time.perf_counter()
    result = refresh_round(now=timezone.now())
    t_round = time.perf_counter() - t0
    print(f"2. scheduled round with one day ({per_day:,} events) to recount: {t_round:.1f} s {result}")

    t0 = time.perf_counter()
    refresh_round(now=timezone.now())
    t_idle = time.perf_counter() - t0
    print(f"3. scheduled round with nothing new: {t_idle * 1000:.0f} ms")
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
