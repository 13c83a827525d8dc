"""Someone trying to push a resource up the ranking, over real HTTP against a running server:
whatever headers one client rotates (X-Real-IP, X-Forwarded-For, user agent, Range chunks of one
download, play beacons), it counts once per COUNTER window; behind our proxy two real clients
still count twice. Asserted on the stored events and roll-ups, not on status codes."""

import pytest
import requests
from django.urls import reverse

from catalogue.models import ResourcePage
from indicators.models import AccessEvent, DailyResourceRollup
from tests import factories

from .user_agents import PEOPLE

pytestmark = pytest.mark.django_db(transaction=True)

BROWSERS = [ua for name, ua in sorted(PEOPLE.items()) if "Mozilla" in ua]


@pytest.fixture
def video_resource(site_pages):
    doc = factories.document("嵖岈山微课", name="chayashan.mp4", data=bytes(range(256)) * 64)  # 16 KiB
    page = factories.resource(title="嵖岈山｜花岗岩地貌", files=[(doc, "video")])
    return page, page.files.get(), doc


def totals(resource) -> dict:
    rows = DailyResourceRollup.objects.filter(resource_id=resource.pk)
    return {action: sum(r.total for r in rows if r.action == action) for action in ("view", "download", "play")}


def rotating(i: int) -> dict:
    """Every header a client controls, different on every request."""
    return {
        "User-Agent": BROWSERS[i % len(BROWSERS)],
        "X-Real-IP": f"203.0.113.{i + 1}",
        "X-Forwarded-For": f"198.51.100.{i + 1}, 192.0.2.{i + 1}",
        "Client-IP": f"192.0.2.{i + 100}",
        "Forwarded": f"for=192.0.2.{i + 50}",
    }


def test_one_client_rotating_every_header_counts_once_for_views_downloads_and_plays(live_server, video_resource):
    page, media, doc = video_resource
    page_url = live_server.url + page.url
    file_url = live_server.url + reverse("catalogue:resource_file", args=[media.pk, media.filename]) + "?download=1"
    document_url = live_server.url + doc.url
    session = requests.Session()

    for i in range(20):
        assert session.get(page_url, headers=rotating(i)).status_code == 200
    # One download, fetched in 16 Range chunks of 1 KiB by a download manager, headers rotating.
    for i, start in enumerate(range(0, 16384, 1024)):
        headers = rotating(i) | {"Range": f"bytes={start}-{start + 1023}"}
        response = session.get(file_url, headers=headers)
        assert response.status_code == 206 and len(response.content) == 1024
    # The same file again at Wagtail's document URL (the API's download_url), and a HEAD.
    assert session.get(document_url, headers=rotating(40)).status_code == 200
    assert session.head(document_url, headers=rotating(41)).status_code == 200
    # Twenty forged play beacons with the page's own CSRF token.
    token = session.cookies["csrftoken"]
    for i in range(20):
        response = session.post(
            live_server.url + reverse("indicators:play_beacon"),
            data={"resource": page.pk, "file": media.pk, "kind": "video"},
            headers=rotating(i) | {"X-CSRFToken": token, "Referer": page_url},
        )
        assert response.status_code == 204

    events = AccessEvent.objects.all()
    assert events.filter(action="view").count() == 20  # every hit is kept as evidence…
    assert events.filter(action="download").count() == 2  # …but a continuation chunk is no hit
    assert events.filter(action="play").count() == 20
    assert events.values("client_key").distinct().count() == 1  # one client, whatever it claimed
    assert totals(page) == {"view": 1, "download": 1, "play": 1}  # …and it counts once
    counted = ResourcePage.objects.get(pk=page.pk)
    assert (counted.view_count, counted.download_count, counted.play_count) == (1, 1, 1)


def test_behind_our_proxy_two_real_clients_count_twice_and_forged_hops_are_ignored(
    live_server, video_resource, settings
):
    settings.TRUSTED_PROXY_COUNT = 1  # nginx overwrites X-Forwarded-For with the address it saw
    page, _media, _doc = video_resource
    url = live_server.url + page.url

    # Two pupils' phones, as our nginx reports them.
    for address in ("203.0.113.7", "198.51.100.9"):
        requests.get(url, headers={"X-Forwarded-For": address, "User-Agent": BROWSERS[0]})
    assert totals(page)["view"] == 2
    assert AccessEvent.objects.values("client_key").distinct().count() == 2

    # A third client forges what it can: X-Real-IP, hops left of the one our proxy appended (a proxy
    # that appends instead of overwriting), and the user agent. IPv6 clients rotate within their /64.
    for i in range(10):
        requests.get(
            url,
            headers={
                "X-Forwarded-For": f"10.0.0.{i}, 172.16.{i}.1, 192.0.2.77",
                "X-Real-IP": f"10.9.9.{i}",
                "User-Agent": BROWSERS[i % len(BROWSERS)],
            },
        )
        requests.get(url, headers={"X-Forwarded-For": f"2001:db8:5:7::{i + 1:x}", "User-Agent": BROWSERS[i]})
    assert totals(page)["view"] == 4
    assert AccessEvent.objects.values("client_key").distinct().count() == 4
