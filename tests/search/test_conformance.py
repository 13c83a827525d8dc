"""One conformance suite for every engine, on the same corpus.

The embedded engine always runs (on whichever database the suite uses: SQLite or PostgreSQL).
The Elasticsearch half runs for real where ELASTICSEARCH_URL is set and is skipped otherwise;
its mapping and query bodies are checked in test_elasticsearch.py either way.
"""

import os

import pytest

from search import analysis
from search.engines import Filter, SearchRequest, embedded_engine
from search.services import search_index_rebuild
from search.vocabulary import synonyms, taxonomy_names

ES_URL = os.environ.get("ELASTICSEARCH_URL", "")

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["embedded", "elasticsearch"])
def engine(request, corpus, settings):
    if request.param == "embedded":
        return embedded_engine()
    if not ES_URL:
        pytest.skip(
            "ELASTICSEARCH_URL is not set: no Elasticsearch on this machine (mappings and query bodies are still checked)"
        )
    from search.engines.elastic import ElasticsearchEngine

    settings.ELASTICSEARCH_URL = ES_URL
    engine = ElasticsearchEngine(ES_URL, alias="zmd-resources-test")
    search_index_rebuild()
    from catalogue.selectors import live_resources
    from search.documents import build

    engine.rebuild(build(p) for p in live_resources())
    return engine


def ask(engine, q="", sort="relevance", limit=12, **chosen):
    names = taxonomy_names()
    filters = []
    for facet, value in chosen.items():
        if facet in ("year", "award"):
            filters.append(Filter(facet=facet, name=str(value)))
        else:
            ids = {name: pk for pk, name in names[facet].items()}
            filters.append(Filter(facet=facet, name=value, id=ids.get(value, -1)))
    plan = analysis.plan_query(q, synonyms())
    return engine.search(SearchRequest(plan=plan, filters=filters, sort=sort, limit=limit))


def ids(result):
    return [h.id for h in result.hits]


def test_two_characters_match_inside_a_sentence(engine, corpus):
    # Wagtail's stock search misses this: "嫘祖" inside "西平县被认定为嫘祖故里".
    result = ask(engine, "嫘祖")
    assert set(ids(result)) == {corpus["leizu_legend"].pk, corpus["silk_science"].pk}
    # The title match ranks above the description-only match.
    assert ids(result)[0] == corpus["leizu_legend"].pk


@pytest.mark.parametrize("q", ["leizu", "lz", "lei zu", "嫘祖", "嫘祖傳說"])
def test_pinyin_initials_and_traditional_find_leizu_first(engine, corpus, q):
    result = ask(engine, q)
    assert ids(result)[0] == corpus["leizu_legend"].pk


@pytest.mark.parametrize("q", ["chayashan", "cha ya shan", "cys", "嵖岈山", "查牙山", "嵖岈"])
def test_chayashan_however_it_is_typed(engine, corpus, q):
    found = ids(ask(engine, q))
    assert found[:2] == [corpus["chayashan"].pk, corpus["chayashan_stones"].pk] or set(found[:2]) == {
        corpus["chayashan"].pk,
        corpus["chayashan_stones"].pk,
    }


def test_title_over_topic_over_description(engine, corpus):
    # "嵖岈山" is in the title of one resource and only the topic of the other.
    assert ids(ask(engine, "嵖岈山")) == [corpus["chayashan"].pk, corpus["chayashan_stones"].pk]


def test_facets_count_the_matching_resources(engine, corpus):
    result = ask(engine, "西平县")
    assert result.total == 2
    assert result.facets["subject"] == {"语文": 1, "科学": 1}
    assert result.facets["stage"] == {"小学": 1, "初中": 1}
    assert result.facets["topic"] == {"嫘祖文化": 2}
    assert result.facets["region"] == {"西平县": 2}
    assert result.facets["year"] == {"2026": 2}


def test_filters_combine_with_the_query_and_each_other(engine, corpus):
    assert ids(ask(engine, "嫘祖", subject="科学")) == [corpus["silk_science"].pk]
    assert ids(ask(engine, "", subject="语文", stage="小学")) == sorted(
        [corpus["leizu_legend"].pk, corpus["chayashan_stones"].pk], reverse=True
    )
    assert ids(ask(engine, "嫘祖", subject="地理")) == []
    assert ids(ask(engine, "", type="微课视频", region="确山县")) == [corpus["zhugou"].pk]


def test_sort_newest_and_popular(engine, corpus):
    from catalogue.models import ResourcePage
    from search.services import search_popularity_refresh

    ResourcePage.objects.filter(pk=corpus["chayashan_stones"].pk).update(view_count=50)
    ResourcePage.objects.filter(pk=corpus["zhugou"].pk).update(view_count=10)
    search_popularity_refresh()
    if engine.name != "embedded":
        engine.update_counts({corpus["chayashan_stones"].pk: 50, corpus["zhugou"].pk: 10})
    newest = ids(ask(engine, "", sort="newest"))
    assert newest == sorted(newest, reverse=True)  # created in order, so newest = highest id
    popular = ids(ask(engine, "", sort="popular"))
    assert popular[:2] == [corpus["chayashan_stones"].pk, corpus["zhugou"].pk]


def test_synonyms_apply_at_query_time(engine, corpus, django_capture_on_commit_callbacks):
    from search.models import Synonym

    assert ids(ask(engine, "小延安")) == [corpus["zhugou"].pk]
    assert ids(ask(engine, "抗日老区")) == []
    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(terms="抗日老区、小延安")
    assert ids(ask(engine, "抗日老区")) == [corpus["zhugou"].pk]


def test_nonsense_matches_nothing_and_empty_lists_everything(engine, corpus):
    assert ask(engine, "\"*:('--/").total == 0
    assert ask(engine, "qqqqxxxzzz").total == 0
    assert ask(engine, "").total == len(corpus)


def test_same_answers_as_embedded(engine, corpus):
    """Engine parity: same ids in the same order and the same facets for a spread of queries."""
    reference = embedded_engine()
    for q in ("嫘祖", "leizu", "lz", "cys", "西平县 嫘祖", "查牙山", "", "小延安"):
        for sort in ("relevance", "newest", "popular"):
            ours, theirs = ask(engine, q, sort=sort), ask(reference, q, sort=sort)
            assert ids(ours) == ids(theirs), (q, sort)
            assert ours.facets == theirs.facets, (q, sort)
            assert ours.total == theirs.total
