import shutil
import uuid
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    """Each test writes uploads under its own folder, so no test sees another's files.

    Caches are cleared too: they are process-wide, and a rendition cached by an earlier test (whose
    media folder is gone, and whose image id SQLite reuses after rollback) would be served as a 404.
    """
    from django.core.cache import caches

    from ops.cache import local

    settings.MEDIA_ROOT = str(tmp_path / "media")
    for cache in [*caches.all(), local]:  # and the per-process layer in front of the shared cache
        cache.clear()
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


_starting_data = None  # tests.dbsnapshot.Snapshot of the database every test starts from


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The database every test starts from: the migrated data (home page, taxonomy, role groups, the
    default quality standard) and the theme and topic pages that `seed_demo` or an import gives
    every real site. Publishing those pages costs a couple of seconds, so each test process does
    it once here rather than in every test that browses the catalogue (`site_pages`).

    Transactional tests commit, and pytest-django empties every table after each of them: a copy of
    this starting data is kept (tests.dbsnapshot) and written back before each one
    (`_transactional_start`)."""
    global _starting_data
    from catalogue.services import taxonomy_pages_sync
    from tests.dbsnapshot import Snapshot

    with django_db_blocker.unblock():
        taxonomy_pages_sync()
        _starting_data = Snapshot().take()
    yield


def _is_transactional(item) -> bool:
    """As pytest-django decides it (pytest_django.fixtures._django_db_helper)."""
    marker = item.get_closest_marker("django_db")
    if marker and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences") or marker.args[:1] == (True,)
    ):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


@pytest.fixture(autouse=True)
def _transactional_start(request, django_db_blocker):
    """A transactional test starts from the same data as the others, whatever the one before it
    left (an empty database, when that one was transactional too)."""
    if _is_transactional(request.node):
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            _starting_data.restore()
    yield


@pytest.fixture
def site_pages(db):
    """The theme and topic pages, as after `seed_demo` or an import: in the starting database
    (django_db_setup); brought in step again here in case the test's taxonomy differs."""
    from catalogue.services import taxonomy_pages_sync

    taxonomy_pages_sync()


def pytest_configure(config):
    """A parallel run's id, chosen here so that this (controlling) process knows it too: the test
    processes name what they share after it (tests/review/conftest.py: live_template)."""
    if hasattr(config.option, "testrunuid") and not hasattr(config, "workerinput"):
        config.option.testrunuid = config.option.testrunuid or uuid.uuid4().hex


def pytest_sessionfinish(session):
    """Drop the live template the test processes shared (PostgreSQL; a SQLite one is a file under
    the run's temporary folder)."""
    if hasattr(session.config, "workerinput") or not getattr(session.config.option, "numprocesses", None):
        return
    from tests.review import live
    from tests.review.conftest import LIVE_TEMPLATE_PREFIX

    if live.postgres_url():
        live.Template(Path("."), name=f"{LIVE_TEMPLATE_PREFIX}{session.config.option.testrunuid[:12]}").drop()


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"
