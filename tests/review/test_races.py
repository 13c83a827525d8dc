"""Races on a running server: two people act on one submission at the same moment. The transition
locks the submission's row and reads its state again, so exactly one wins and the loser gets a
Chinese refusal, never a half-done mix (history, Wagtail's workflow rows and the status agree).

Runs where the database serves concurrent connections (PostgreSQL; CI runs the suite on it). The
in-memory SQLite test database makes the live server share one connection between its threads, so
there is no real race to run on it."""

import re
import threading

import pytest
import requests
from django.db import connection
from wagtail.models import WorkflowState

from review import services
from review.models import ExpertReview, ReviewEvent, Stage, Submission
from tests import factories
from tests.review.conftest import good_files, people  # noqa: F401 — fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs a database with concurrent connections (PostgreSQL)"
    ),
]


def _session(live_server, username):
    session = requests.Session()
    page = session.get(f"{live_server.url}/accounts/login/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = session.post(
        f"{live_server.url}/accounts/login/",
        data={"username": username, "password": "Pass#word123", "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_withdraw_and_county_approval_at_the_same_moment(live_server, people):  # noqa: F811
    teacher, reviewer = _session(live_server, people.teacher.username), _session(live_server, people.reviewer.username)
    for attempt in range(4):
        draft = factories.submission(
            teacher=people.teacher, files=good_files(f"竞态{attempt}", f"{attempt * 50:02x}3355")
        )
        services.submission_submit(submission=draft, user=people.teacher)
        withdraw, approve = _together(
            lambda pk=draft.pk: teacher.post(f"{live_server.url}/submit/{pk}/withdraw/", timeout=60),
            lambda pk=draft.pk: reviewer.post(
                f"{live_server.url}/review/{pk}/",
                data={"action": "county", "decision": "approve", "reason": "同意"},
                timeout=60,
            ),
        )
        # When the withdrawal wins, the work has left the reviewer's desk: their POST is refused with
        # the reason (403, "还没有提交到县区初审") and changes nothing.
        assert withdraw.status_code in (200, 302) and approve.status_code in (200, 302, 403)
        submission = Submission.objects.get(pk=draft.pk)
        if approve.status_code == 403:
            assert submission.status == Stage.WITHDRAWN and "还没有提交到县区初审" in approve.text
        actions = set(ReviewEvent.objects.filter(submission=submission).values_list("action", flat=True))
        state = WorkflowState.objects.filter(object_id=str(submission.page_id)).get()
        if submission.status == Stage.WITHDRAWN:
            assert "county_approve" not in actions and state.status == "cancelled"
            assert not ExpertReview.objects.filter(submission=submission).exists()
        else:
            assert submission.status == Stage.EXPERT_REVIEW and "withdraw" not in actions
            assert state.status == "in_progress" and ExpertReview.objects.filter(submission=submission).count() == 2


def test_a_double_submit_enters_review_once(live_server, people):  # noqa: F811
    teacher = _session(live_server, people.teacher.username)
    draft = factories.submission(teacher=people.teacher, files=good_files("双击", "8a2be2"))
    responses = _together(*[lambda: teacher.post(f"{live_server.url}/submit/{draft.pk}/submit/", timeout=60)] * 3)
    assert all(r.status_code in (200, 302) for r in responses)
    submission = Submission.objects.get(pk=draft.pk)
    assert submission.status == Stage.COUNTY_REVIEW and submission.round == 1
    assert ReviewEvent.objects.filter(submission=submission, action="submit").count() == 1
    assert WorkflowState.objects.filter(object_id=str(submission.page_id)).count() == 1
