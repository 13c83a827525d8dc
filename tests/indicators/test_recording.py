"""Live recording: public views, downloads and plays become events with a snapshot of the user;
refreshing, robots, previews, reviewers and API calls do not move a number."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from catalogue.models import ResourcePage, Role
from catalogue.services import profile_set
from indicators.models import AccessEvent, Exclusion
from indicators.periods import current_month
from indicators.selectors import indicator_rows
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource(site_pages):
    return factories.resource(title="嵖岈山｜花岗岩地貌")


def counts(resource):
    page = ResourcePage.objects.get(pk=resource.pk)
    return page.view_count, page.download_count, page.play_count


def test_a_public_view_is_recorded_and_counted(browser_client, resource):
    response = browser_client.get(resource.url)
    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert (event.action, event.resource_id, event.exclusion, event.role) == ("view", resource.pk, "", "")
    assert event.user_id is None and event.client_key.startswith("h:")
    assert event.ip_hash and "127.0.0.1" not in event.ip_hash  # the IP itself is never stored
    assert counts(resource) == (1, 0, 0)


def test_refreshing_a_page_five_times_counts_one_view(browser_client, resource):
    for _ in range(5):
        assert browser_client.get(resource.url).status_code == 200
    assert AccessEvent.objects.count() == 5  # raw events keep every hit
    assert counts(resource) == (1, 0, 0)
    assert browser_client.get(resource.url).context["page"].view_count == 1


def test_the_resource_page_shows_its_counts(browser_client, resource):
    browser_client.get(resource.url)
    html = browser_client.get(resource.url).content.decode()
    assert '<dd class="count-views">1</dd>' in html
    assert '<dd class="count-downloads">0</dd>' in html


def test_a_download_is_recorded_once_per_double_click(browser_client, site_pages):
    doc = factories.document("课件", name="lesson.pdf")
    page = factories.resource(files=[(doc, "document")])
    f = page.files.get()
    url = reverse("catalogue:resource_file", args=[f.pk, f.filename])
    browser_client.get(url + "?download=1")
    browser_client.get(url + "?download=1")
    browser_client.get(url)  # inline streaming for the player is not a download
    assert AccessEvent.objects.filter(action="download").count() == 2
    assert AccessEvent.objects.get(action="download", id=AccessEvent.objects.first().id).file_id == f.pk
    assert counts(page) == (0, 1, 0)


def test_the_teachers_role_region_and_school_are_snapshotted(browser_client, resource):
    teacher = factories.user(Role.TEACHER, region="遂平县", school="遂平县第一初级中学")
    browser_client.force_login(teacher)
    browser_client.get(resource.url)
    # The teacher moves to another county's school; the old visit stays where it happened.
    new_school = factories.school_(region="汝南县", name="汝南县实验中学")
    profile_set(user=teacher, role=Role.TEACHER, region=new_school.region, school=new_school)
    teacher.refresh_from_db()
    client = Client(HTTP_USER_AGENT=factories.BROWSER_UA)
    client.force_login(teacher)
    client.get(resource.url)
    first, second = AccessEvent.objects.order_by("id")
    assert (first.role, first.region.name, first.school.name) == ("teacher", "遂平县", "遂平县第一初级中学")
    assert (second.region.name, second.school.name) == ("汝南县", "汝南县实验中学")
    assert first.session_hash and first.client_key == f"u:{teacher.pk}"


def test_anonymous_visits_count_for_the_resource_but_not_for_teachers_or_students(browser_client, resource):
    factories.denominator(teachers=10, students=10)
    browser_client.get(resource.url)
    assert counts(resource) == (1, 0, 0)
    row = indicator_rows(current_month(), "region", resource.region)[0]
    assert row["teacher_visits"] == 0 and row["student_visits"] == 0


def test_robots_are_not_counted(client, resource):
    client.get(resource.url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")
    client.get(resource.url)  # no user agent at all
    assert list(AccessEvent.objects.values_list("exclusion", flat=True)) == [Exclusion.ROBOT, Exclusion.ROBOT]
    assert counts(resource) == (0, 0, 0)


def test_staff_previews_are_not_recorded(browser_client, resource):
    admin = get_user_model().objects.create_superuser("boss", password="Pass#word123")
    browser_client.force_login(admin)
    response = browser_client.get(f"/admin/pages/{resource.pk}/view_draft/")
    assert response.status_code == 200
    assert AccessEvent.objects.count() == 0


def test_reviewers_and_admins_at_work_are_not_counted(browser_client, resource):
    reviewer = factories.user(Role.COUNTY_REVIEWER)
    browser_client.force_login(reviewer)
    browser_client.get(resource.url)
    teacher = factories.user(Role.TEACHER)
    client = Client(HTTP_USER_AGENT=factories.BROWSER_UA)
    client.force_login(teacher)
    # Teachers have no admin access (they use the guided form), so an /admin/ referer cannot be
    # editorial work of theirs: their visit counts like any other.
    client.get(resource.url, HTTP_REFERER="http://testserver/admin/pages/3/")
    assert list(AccessEvent.objects.order_by("id").values_list("exclusion", flat=True)) == [Exclusion.EDITORIAL, ""]
    assert counts(resource) == (1, 0, 0)


def test_api_calls_are_not_recorded(browser_client, resource):
    assert browser_client.get(f"/api/v2/pages/{resource.pk}/").status_code == 200
    assert AccessEvent.objects.count() == 0


def test_unpublished_resources_are_not_recorded(browser_client, site_pages):
    draft = factories.resource(publish=False)
    admin = get_user_model().objects.create_superuser("boss", password="Pass#word123")
    browser_client.force_login(admin)
    browser_client.get(f"/admin/pages/{draft.pk}/view_draft/")
    assert AccessEvent.objects.count() == 0


@pytest.fixture
def video_page(site_pages):
    doc = factories.document("微课", name="lesson.mp4", data=b"\x00" * 2048)
    page = factories.resource(files=[(doc, "video")])
    return page, page.files.get()


def test_the_player_beacon_counts_a_play_and_requires_the_csrf_token(video_page):
    page, media = video_page
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=factories.BROWSER_UA)
    html = client.get(page.url).content.decode()
    assert "indicators/player-beacon.js" in html and 'data-csrf-token="' in html
    assert f'data-resource="{page.pk}" data-file="{media.pk}" data-kind="video"' in html
    data = {"resource": page.pk, "file": media.pk, "kind": "video"}
    assert client.post(reverse("indicators:play_beacon"), data).status_code == 403  # no token
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("indicators:play_beacon"), data, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 204
    event = AccessEvent.objects.get(action="play")
    assert event.file_id == media.pk
    assert counts(page) == (1, 0, 1)


def test_the_beacon_refuses_files_of_other_or_unpublished_resources(browser_client, video_page, site_pages):
    page, media = video_page
    other = factories.resource(title="别的资源")
    url = reverse("indicators:play_beacon")
    assert browser_client.post(url, {"resource": other.pk, "file": media.pk}).status_code == 400
    assert browser_client.post(url, {"resource": "x", "file": media.pk}).status_code == 400
    ResourcePage.objects.get(pk=page.pk).unpublish()
    assert browser_client.post(url, {"resource": page.pk, "file": media.pk}).status_code == 400
    assert not AccessEvent.objects.filter(action="play").exists()
    assert browser_client.get(url).status_code == 405
