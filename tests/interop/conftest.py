import datetime

import pytest
from django.utils import timezone

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def at(day: str, clock: str = "10:00:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


@pytest.fixture
def oai_url(live_server):
    return live_server.url + "/oai/"
