from types import SimpleNamespace

import pytest

from catalogue.models import Role
from tests import factories
from tests.review import media


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
    """A migrated database with an open campaign and 20 teachers (teacher01…teacher20), built once."""
    from tests.review import live

    if not live.Path(live.GUNICORN).exists():
        pytest.skip("gunicorn is not installed in the virtualenv (make install)")
    template = live.Template(tmp_path_factory.mktemp("live-template")).build()
    yield template
    template.drop()


@pytest.fixture
def live_site(live_template, tmp_path):
    """A gunicorn of its own on a copy of the template database (started by the test: site.start())."""
    from tests.review import live

    site = live.LiveSite(live_template, tmp_path / "site")
    yield site
    site.close()
