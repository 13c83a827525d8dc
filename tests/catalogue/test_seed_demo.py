"""seed_demo gives a newcomer a full catalogue, and running it again changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalogue.models import ResourcePage, Role, Theme, Topic

pytestmark = pytest.mark.django_db


def test_seed_demo_is_complete_and_idempotent(client):
    call_command("seed_demo")
    resources = ResourcePage.objects.live()
    assert resources.count() >= 60
    for theme in Theme.objects.all():
        assert resources.filter(theme=theme).exists(), theme.name
    for topic in Topic.objects.all():
        assert resources.filter(topic=topic).exists(), topic.name
    assert resources.filter(source=ResourcePage.Source.NATIONAL).exists()
    assert resources.filter(cover_image__isnull=True).count() == 0
    assert resources.filter(resource_type__code="video", files__kind="video").exists()
    roles = set(get_user_model().objects.values_list("profile__role", flat=True))
    assert roles >= {r.value for r in Role}
    assert client.login(username="teacher", password="Zmd#demo2026")

    counts = (ResourcePage.objects.count(), get_user_model().objects.count())
    call_command("seed_demo")
    assert (ResourcePage.objects.count(), get_user_model().objects.count()) == counts

    # Every theme and topic page is reachable and lists resources.
    html = client.get("/natural-scenery/chayashan/").content.decode()
    assert "嵖岈山花岗岩地貌的形成" in html
