"""The city-wide monthly report over 5 million synthetic events, read from the daily roll-ups.

Roll-up rows are generated directly in bulk (as `rebuild_rollups` would leave them) for one month:
every school's teachers, students and parents visiting resources, plus anonymous visitors, so that
the totals add up to the requested number of events. Then the 月度监测 workbook (city, every
region ranked, every school ranked) and the API payloads are timed.

    .venv/bin/python bench/indicators_report.py [sqlite|pg] [events] [schools]
"""

import datetime
import random
import sys
import time

from indicators_common import machine, setup


def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n_events = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000_000
    n_schools = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    setup(engine)
    from django.db import connection, transaction

    from catalogue.models import Region, School
    from indicators.exports import workbook_bytes
    from indicators.models import DailyRollup, Denominator
    from indicators.periods import Period
    from indicators.selectors import api_payload, top_resources, usage_by_theme, usage_spikes
    from indicators.services import _insert, derived_rollups_rebuild

    rng = random.Random(2026)
    period = Period(year=2026, month=3)
    regions = list(Region.objects.all())
    t0 = time.perf_counter()
    with transaction.atomic():
        School.objects.bulk_create(
            [School(region=regions[i % len(regions)], name=f"基准学校{i:04d}", sort_order=i) for i in range(n_schools)]
        )
        schools = list(School.objects.values_list("id", "region_id"))
        Denominator.objects.bulk_create(
            [Denominator(year=2026, region=r, teachers=6500, students=110000) for r in regions]
            + [Denominator(year=2026, region_id=reg, school_id=s, teachers=65, students=1100) for s, reg in schools]
        )
    # Each roll-up row stands for several events (same day, resource, action and audience).
    rows, total = [], 0
    adapt = connection.ops.adapt_datefield_value
    days = [adapt(datetime.date(2026, 3, d)) for d in range(1, 32)]
    audiences = [("teacher", 4), ("student", 5), ("parent", 2)]
    while total < n_events:
        school_id, region_id = schools[rng.randrange(len(schools))]
        role, weight = audiences[rng.randrange(3)]
        if rng.random() < 0.1:
            role, region_id, school_id = "", None, None
        size = min(rng.randint(1, 2 * weight + 3), n_events - total)
        action = "view" if rng.random() < 0.7 else ("play" if rng.random() < 0.6 else "download")
        rows.append(
            [
                days[rng.randrange(31)],
                rng.randint(1, 5000),
                action,
                role,
                region_id,
                school_id,
                size,
                max(1, size - 1),
                max(1, size - 2),
            ]
        )
        total += size
    with transaction.atomic():
        for offset in range(0, len(rows), 20000):
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
                ],
                rows[offset : offset + 20000],
            )
    t_derive = time.perf_counter()
    with transaction.atomic():  # what a roll-up refresh leaves beside DailyRollup
        derived_rollups_rebuild(date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 3, 31))
    t_derive = time.perf_counter() - t_derive
    if engine == "pg":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    t_gen = time.perf_counter() - t0
    print(f"engine={engine} machine: {machine()}")
    print(
        f"generated {len(rows):,} roll-up rows standing for {total:,} events, {n_schools} schools, "
        f"{len(regions)} regions in {t_gen:.1f} s (of which deriving audience/resource roll-ups {t_derive:.1f} s)"
    )

    def timed(label, fn):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        print(f"{label}: {elapsed:.2f} s")
        return result, elapsed

    city, _t = timed("API level=city (one row)", lambda: api_payload(period, "city"))
    assert city["rows"][0]["teacher_visits"] > 0
    timed("API level=region (all regions)", lambda: api_payload(period, "region"))
    timed("API level=school (all schools)", lambda: api_payload(period, "school"))
    _wb, t_report = timed("月度监测 workbook (city + regions + schools, xlsx)", lambda: workbook_bytes(period))
    timed("top resources + usage by theme", lambda: (top_resources(period), usage_by_theme(period)))
    timed("usage spikes (13 months)", lambda: usage_spikes(2026, 3))
    print(f"city-wide monthly report: {t_report:.2f} s (target <= 2 s)")


if __name__ == "__main__":
    main()
