"""Machine-like use the robot list misses: a client requesting too many different resources in a
minute or a day, or too many actions in a day, loses that day's hits, with the reason recorded and
shown on the monitoring page beside the other reasons."""

import pytest

from catalogue.models import ResourcePage, Role
from indicators.models import DailyExclusion, DailyRollup, OveractiveClient
from indicators.periods import parse_period
from indicators.selectors import exclusion_summary
from tests import factories

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(site_pages):
    return [factories.resource(title=f"驻马店红色文化第{i}课") for i in range(12)]


def counted(day="2026-03-05") -> int:
    return sum(DailyRollup.objects.filter(day=day).values_list("total", flat=True))


def test_eleven_resources_in_a_minute_is_a_machine_and_the_whole_day_goes(shelf):
    teacher = factories.user(Role.TEACHER)
    factories.access_hit(shelf[0], at=at("2026-03-05", "08:00:00"), user=teacher)  # earlier that day
    for i, resource in enumerate(shelf[:11]):
        factories.access_hit(resource, at=at("2026-03-05", f"10:00:{i * 5:02d}"), user=teacher)
    assert counted() == 0
    flag = OveractiveClient.objects.get()
    assert (flag.client_key, flag.rule, flag.observed, flag.events) == (f"u:{teacher.pk}", "items_per_minute", 11, 12)
    assert DailyExclusion.objects.get(reason="overactive").events == 12
    assert ResourcePage.objects.get(pk=shelf[0].pk).view_count == 0


def test_ten_resources_in_a_minute_is_a_person_reading_fast(shelf):
    pupil = factories.user(Role.STUDENT)
    for i, resource in enumerate(shelf[:10]):
        factories.access_hit(resource, at=at("2026-03-05", f"10:00:{i * 5:02d}"), user=pupil)
    # The eleventh a minute later is a new minute.
    factories.access_hit(shelf[10], at=at("2026-03-05", "10:01:00"), user=pupil)
    assert counted() == 11 and not OveractiveClient.objects.exists()


def test_too_many_resources_or_actions_in_a_day(shelf, settings):
    settings.INDICATORS_OVERACTIVE_ITEMS_PER_DAY = 5
    settings.INDICATORS_OVERACTIVE_ACTIONS_PER_DAY = 8
    crawler_ip, hammer_ip, reader_ip = "10.8.0.1", "10.8.0.2", "10.8.0.3"
    for i, resource in enumerate(shelf[:6]):  # six resources over the morning
        factories.access_hit(resource, at=at("2026-03-05", f"{8 + i:02d}:00:00"), ip=crawler_ip)
    for minute in range(9):  # one resource, a click every minute (each past the 30 s window)
        factories.access_hit(shelf[0], at=at("2026-03-05", f"11:{minute:02d}:00"), ip=hammer_ip)
    for i in range(5):  # five resources, well spread: a person
        factories.access_hit(shelf[i], at=at("2026-03-05", f"{13 + i:02d}:00:00"), ip=reader_ip)
    rules = dict(OveractiveClient.objects.values_list("rule", "observed"))
    assert rules == {"items_per_day": 6, "actions_per_day": 9}
    assert counted() == 5


def test_the_exclusion_reasons_add_up_and_the_dashboard_shows_them(shelf, client):
    teacher = factories.user(Role.TEACHER)
    reviewer = factories.user(Role.COUNTY_REVIEWER)
    factories.access_hit(shelf[0], at=at("2026-03-05", "09:00:00"), user_agent="curl/8.5.0")
    factories.access_hit(shelf[0], at=at("2026-03-05", "09:00:00"), user=reviewer)
    factories.access_hit(shelf[1], at=at("2026-03-05", "09:00:00"), user=teacher)
    factories.access_hit(shelf[1], at=at("2026-03-05", "09:00:10"), user=teacher)  # double click
    for i, resource in enumerate(shelf[:11]):
        factories.access_hit(resource, at=at("2026-03-05", f"10:00:{i * 5:02d}"), ip="10.7.7.7")
    summary = exclusion_summary(parse_period("2026-03"))
    assert {r["reason"]: r["events"] for r in summary["reasons"]} == {
        "robot": 1,
        "editorial": 1,
        "double_click": 1,
        "overactive": 11,
    }
    assert summary["counted"] == 1 and summary["overactive_clients"] == 1

    client.force_login(factories.user(Role.RESOURCE_ADMIN, region=""))
    html = client.get("/admin/indicators/", {"period": "2026-03"}).content.decode()
    for label in ("机器人/爬虫", "审核/管理访问", "30 秒内重复点击", "异常高频访问"):
        assert label in html
    assert 'data-reason="overactive">11<' in html and 'data-reason="counted">1<' in html
