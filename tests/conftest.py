import shutil

import pytest
from django.conf import settings
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    """Each test writes uploads under its own folder, so no test sees another's files.

    Caches are cleared too: Wagtail caches renditions, and a rendition cached by an earlier test
    would point at a file in that test's (deleted) media folder.
    """
    from django.core.cache import caches

    settings.MEDIA_ROOT = str(tmp_path / "media")
    for cache in caches.all():
        cache.clear()
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Caches are process-wide: without this, a rendition cached by an earlier test (whose
    media folder is gone, and whose image id SQLite reuses after rollback) is served as a 404."""
    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Serialized rollback looks for the migrated data on the connection object, but Playwright's
    sync API runs Django code in other contexts, which get connection objects of their own without
    it: the next transactional test then starts from an empty database. Keep it on the class."""
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    yield


def pytest_collection_modifyitems(items):
    """Every transactional test starts from the migrated data (site, home page, taxonomy, role
    groups) and leaves it for the next one: Django's serialized rollback, applied to all of them.
    Without it, the first transactional test's flush empties those tables for every later one."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}))


@pytest.fixture
def site_pages(db):
    """The theme and topic pages, as after `seed_demo` or an import."""
    from catalogue.services import taxonomy_pages_sync

    taxonomy_pages_sync()


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Transactional tests (browser tests with a live server, backups…) flush every table when they
    end, which would delete the data our migrations create (home page, taxonomy, role groups).
    Give each of them a serialized rollback, so the migrated state is restored for the next test."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}), append=False)
