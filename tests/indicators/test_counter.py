"""COUNTER R5.1 rules: double-click filter, unique items per user-session."""

import pytest

from catalogue.models import Role
from indicators.models import DailyRollup
from tests import factories

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource(site_pages):
    return factories.resource(title="竹沟革命纪念馆")


def totals(resource, action="view"):
    rows = DailyRollup.objects.filter(resource=resource, action=action)
    return sum(r.total for r in rows), sum(r.uniques for r in rows)


def test_clicks_29_seconds_apart_count_once_and_the_later_is_kept(resource):
    factories.access_hit(resource, at=at("2026-03-05", "10:01:00"))
    factories.access_hit(resource, at=at("2026-03-05", "10:01:29"))
    assert totals(resource) == (1, 1)
    resource.refresh_from_db()
    assert resource.view_count == 1


def test_clicks_35_seconds_apart_count_twice(resource):
    factories.access_hit(resource, at=at("2026-03-05", "10:01:00"))
    factories.access_hit(resource, at=at("2026-03-05", "10:01:35"))
    assert totals(resource) == (2, 1)  # same user-session: one unique item


def test_a_chain_of_quick_clicks_counts_once_however_long_it_lasts(resource):
    for clock in ("10:00:00", "10:00:20", "10:00:40", "10:01:00", "10:01:25"):
        factories.access_hit(resource, at=at("2026-03-05", clock))
    assert totals(resource)[0] == 1


def test_a_chain_broken_by_a_long_pause_counts_each_part(resource):
    for clock in ("10:00:00", "10:00:20", "10:00:55", "10:01:10"):
        factories.access_hit(resource, at=at("2026-03-05", clock))
    assert totals(resource)[0] == 2  # 10:00:20 and 10:01:10 are kept


def test_double_clicks_are_per_user_item_and_action(resource, site_pages):
    other = factories.resource(title="嫘祖故里")
    factories.access_hit(resource, at=at("2026-03-05", "10:00:00"))
    factories.access_hit(resource, at=at("2026-03-05", "10:00:05"), action="download")
    factories.access_hit(other, at=at("2026-03-05", "10:00:10"))
    factories.access_hit(resource, at=at("2026-03-05", "10:00:15"), ip="10.9.9.9")
    assert totals(resource) == (2, 2)
    assert totals(resource, "download") == (1, 1)
    assert totals(other) == (1, 1)


def test_a_click_just_before_midnight_is_replaced_by_one_just_after(resource):
    factories.access_hit(resource, at=at("2026-03-05", "23:59:50"))
    factories.access_hit(resource, at=at("2026-03-06", "00:00:10"))
    by_day = {r.day.isoformat(): r.total for r in DailyRollup.objects.filter(resource=resource)}
    assert by_day == {"2026-03-06": 1}


def test_unique_items_are_per_session_hour_for_anonymous_visitors(resource):
    factories.access_hit(resource, at=at("2026-03-05", "10:05:00"))
    factories.access_hit(resource, at=at("2026-03-05", "10:50:00"))
    factories.access_hit(resource, at=at("2026-03-05", "11:05:00"))
    assert totals(resource) == (3, 2)  # 10 o'clock and 11 o'clock sessions


def test_a_logged_in_session_is_one_session_all_day(resource):
    teacher = factories.user(Role.TEACHER)
    for clock in ("09:00:00", "11:00:00", "15:00:00"):
        factories.access_hit(resource, at=at("2026-03-05", clock), user=teacher, session="abc123")
    factories.access_hit(resource, at=at("2026-03-05", "16:00:00"), user=teacher, session="other-session")
    assert totals(resource) == (4, 2)


def test_unique_investigations_count_an_item_once_per_session_across_actions(resource):
    factories.access_hit(resource, at=at("2026-03-05", "10:00:00"))
    factories.access_hit(resource, at=at("2026-03-05", "10:00:10"), action="download")
    factories.access_hit(resource, at=at("2026-03-05", "10:00:20"), action="play")
    rows = DailyRollup.objects.filter(resource=resource)
    assert sum(r.total for r in rows) == 3
    assert sum(r.unique_investigations for r in rows) == 1
