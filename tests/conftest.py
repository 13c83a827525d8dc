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
