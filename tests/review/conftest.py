from types import SimpleNamespace

import pytest

from catalogue.models import Role
from tests import factories
from tests.review import media

# The shared live template's database name: this prefix and the run's id (tests/conftest.py drops it).
LIVE_TEMPLATE_PREFIX = "zmd_live_tpl_run_"


@pytest.fixture
def people(db):
    """A campaign open today and one account per role; the experts come from three schools."""
    campaign = factories.campaign(open_now=True)
    return SimpleNamespace(
        campaign=campaign,
        teacher=factories.user(
            Role.TEACHER, username="wangjing", region="遂平县", school="遂平县第一初级中学", email="wangjing@example.cn"
        ),
        teacher2=factories.user(
            Role.TEACHER, username="lihua", region="驿城区", school="驿城区实验小学", email="lihua@example.cn"
        ),
        reviewer=factories.user(
            Role.COUNTY_REVIEWER, username="suiping-reviewer", region="遂平县", email="r1@example.cn"
        ),
        reviewer2=factories.user(Role.COUNTY_REVIEWER, username="yicheng-reviewer", region="驿城区"),
        expert1=factories.user(
            Role.CITY_EXPERT, username="expert-a", region="市直", school="驻马店市第一高级中学", email="e1@example.cn"
        ),
        expert2=factories.user(
            Role.CITY_EXPERT, username="expert-b", region="市直", school="驻马店市实验小学", email="e2@example.cn"
        ),
        expert3=factories.user(Role.CITY_EXPERT, username="expert-c", region="确山县", school="确山县第一高级中学"),
        admin=factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region=None, email="zy@example.cn"),
        student=factories.user(Role.STUDENT, username="xiaoming", region="遂平县", school="遂平县第一初级中学"),
    )


def good_files(title="微课", colour="2a6f97") -> dict:
    """A passing micro-lecture and cover; a different `colour` makes a different file (SHA-256)."""
    return {
        "main_file": factories.upload(f"{title}.mp4", media.mp4(colour=colour), "video/mp4"),
        "cover": factories.upload("cover.png", media.png(), "image/png"),
    }


@pytest.fixture
def submitted(people):
    """A video submission by `teacher` that passed the technical checks and waits for county review."""
    from review import services

    draft = factories.submission(teacher=people.teacher, files=good_files())
    return services.submission_submit(submission=draft, user=people.teacher)


@pytest.fixture(scope="session")
def live_template(tmp_path_factory):
    """A migrated database with an open campaign and 20 teachers (teacher01…teacher20), built once
    per run: the test processes of a parallel run (pytest-xdist) share it, the first one to need it
    builds it while the others wait (the session's tests.conftest.pytest_sessionfinish drops it)."""
    from tests import once
    from tests.review import live

    if not live.Path(live.GUNICORN).exists():
        pytest.skip("gunicorn is not installed in the virtualenv (make install)")
    run = once.run_id()
    if run is None:
        template = live.Template(tmp_path_factory.mktemp("live-template")).build()
        yield template
        template.drop()
        return
    name = f"{LIVE_TEMPLATE_PREFIX}{run[:12]}"
    folder, _url = once.shared(
        tmp_path_factory, "live-template", lambda folder: live.Template(folder, name=name).build().url()
    )
    yield live.Template(folder, name=name)


@pytest.fixture
def live_site(live_template, tmp_path):
    """A gunicorn of its own on a copy of the template database (started by the test: site.start())."""
    from tests.review import live

    site = live.LiveSite(live_template, tmp_path / "site")
    yield site
    site.close()


def noticed(people, submissions, *, ended=True):
    """Open a public notice (公示) for `submissions` (awaiting selection); with `ended`, its period is
    over, as if the days had passed. Returns the notice."""
    import datetime

    from django.utils import timezone

    from review import services
    from review.models import Publicity

    publicity = services.publicity_open(campaign=people.campaign, submissions=submissions, days=7, user=people.admin)
    if ended:
        Publicity.objects.filter(pk=publicity.pk).update(ends_at=timezone.now() - datetime.timedelta(minutes=1))
        publicity.refresh_from_db()
    return publicity


def reviewed(people, *, teacher=None, reviewer=None, title="嵖岈山｜评审通过的微课", colour="5a5a5a", total=90, **data):
    """A submission taken through county and expert review (both experts give `total`), awaiting selection."""
    from decimal import Decimal

    from review import services
    from review.models import ExpertReview

    teacher = teacher or people.teacher
    reviewer = reviewer or people.reviewer
    draft = factories.submission(teacher=teacher, files=good_files(title, colour), title=title, **data)
    services.submission_submit(submission=draft, user=teacher)
    services.county_decide(submission=draft, user=reviewer, decision="approve")
    standard = draft.campaign.review_settings.standard
    for review in ExpertReview.objects.filter(submission=draft, status=ExpertReview.Status.ASSIGNED):
        scores = {
            c.pk: ((Decimal(c.max_points) * total / 100).quantize(Decimal("0.01")), "") for c in standard.criteria.all()
        }
        services.expert_score(review=review, user=review.expert, scores=scores, comment="评语：讲解清楚")
    draft.refresh_from_db()
    return draft
