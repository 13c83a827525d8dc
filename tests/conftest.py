import shutil

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    """Each test writes uploads under its own folder, so no test sees another's files."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def site_pages(db):
    """The theme and topic pages, as after `seed_demo` or an import."""
    from catalogue.services import taxonomy_pages_sync

    taxonomy_pages_sync()


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"
