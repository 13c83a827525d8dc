import shutil

import pytest
from django.conf import settings


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
