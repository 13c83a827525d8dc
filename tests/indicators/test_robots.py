"""Robots and automation are recorded but never counted; the browsers, in-app browsers and players
our users really have are counted. Real user-agent strings, sent to the real resource page."""

import re

import pytest
from django.test import Client

from catalogue.models import ResourcePage
from indicators import robots
from indicators.models import AccessEvent, DailyExclusion, Exclusion
from tests import factories

from .user_agents import MACHINES, PEOPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource(site_pages):
    return factories.resource(title="竹沟革命纪念馆")


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_people_are_counted(resource, name):
    response = Client(HTTP_USER_AGENT=PEOPLE[name]).get(resource.url)
    assert response.status_code == 200
    assert AccessEvent.objects.get().exclusion == Exclusion.NONE
    assert ResourcePage.objects.get(pk=resource.pk).view_count == 1


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_machines_are_recorded_but_never_counted(resource, name):
    response = Client(HTTP_USER_AGENT=MACHINES[name]).get(resource.url)
    assert response.status_code == 200
    assert AccessEvent.objects.get().exclusion == Exclusion.ROBOT
    assert ResourcePage.objects.get(pk=resource.pk).view_count == 0
    assert DailyExclusion.objects.get(reason="robot").events == 1  # the dashboard shows why


def test_a_machine_pretending_to_be_wechat_is_still_a_machine():
    # The exceptions only lift the four broad patterns; everything else applies to everyone.
    assert robots.is_robot(PEOPLE["WeChat on iOS"] + " HeadlessChrome/124.0")
    assert robots.is_robot("python-requests/2.31.0 MicroMessenger/8.0.48")
    assert robots.is_robot("Mozilla/5.0 (compatible; Baiduspider/2.0) baiduboxapp/13.32")


def test_the_broad_patterns_still_catch_what_is_not_a_known_client():
    strict, _broad = robots._compiled()
    for user_agent in ("ZmdTool core/1.0", "ZmdTool/1.0 CFNetwork", "baidu-index-tool/1.0", "sogou-pic/2.0"):
        assert not strict.search(user_agent)  # only a broad pattern matches it
        assert robots.is_robot(user_agent)


def test_the_list_comes_from_the_counter_robots_package_and_names_its_version():
    patterns = robots._patterns()
    assert "HeadlessChrome" in patterns and "okhttp" in patterns and "python" in patterns
    assert len(patterns) > 300
    assert re.fullmatch(r"\d{4}\.\d+ 版", robots.robots_list_date())


def test_the_fast_matcher_agrees_with_plain_regular_expressions():
    """The trie and prefix split are an optimisation only: same answer as one regex per pattern."""
    patterns = [p for p in robots._patterns() if p.lower() not in robots.BROAD_PATTERNS]
    plain = [re.compile(p, re.IGNORECASE) for p in patterns]
    strict, _broad = robots._compiled()
    words = sorted({w for p in patterns for w in re.findall(r"[A-Za-z0-9!@.]{2,}", p)})
    samples = list(PEOPLE.values()) + list(MACHINES.values())
    for i, word in enumerate(words):
        base = samples[i % len(samples)]
        cut = (i * 7) % (len(base) + 1)
        samples.append(base[:cut] + (word.upper() if i % 2 else word) + base[cut:])
        samples.append(word + "/" + str(i % 10) + " " + words[(i * 13) % len(words)])
    for sample in samples:
        assert strict.search(sample) == any(r.search(sample) for r in plain), sample
