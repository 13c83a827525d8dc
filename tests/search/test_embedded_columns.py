"""The embedded engine counts facets and orders pages from in-memory columns. A searcher must never
see those columns out of date: not after another web process wrote to the index, not after a write
that was rolled back, not after visit counts changed."""

import numpy as np
import pytest
from django.db import connection, transaction

from catalogue.models import Region
from search.engines import columns, embedded_engine
from search.models import SearchDocument
from search.selectors import search_resources

pytestmark = pytest.mark.django_db


def facet(q, name, **params):
    return {f["value"]: f["count"] for f in search_resources({"q": q, **params}).facets[name]}


def test_a_write_by_another_web_process_shows_at_the_next_search(corpus):
    assert facet("嫘祖", "region") == {"西平县": 2}
    # Another gunicorn worker moves a resource to another county: it writes the document row and
    # stamps a new token in the same transaction; nothing reaches this process's memory.
    suiping = Region.objects.get(name="遂平县")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SearchDocument._meta.db_table} SET region_id = %s WHERE resource_id = %s",
            [suiping.pk, corpus["silk_science"].pk],
        )
        cursor.execute("UPDATE search_searchindexstate SET structure_token = 'written-elsewhere' WHERE id = 1")
    assert facet("嫘祖", "region") == {"西平县": 1, "遂平县": 1}
    assert search_resources({"q": "嫘祖", "region": "遂平县"}).count == 1


def test_a_rolled_back_write_leaves_no_trace(corpus):
    before = search_resources({"q": ""}).count
    with pytest.raises(RuntimeError), transaction.atomic():
        embedded_engine().delete([corpus["zhugou"].pk])
        assert search_resources({"q": ""}).count == before - 1
        assert facet("", "region").get("确山县") is None
        raise RuntimeError("the editor's save failed")
    assert search_resources({"q": ""}).count == before
    assert facet("", "region")["确山县"] == 1


def test_new_visit_counts_reorder_the_popular_sort(corpus):
    engine = embedded_engine()
    engine.update_counts({corpus["zhugou"].pk: 30})
    assert search_resources({"q": "", "sort": "popular"}).results[0].resource.pk == corpus["zhugou"].pk
    engine.update_counts({corpus["chayashan"].pk: 80})
    first_two = [item.resource.pk for item in search_resources({"q": "", "sort": "popular"}).results[:2]]
    assert first_two == [corpus["chayashan"].pk, corpus["zhugou"].pk]
    # Facet counts are untouched by a change of counts.
    assert facet("", "region") == {"西平县": 2, "遂平县": 2, "确山县": 1}


def test_a_resource_with_several_subjects_counts_once_in_each(publish, corpus):
    publish(title="嫘祖与丝绸之路", topic="嫘祖文化", region="西平县", subjects=("历史", "地理", "语文"))
    subjects = facet("嫘祖", "subject")
    assert subjects == {"语文": 2, "科学": 1, "历史": 1, "地理": 1}
    assert search_resources({"q": "嫘祖", "subject": "地理"}).count == 1


@pytest.mark.parametrize("sort", ["relevance", "popular", "newest"])
def test_every_page_of_a_broad_match_is_the_full_sort_sliced(sort):
    """The page is picked from candidates whose first sort key can still reach it; with many ties
    on that key the result must still be exactly the full ordering, page after page."""
    rng = np.random.default_rng(5)
    n = 5_000
    snapshot = columns.Columns(
        tokens=("t", "t"),
        ids=np.arange(1, n + 1, dtype=np.int64),
        values={},
        codes={},
        subjects=np.full((n, 1), -1, dtype=np.int32),
        views=rng.integers(0, 4, n),  # few distinct values: many ties
        recency=rng.permutation(n).astype(np.int64),
    )
    rows = rng.choice(n, size=3_000, replace=False)
    scores = rng.integers(0, 3, rows.size) * 8
    keys = {
        "relevance": (snapshot.recency[rows], snapshot.views[rows], scores),
        "popular": (snapshot.recency[rows], scores, snapshot.views[rows]),
        "newest": (snapshot.recency[rows],),
    }[sort]
    full = np.lexsort(tuple(-k for k in keys))
    for offset in (0, 12, 48, 2_988):
        page = snapshot.top(rows, scores, sort, offset, 12)
        assert list(page) == list(full[offset : offset + 12])
