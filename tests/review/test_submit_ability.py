"""Who may use the teacher's desk, the review desk and selection, over raw HTTP against the running
test server, with the field names the browser sends: the answer is `catalogue.permissions`
(`Ability.SUBMIT` = a *confirmed* teacher), whatever the role string says.

A teacher who signed in through the education platform waits for the county's confirmation: until
then every GET of the desk goes to the waiting page and every POST (the form, the upload script, a
direct "submit" or "withdraw") is refused with the reason in Chinese, and nothing is stored. Once the
county confirms, the same teacher saves and submits. A county reviewer of another county, an expert
and a pupil get 403 on the teacher's, the desk's and the selection's URLs, with nothing changed."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings
from django.db import connection

from accounts.models import FederatedIdentity, SchoolMapping
from catalogue.models import Confirmation, Region, ResourceType, Role, School, Stage, Subject, Theme, Topic
from review.models import ReviewEvent, Submission
from review.models import Stage as ReviewStage
from tests import factories
from tests.accounts.idp.fixture import identity_provider  # noqa: F401 — fixture
from tests.accounts.test_federation import sign_in
from tests.review import live, media
from tests.review.conftest import good_files

pytestmark = pytest.mark.django_db(transaction=True)

PENDING = "您的教师身份正在等待所在县（区）确认，确认后才能申报资源。"
REFUSED = "没有权限访问"


# --- what is stored --------------------------------------------------------------------------------
def snapshot() -> dict:
    with connection.cursor() as cursor:
        rows = {}
        for table in (*live.TABLES, "review_reviewevent", "review_notification", "wagtailcore_workflowstate"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            rows[table] = cursor.fetchone()[0]
    media_root, temp = Path(settings.MEDIA_ROOT), Path(settings.UPLOAD_TEMP_DIR)
    return {
        "rows": rows,
        "files": {str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()},
        "temp": {p.name for p in temp.iterdir()} if temp.is_dir() else set(),
        "statuses": dict(Submission.objects.values_list("pk", "status")),
    }


# --- a browser, with requests ----------------------------------------------------------------------
def csrf_of(browser, url) -> str:
    """The CSRF token a page carries (every signed-in page has one in its sign-out form)."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(url, timeout=60).text).group(1)


def local_login(live_server, username) -> requests.Session:
    browser = requests.Session()
    token = csrf_of(browser, f"{live_server.url}/accounts/login/")
    answer = browser.post(
        f"{live_server.url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": "Pass#word123"},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def form_fields(**overrides) -> dict:
    """What the submission form sends for a 嵖岈山 micro-lecture (the options' values, by label)."""
    data = {
        "title": "嵖岈山｜奇石的故事",
        "resource_type": ResourceType.objects.get(name="微课视频").pk,
        "theme": Theme.objects.get(name="自然风貌").pk,
        "topic": Topic.objects.get(name="嵖岈山").pk,
        "stage": Stage.objects.get(name="初中").pk,
        "subjects": [Subject.objects.get(name="地理").pk],
        "description": "认识嵖岈山的花岗岩奇石。",
        "authors": "王静",
        "licence": "platform",
        "licence_confirmed": "on",
        "action": "draft",
    }
    return data | overrides


def files(colour="2a6f97") -> dict:
    return {
        "main_file": ("嵖岈山微课.mp4", media.mp4(colour=colour), "video/mp4"),
        "cover": ("封面.png", media.png(), "image/png"),
    }


def post_form(browser, url, data, *, xhr=False, **kwargs):
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    return browser.post(url, data=data, headers=headers, allow_redirects=False, timeout=120, **kwargs)


# --- the federated teacher -------------------------------------------------------------------------
@pytest.fixture
def federated(settings, identity_provider):  # noqa: F811
    settings.FEDERATED_LOGIN = identity_provider.oidc_settings()
    school = School.objects.get_or_create(region=Region.objects.get(name="遂平县"), name="遂平县第一初级中学")[0]
    SchoolMapping.objects.update_or_create(org_id="ORG-SP-01", defaults={"org_name": school.name, "school": school})
    factories.campaign(open_now=True)
    return identity_provider


