import shutil

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    """Each test writes uploads under its own folder, so no test sees another's files.

    Caches are cleared too: they are process-wide, and a rendition cached by an earlier test (whose
    media folder is gone, and whose image id SQLite reuses after rollback) would be served as a 404.
    """
    from django.core.cache import caches

    settings.MEDIA_ROOT = str(tmp_path / "media")
    for cache in caches.all():
        cache.clear()
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Serialized rollback looks for the migrated data on the connection object, but Playwright's
    sync API runs Django code in other contexts, which get connection objects of their own without
    it: the next transactional test would start from an empty database. Keep it on the class."""
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    yield


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Transactional tests (browser tests with a live server, backups…) flush every table when they
    end, which would delete the data our migrations create (home page, taxonomy, role groups, the
    default quality standard). Give each of them a serialized rollback, so the migrated state is
    restored for the next test. The new marker goes first so that it is the closest one."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture
def site_pages(db):
    """The theme and topic pages, as after `seed_demo` or an import."""
    from catalogue.services import taxonomy_pages_sync

    taxonomy_pages_sync()


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"
