"""Playwright for Python driving Debian's Chromium (/usr/bin/chromium) against pytest-django's
live server. `playwright install` cannot download browsers here, so we never use it."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous, so allow them explicitly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium is not installed (apt-get install chromium); `make test` installs it as root.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()



# Browser tests need transactional databases, whose flush after each test also wipes the rows that
# data migrations made (home page, taxonomy, role groups, the default quality standard). Serialized
# rollback restores them. Once Playwright's sync API runs, Django's connection object seen by the
# tests is a new one (asgiref's context-local storage), without the serialized copy that
# setup_databases stored on the first one: carry it over, so e2e tests pass in any order and number.


@pytest.fixture(scope="session")
def _serialized_db_contents(django_db_setup, django_db_blocker):
    from django.db import connections

    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


@pytest.fixture(autouse=True)
def _carry_serialized_contents(_serialized_db_contents):
    from django.db import connections

    for alias, contents in _serialized_db_contents.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _serialized_rollback(_carry_serialized_contents, django_db_serialized_rollback):
    """Every e2e test restores the migrated rows (see above)."""
