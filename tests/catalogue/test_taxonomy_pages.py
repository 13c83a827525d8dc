"""A theme or topic added or renamed in the admin gets its public page at once: through the admin's
own snippet forms over HTTP, as the resource admin does it."""

import re

import pytest

from catalogue.models import Role, Theme, ThemePage, Topic, TopicPage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, site_pages):
    client.force_login(factories.user(Role.RESOURCE_ADMIN, region=None))
    return client


def _csrf_free_post(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(
        r'class="error-message"[^<]*<[^>]*>([^<]*)', response.content.decode()
    )
    return response


def test_a_topic_added_in_the_admin_has_its_public_page_at_once(admin_client, client):
    theme = Theme.objects.get(name="自然风貌")
    _csrf_free_post(
        admin_client,
        "/admin/snippets/catalogue/topic/add/",
        {
            "theme": theme.pk,
            "name": "金顶山",
            "slug": "jinding-shan",
            "place": "驿城区",
            "description": "驿城区的金顶山。",
            "sort_order": 90,
        },
    )
    topic = Topic.objects.get(name="金顶山")
    page = TopicPage.objects.get(topic=topic)
    assert page.live and page.get_parent().specific.theme == theme
    response = client.get("/natural-scenery/jinding-shan/")
    assert response.status_code == 200 and "金顶山" in response.content.decode()
    # The theme page links to it.
    assert "/natural-scenery/jinding-shan/" in client.get("/natural-scenery/").content.decode()


def test_a_renamed_theme_and_a_moved_topic_follow_with_redirects(
    admin_client, client, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(name="自然风貌")
    with django_capture_on_commit_callbacks(execute=True):
        _csrf_free_post(
            admin_client,
            f"/admin/snippets/catalogue/theme/edit/{theme.pk}/",
            {"name": "山水风光", "slug": "scenery", "description": theme.description, "sort_order": theme.sort_order},
        )
    page = ThemePage.objects.get(theme=theme)
    assert (page.title, page.slug) == ("山水风光", "scenery")
    html = client.get("/scenery/").content.decode()
    assert "<h1>山水风光</h1>" in html or "山水风光" in html
    assert client.get("/scenery/chayashan/").status_code == 200  # its topics moved along
    old = client.get("/natural-scenery/chayashan/")
    assert old.status_code in (301, 302) and old["Location"].endswith("/scenery/chayashan/")

    topic = Topic.objects.get(name="嵖岈山")
    red = Theme.objects.get(name="红色文化")
    with django_capture_on_commit_callbacks(execute=True):
        _csrf_free_post(
            admin_client,
            f"/admin/snippets/catalogue/topic/edit/{topic.pk}/",
            {
                "theme": red.pk,
                "name": topic.name,
                "slug": topic.slug,
                "place": topic.place,
                "description": topic.description,
                "sort_order": topic.sort_order,
            },
        )
    assert client.get("/red-culture/chayashan/").status_code == 200
    assert TopicPage.objects.get(topic=topic).get_parent().specific.theme == red
