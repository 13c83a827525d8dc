"""Sustained ingestion of access events: raw append in batches, then the COUNTER roll-up of the day.

.venv/bin/python bench/indicators_ingest.py [sqlite|pg] [N]
"""

import datetime
import random
import sys
import time

from indicators_common import machine, setup


def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    setup(engine)
    from django.utils import timezone

    from catalogue.models import Region, Role, School
    from indicators.models import AccessEvent, DailyRollup, Exclusion, Source
    from indicators.services import access_events_ingest, rollups_refresh_dirty

    rng = random.Random(5)
    region_ids = list(Region.objects.values_list("id", flat=True))
    schools = [School.objects.create(region_id=rng.choice(region_ids), name=f"学校{i}") for i in range(50)]
    day = timezone.localdate() - datetime.timedelta(days=1)
    start = datetime.datetime.combine(day, datetime.time(7), tzinfo=timezone.get_current_timezone())
    users = [
        (uid, rng.choice([Role.TEACHER, Role.STUDENT, Role.PARENT]), rng.choice(schools)) for uid in range(1, 3001)
    ]
    events = []
    for i in range(n):
        uid, role, school = rng.choice(users)
        anonymous = i % 5 == 0
        events.append(
            {
                "time": start + datetime.timedelta(seconds=rng.uniform(0, 12 * 3600)),
                "resource_id": rng.randint(1, 2000),
                "file_id": None,
                "action": rng.choice(["view", "view", "download", "play"]),
                "user_id": None if anonymous else uid,
                "role": "" if anonymous else role,
                "region_id": None if anonymous else school.region_id,
                "school_id": None if anonymous else school.pk,
                "session_hash": "" if anonymous else f"{uid:032x}",
                "client_key": f"h:{i % 4000}" if anonymous else f"u:{uid}",
                "ip_hash": f"{i % 4000:032x}",
                "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0",
                "exclusion": Exclusion.ROBOT if i % 50 == 0 else Exclusion.NONE,
                "source": Source.LIVE,
            }
        )
    batch = 500
    t0 = time.perf_counter()
    for offset in range(0, n, batch):
        access_events_ingest(events=events[offset : offset + batch], refresh=False)
    t_ingest = time.perf_counter() - t0
    t0 = time.perf_counter()
    rollups_refresh_dirty()
    t_rollup = time.perf_counter() - t0
    assert AccessEvent.objects.count() == n
    counted = sum(DailyRollup.objects.values_list("total", flat=True))
    print(f"engine={engine} machine: {machine()}")
    print(f"events={n} batch={batch}")
    print(f"raw ingestion: {t_ingest:.2f} s -> {n / t_ingest:,.0f} events/s")
    print(
        f"roll-up of the day (double-click filter, uniques, counters): {t_rollup:.2f} s -> {n / t_rollup:,.0f} events/s"
    )
    print(f"end to end: {n / (t_ingest + t_rollup):,.0f} events/s; counted after COUNTER rules: {counted}")


if __name__ == "__main__":
    main()
