"""Counting a visit moves the resource up in "most visited" search results without a manual refresh."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_counted_visits_reach_the_popular_sort(client, site_pages):
    busy = factories.resource(title="嵖岈山｜常被浏览")
    quiet = factories.resource(title="嵖岈山｜少有人看")  # newer: first among equals
    from search.services import search_index_rebuild

    search_index_rebuild()
    client.get(busy.url, HTTP_USER_AGENT=factories.BROWSER_UA)  # one counted view, written back by indicators
    results = client.get("/api/search/?q=嵖岈山&sort=popular").json()["results"]
    assert [r["id"] for r in results][:2] == [busy.pk, quiet.pk]
