"""Erasing a user and purging old raw events never moves a published figure: the figures before
and after are identical, and `rebuild_rollups` still reproduces them from what is left."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalogue.models import Region, ResourcePage, Role
from indicators import scheduling
from indicators.imports import access_log_import
from indicators.models import AccessEvent, DailyRollup, DailyUserActivity, OveractiveClient, RollupState
from indicators.periods import parse_period
from indicators.retention import access_events_purge, purge_horizon
from indicators.selectors import exclusion_summary, indicator_rows
from ops.personal_data import personal_data_erase
from tests import factories

from .conftest import at

pytestmark = pytest.mark.django_db

PERIODS = ("2026-01", "2026-02", "2026-Q1", "2025-Q4", "2025-12")


def figures() -> dict:
    """Every published figure: each period at every level, the roll-up rows and the counters."""
    region = Region.objects.get(name="遂平县")
    published = {}
    for period in PERIODS:
        p = parse_period(period)
        published[period] = {
            "city": indicator_rows(p, "city"),
            "regions": indicator_rows(p, "region"),
            "schools": indicator_rows(p, "school", region),
            "excluded": exclusion_summary(p),
        }
    published["rollups"] = sorted(
        DailyRollup.objects.values_list(
            "day",
            "resource_id",
            "action",
            "role",
            "region_id",
            "school_id",
            "total",
            "uniques",
            "unique_investigations",
        )
    )
    published["activity_days"] = DailyUserActivity.objects.count()
    published["counters"] = sorted(ResourcePage.objects.values_list("pk", "view_count", "download_count", "play_count"))
    return published


@pytest.fixture
def history(site_pages):
    """A quarter and a half of a county's use: teachers and pupils on several days, sessions,
    double clicks, one overactive teacher, anonymous visitors."""
    factories.denominator(year=2025, teachers=4, students=4)
    factories.denominator(year=2026, teachers=4, students=4)
    school = factories.school_(region="遂平县", name="遂平县第一初级中学")
    factories.denominator(year=2026, school=school, teachers=2, students=2)
    resources = [factories.resource(title=f"嵖岈山第{i}课") for i in range(12)]
    teacher = factories.user(Role.TEACHER, username="erased-teacher", school=school.name)
    colleague = factories.user(Role.TEACHER, username="colleague", school=school.name)
    pupil = factories.user(Role.STUDENT, username="erased-pupil", school=school.name)
    days = ("2025-12-10", "2026-01-05", "2026-01-06", "2026-02-10")
    for n, day in enumerate(days):
        for person, session in ((teacher, f"t{n}"), (colleague, f"c{n}"), (pupil, f"p{n}")):
            factories.access_hit(resources[n], at=at(day, "09:00:00"), user=person, session=session)
            factories.access_hit(resources[n], at=at(day, "09:00:20"), user=person, session=session)  # double
            factories.access_hit(resources[n], at=at(day, "09:05:00"), user=person, session=session, action="play")
            # Back in the afternoon, same signed-in session: one user-session, one unique item.
            factories.access_hit(resources[n], at=at(day, "15:00:00"), user=person, session=session)
        factories.access_hit(resources[n], at=at(day, "12:00:00"), ip=f"10.3.0.{n}")
    for i, resource in enumerate(resources[:11]):  # the teacher's account run by a script one day
        factories.access_hit(resource, at=at("2026-01-07", f"10:00:{i * 5:02d}"), user=teacher, session="script")
    return teacher, pupil


def test_erasing_users_leaves_every_figure_as_it_was_and_rebuild_reproduces_them(history):
    teacher, pupil = history
    before = figures()
    suiping = next(r for r in before["2026-Q1"]["regions"] if r["region"] == "遂平县")
    assert suiping["teacher_active_rate"] == 50.0 and suiping["student_active_rate"] == 25.0  # 2 of 4, 1 of 4
    assert OveractiveClient.objects.filter(client_key=f"u:{teacher.pk}").exists()

    personal_data_erase(user=teacher)
    personal_data_erase(user=pupil)

    for pk in (teacher.pk, pupil.pk):
        assert not AccessEvent.objects.filter(user_id=pk).exists()
        assert not AccessEvent.objects.filter(client_key=f"u:{pk}").exists()
        assert not DailyUserActivity.objects.filter(client_key=f"u:{pk}").exists()
        assert not OveractiveClient.objects.filter(client_key=f"u:{pk}").exists()
    erased = AccessEvent.objects.filter(client_key__startswith="p:")
    assert erased.count() == 2 * 4 * 4 + 11
    assert set(erased.values_list("ip_hash", "user_agent")) == {("", "")}
    assert set(erased.values_list("role", flat=True)) == {"teacher", "student"}  # the snapshot stays
    assert figures() == before

    out = io.StringIO()
    call_command("rebuild_rollups", "--from", "2025-12-01", "--to", "2026-02-28", stdout=out)
    assert "无差异" in out.getvalue()
    assert figures() == before


def test_raw_events_past_retention_are_purged_and_the_figures_stay(history, tmp_path):
    before = figures()
    today = datetime.date(2027, 2, 15)
    assert purge_horizon(today) == datetime.date(2026, 1, 1)  # 13 full months are kept

    preview = access_events_purge(today=today, dry_run=True)
    assert preview["events"] == AccessEvent.objects.filter(time__lt=at("2026-01-01", "00:00:00")).count() > 0
    assert AccessEvent.objects.filter(time__lt=at("2026-01-01", "00:00:00")).exists()  # a dry run deletes nothing

    result = access_events_purge(today=today)
    assert result["events"] == preview["events"]
    assert not AccessEvent.objects.filter(time__lt=at("2026-01-01", "00:00:00")).exists()
    assert AccessEvent.objects.filter(time__gte=at("2026-01-01", "00:00:00")).exists()
    # December 2025 (all of 2025-Q4) no longer names anyone; 2026-Q1 is still within retention.
    december = DailyUserActivity.objects.filter(day__lt=datetime.date(2026, 1, 1))
    assert december.exists() and not december.exclude(client_key__startswith="q:").exists()
    assert DailyUserActivity.objects.filter(day__gte=datetime.date(2026, 1, 1), client_key__startswith="u:").exists()
    assert figures() == before
    assert RollupState.objects.get().purged_before == datetime.date(2026, 1, 1)

    # What the purged days' roll-ups rest on is gone: they cannot be rebuilt or re-imported over.
    with pytest.raises(CommandError, match="保留期"):
        call_command("rebuild_rollups", "--from", "2025-12-01", "--to", "2025-12-31", stdout=io.StringIO())
    log = tmp_path / "old.csv"
    resource = ResourcePage.objects.first()
    log.write_text(
        "time,username,resource,action,user_agent,ip,session\n"
        f"2025-12-20T10:00:00+08:00,,{resource.url},view,Mozilla/5.0,10.1.1.1,\n",
        encoding="utf-8",
    )
    count, errors = access_log_import(path=log)
    assert count == 0 and "保留期" in errors.report()
    assert figures() == before


def test_the_scheduled_refresh_purges_once_the_month_turns(history, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at("2027-01-31", "23:59:00"))
    scheduling.refresh_round()
    assert RollupState.objects.get().purged_before == datetime.date(2025, 12, 1)
    assert AccessEvent.objects.filter(time__lt=at("2026-01-01", "00:00:00")).exists()
    monkeypatch.setattr(timezone, "now", lambda: at("2027-02-01", "00:01:00"))
    assert scheduling.refresh_round()["events_purged"] > 0
    assert not AccessEvent.objects.filter(time__lt=at("2026-01-01", "00:00:00")).exists()
    assert scheduling.refresh_round()["events_purged"] == 0  # once a month, not every round