def test_an_unconfirmed_teacher_is_refused_until_the_county_confirms(live_server, federated):
    reviewer = factories.user(Role.COUNTY_REVIEWER, username="sp-reviewer", region="遂平县")
    factories.user(Role.COUNTY_REVIEWER, username="yc-reviewer", region="驿城区")
    browser, callback = sign_in(live_server, federated, "t-wang", next_path="/submit/")
    assert callback.status_code == 302
    teacher = FederatedIdentity.objects.get(subject="T-0001").user
    assert (teacher.profile.role, teacher.profile.confirmation) == (Role.TEACHER, Confirmation.PENDING)
    # Another teacher's draft, to aim the direct "submit"/"withdraw" POSTs at.
    other = factories.user(Role.TEACHER, username="sp-teacher", region="遂平县", school="遂平县第一初级中学")
    draft = factories.submission(teacher=other, files=good_files())
    token = csrf_of(browser, f"{live_server.url}/")
    before = snapshot()

    # Page visits go to the page that says why.
    for path in ("/submit/", "/submit/new/", f"/submit/{draft.pk}/", f"/submit/{draft.pk}/edit/"):
        answer = browser.get(live_server.url + path, allow_redirects=False, timeout=60)
        assert (answer.status_code, answer.headers["Location"]) == (302, "/accounts/pending/"), path
    waiting = browser.get(live_server.url + "/submit/new/", timeout=60)
    assert waiting.url.endswith("/accounts/pending/") and "等待县区确认" in waiting.text

    # The form POSTed as the browser sends it (with and without the upload script), and the direct
    # submit/withdraw buttons: refused with the reason, before a byte is stored.
    data = form_fields(csrfmiddlewaretoken=token)
    answer = post_form(browser, f"{live_server.url}/submit/new/", data, files=files())
    assert answer.status_code == 403 and PENDING in answer.text
    answer = post_form(browser, f"{live_server.url}/submit/new/", data | {"action": "submit"}, xhr=True, files=files())
    assert answer.status_code == 403 and answer.json() == {"ok": False, "errors": [answer.json()["errors"][0]]}
    assert PENDING in answer.json()["errors"][0]
    for path in (f"/submit/{draft.pk}/edit/", f"/submit/{draft.pk}/submit/", f"/submit/{draft.pk}/withdraw/"):
        answer = post_form(browser, live_server.url + path, {"csrfmiddlewaretoken": token}, files=files())
        assert answer.status_code == 403 and PENDING in answer.text, path
    assert snapshot() == before
    assert not Submission.objects.filter(teacher=teacher).exists()

    # Another county's reviewer cannot confirm them; their own county's reviewer does.
    elsewhere = local_login(live_server, "yc-reviewer")
    answer = post_form(
        elsewhere,
        f"{live_server.url}/accounts/confirmations/",
        {
            "csrfmiddlewaretoken": csrf_of(elsewhere, f"{live_server.url}/accounts/confirmations/"),
            "profile": teacher.profile.pk,
            "decision": "confirm",
        },
    )
    assert answer.status_code == 404
    teacher.profile.refresh_from_db()
    assert teacher.profile.confirmation == Confirmation.PENDING
    county = local_login(live_server, reviewer.username)
    answer = post_form(
        county,
        f"{live_server.url}/accounts/confirmations/",
        {
            "csrfmiddlewaretoken": csrf_of(county, f"{live_server.url}/accounts/confirmations/"),
            "profile": teacher.profile.pk,
            "decision": "confirm",
        },
    )
    assert answer.status_code == 302
    teacher.profile.refresh_from_db()
    assert teacher.profile.confirmation == Confirmation.CONFIRMED

    # The same teacher, same session: the form opens, a draft is saved, then it is submitted.
    form = browser.get(f"{live_server.url}/submit/new/", allow_redirects=False, timeout=60)
    assert form.status_code == 200 and 'id="submission-form"' in form.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text))
    page = SimpleNamespace(url=live_server.url)
    data = live.form_data(page, browser, "/submit/new/")
    data.update(hidden)
    answer = post_form(browser, f"{live_server.url}/submit/new/", data, files=files())
    assert answer.status_code == 302, answer.text[:1000]
    saved = Submission.objects.get(teacher=teacher)
    assert saved.status == ReviewStage.DRAFT
    assert answer.headers["Location"] == f"/submit/{saved.pk}/"
    answer = post_form(browser, f"{live_server.url}/submit/{saved.pk}/submit/", {"csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    saved.refresh_from_db()
    assert saved.status == ReviewStage.COUNTY_REVIEW
    assert ReviewEvent.objects.filter(submission=saved, action="submit", actor=teacher).exists()
    assert snapshot()["files"] > before["files"]


# --- other roles on the teacher's, the desk's and the selection's URLs -----------------------------
@pytest.fixture
def in_review(db):
    """A 遂平县 teacher's work waiting for the county, and a draft of theirs."""
    from review import services

    factories.campaign(open_now=True)
    teacher = factories.user(Role.TEACHER, username="wangjing", region="遂平县", school="遂平县第一初级中学")
    submitted = services.submission_submit(
        submission=factories.submission(teacher=teacher, files=good_files()), user=teacher
    )
    draft = factories.submission(teacher=teacher, files=good_files(colour="aa3322"), title="嫘祖｜养蚕缫丝")
    return SimpleNamespace(teacher=teacher, submitted=submitted, draft=draft)


OUTSIDERS = [
    (Role.COUNTY_REVIEWER, "驿城区", None),
    (Role.CITY_EXPERT, "市直", "驻马店市第一高级中学"),
    (Role.STUDENT, "遂平县", "遂平县第一初级中学"),
]


@pytest.mark.parametrize("role, region, school", OUTSIDERS, ids=["other-county-reviewer", "expert", "pupil"])
def test_other_roles_are_refused_on_the_desks_and_change_nothing(live_server, in_review, role, region, school):
    user = factories.user(role, username=f"outsider-{role}", region=region, school=school)
    browser = local_login(live_server, user.username)
    token = csrf_of(browser, f"{live_server.url}/")
    submitted, draft = in_review.submitted, in_review.draft
    before = snapshot()

    gets = [
        "/submit/",
        "/submit/new/",
        f"/submit/{draft.pk}/",
        f"/submit/{draft.pk}/edit/",
        f"/review/{submitted.pk}/",
        "/review/selection/",
        f"/submissions/{submitted.pk}/files/{submitted.page.get_latest_revision_as_object().files.first().document_id}/",
    ]
    if role == Role.STUDENT:
        gets.append("/review/")
    for path in gets:
        answer = browser.get(live_server.url + path, allow_redirects=False, timeout=60)
        assert answer.status_code == 403 and REFUSED in answer.text, (path, answer.status_code)

    posts = [
        ("/submit/new/", form_fields(csrfmiddlewaretoken=token, action="submit"), files()),
        (f"/submit/{draft.pk}/edit/", form_fields(csrfmiddlewaretoken=token, title="改掉"), files(colour="0000ff")),
        (f"/submit/{draft.pk}/submit/", {"csrfmiddlewaretoken": token}, None),
        (f"/submit/{submitted.pk}/withdraw/", {"csrfmiddlewaretoken": token}, None),
        (
            f"/review/{submitted.pk}/",
            {"csrfmiddlewaretoken": token, "action": "county", "decision": "approve", "reason": "符合要求"},
            None,
        ),
        (
            "/review/selection/",
            {"csrfmiddlewaretoken": token, "action": "publish", "selected": [submitted.pk]},
            None,
        ),
    ]
    for path, data, upload in posts:
        answer = post_form(browser, live_server.url + path, data, files=upload)
        assert answer.status_code == 403 and REFUSED in answer.text, (path, answer.status_code)
    # The review desk of a reviewer from elsewhere or an expert opens, without this county's work.
    if role != Role.STUDENT:
        desk = browser.get(f"{live_server.url}/review/", timeout=60)
        assert desk.status_code == 200 and submitted.title not in desk.text
    assert snapshot() == before


def test_a_teacher_waiting_again_after_changing_school_cannot_submit_a_draft(live_server, in_review):
    """A federated teacher whose platform account names a new school waits for that county again
    (accounts.services): their old draft stays a draft, through the desk and through the services."""
    from django.core.exceptions import PermissionDenied

    from review import services, transitions

    teacher, draft = in_review.teacher, in_review.draft
    browser = local_login(live_server, teacher.username)
    token = csrf_of(browser, f"{live_server.url}/")
    teacher.profile.confirmation = Confirmation.PENDING
    teacher.profile.save(update_fields=["confirmation"])
    before = snapshot()
    answer = post_form(browser, f"{live_server.url}/submit/{draft.pk}/submit/", {"csrfmiddlewaretoken": token})
    assert answer.status_code == 403 and PENDING in answer.text
    answer = post_form(
        browser,
        f"{live_server.url}/submit/{draft.pk}/edit/",
        form_fields(csrfmiddlewaretoken=token, title="改了标题"),
        xhr=True,
        files=files(colour="123456"),
    )
    assert answer.status_code == 403 and PENDING in answer.json()["errors"][0]
    teacher.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.submission_submit(submission=draft, user=teacher)
    with pytest.raises(PermissionDenied):
        services.submission_save(teacher=teacher, data=factories.submission_data(), files={}, submission=draft)
    with pytest.raises(PermissionDenied):
        transitions.apply(in_review.submitted.pk, "withdraw", actor=teacher)
    assert snapshot() == before
