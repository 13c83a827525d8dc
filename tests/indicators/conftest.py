import datetime

import pytest
from django.utils import timezone

from tests.factories import BROWSER_UA

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def at(day: str, clock: str = "10:00:00") -> datetime.datetime:
    """A moment in Asia/Shanghai, e.g. at("2026-03-05", "10:01:29")."""
    return datetime.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


@pytest.fixture
def browser_client(client):
    """The Django test client with a real browser's user agent (an empty one is a robot)."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return client
