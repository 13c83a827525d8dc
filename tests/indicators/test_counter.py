"""COUNTER R5.1 rules: double-click filter, unique items per user-session, robots."""

import pytest

from catalogue.models import Role
from indicators.models import AccessEvent, DailyRollup, Exclusion
from indicators.robots import is_robot, robots_list_date
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


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "python-requests/2.31.0",
        "curl/8.5.0",
        "Wget/1.21.4",
        "",
    ],
)
def test_robots_are_recorded_but_never_counted(resource, user_agent):
    factories.access_hit(resource, at=at("2026-03-05"), user_agent=user_agent)
    assert AccessEvent.objects.get().exclusion == Exclusion.ROBOT
    assert totals(resource) == (0, 0)


@pytest.mark.parametrize(
    "user_agent",
    [
        "AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; zh_cn)",
        "ZhumadianEdu/2.1 CFNetwork/1494.0.7 Darwin/23.4.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN",
        "Mozilla/5.0 (Linux; U; Android 12; zh-CN; V2049A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/69.0.3497.100 Mobile Safari/537.36 AliApp(DingTalk/7.0.10) com.alibaba.android.rimet/30000000",
        "Mozilla/5.0 (Linux; Android 13; PGT-AN10) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/97.0.4692.98 Mobile Safari/537.36 T7/13.32 SP-engine/2.70.0 baiduboxapp/13.32.0.10",
        factories.BROWSER_UA,
    ],
)
def test_real_players_and_apps_are_counted(resource, user_agent):
    assert not is_robot(user_agent)
    factories.access_hit(resource, at=at("2026-03-05"), user_agent=user_agent)
    assert totals(resource) == (1, 1)


def test_the_robot_list_carries_its_date():
    assert robots_list_date() == "2024-06-01"
