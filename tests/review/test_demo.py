"""The review demo (run by `seed_demo`) gives a newcomer a submission in every state a demo account
can act on, including the public notice, and running it again changes nothing."""

import pytest
from django.core.management import call_command

from review.models import Publicity, ReviewEvent, Submission

pytestmark = pytest.mark.django_db


def test_review_demo_covers_the_pipeline_and_is_idempotent(client):
    call_command("seed_demo")
    states = set(Submission.objects.values_list("status", flat=True))
    assert states == {"draft", "county_review", "returned", "expert_review", "selected", "publicity"}
    notice = Publicity.objects.get()
    assert client.get(f"/publicity/{notice.pk}/").status_code == 200
    assert ReviewEvent.objects.filter(action="open_publicity").count() == 1
    counts = (Submission.objects.count(), ReviewEvent.objects.count(), Publicity.objects.count())
    call_command("seed_review_demo")
    assert (Submission.objects.count(), ReviewEvent.objects.count(), Publicity.objects.count()) == counts
