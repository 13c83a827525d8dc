"""The Elasticsearch engine without an Elasticsearch: mapping, query bodies, and fallback.

The query bodies are also *evaluated* here by a tiny interpreter of the clauses we use (term,
prefix, constant_score, dis_max, bool), over the same analysed documents, and must rank exactly as
the embedded engine does: that is the parity the real ES run in test_conformance.py confirms.
"""

import logging

import pytest

from catalogue.selectors import live_resources
from search import analysis
from search.documents import build
from search.engines import Filter, SearchRequest, embedded_engine
from search.engines.elastic import ResourceDocument, build_search, to_document
from search.selectors import search_resources
from search.vocabulary import synonyms

pytestmark = pytest.mark.django_db

CLOSED_PORT_URL = "http://127.0.0.1:9"  # discard port: nothing listens, connection refused at once


def test_mapping_is_explicit():
    props = ResourceDocument._doc_type.mapping.to_dict()["properties"]
    for field in (
        "title",
        "topic_tokens",
        "title_pinyin",
        "topic_pinyin",
        "meta_tokens",
        "body",
        "title_bigram",
        "topic_bigram",
    ):
        assert props[field] == {"type": "text", "analyzer": "whitespace", "norms": False, "index_options": "docs"}, (
            field
        )
    for facet in ("theme", "topic", "subject", "stage", "resource_type", "region", "award"):
        assert props[facet] == {"type": "keyword"}, facet
    assert props["year"] == {"type": "integer"} and props["view_count"] == {"type": "integer"}
    assert props["published_at"] == {"type": "date"}
    assert props["title_display"] == {"type": "keyword", "index": False}


def test_documents_carry_pre_segmented_tokens_and_facet_names(corpus):
    doc = to_document(build(corpus["leizu_legend"])).to_dict()
    assert (
        "嫘祖" in doc["title"].split()
        and "leizu" in doc["title_pinyin"].split()
        and "lz" in doc["title_pinyin"].split()
    )
    assert doc["theme"] == "传统文化" and doc["topic"] == "嫘祖文化" and doc["subject"] == ["语文"]
    assert doc["resource_type"] == "微课视频" and doc["region"] == "西平县" and doc["year"] == 2026


def test_query_body(corpus):
    plan = analysis.plan_query("嫘祖", synonyms())
    request = SearchRequest(
        plan=plan, filters=[Filter(facet="subject", name="语文", id=1)], sort="relevance", offset=12
    )
    body = build_search(request, plan.tiers[0], index="zmd-resources").to_dict()
    outer = body["query"]["bool"]
    assert outer["filter"] == [{"term": {"subject": "语文"}}]
    query = outer["must"][0]["bool"]
    assert query["minimum_should_match"] == 1
    clauses = query["should"][0]["dis_max"]["queries"]
    assert {"constant_score": {"filter": {"term": {"title": "嫘祖"}}, "boost": 16}} in clauses
    assert {"constant_score": {"filter": {"term": {"title_pinyin": "leizu"}}, "boost": 8}} in clauses
    assert {"constant_score": {"filter": {"term": {"body": "嫘祖"}}, "boost": 2}} in clauses
    assert body["sort"] == [
        {"_score": "desc"},
        {"view_count": "desc"},
        {"published_at": "desc"},
        {"resource_id": "desc"},
    ]
    assert body["from"] == 12 and body["size"] == 12 and body["track_total_hits"] is True
    assert set(body["aggs"]) == {"theme", "topic", "subject", "stage", "type", "region", "year", "award"}
    assert body["aggs"]["type"] == {"terms": {"field": "resource_type", "size": 200}}
    pinyin = analysis.plan_query("lei", synonyms())
    prefix_clauses = build_search(SearchRequest(plan=pinyin), pinyin.tiers[0], index="x").to_dict()["query"]["bool"][
        "should"
    ][0]["dis_max"]["queries"]
    assert {"constant_score": {"filter": {"prefix": {"title_pinyin": "lei"}}, "boost": 4}} in prefix_clauses
    browse = build_search(SearchRequest(plan=analysis.plan_query("")), None, index="x").to_dict()
    assert browse["query"] == {"bool": {"filter": [{"match_all": {}}]}}


# --- a tiny evaluator of the clauses we send, to check parity with the embedded engine ----------


def _matches(clause, doc):
    ((kind, body),) = clause.items()
    ((field, value),) = body.items()
    tokens = doc.get(field, "").split() if isinstance(doc.get(field), str) else doc.get(field) or []
    if kind == "term":
        return value in tokens if isinstance(tokens, list) else tokens == value
    if kind == "prefix":
        return any(t.startswith(value) for t in tokens)
    raise AssertionError(kind)


def _score(query, doc):
    ((kind, body),) = query.items()
    if kind == "constant_score":
        return body["boost"] if _matches(body["filter"], doc) else None
    if kind == "dis_max":
        scores = [s for s in (_score(q, doc) for q in body["queries"]) if s is not None]
        return max(scores) if scores else None
    if kind == "bool":
        for f in body.get("filter", []):
            if "match_all" not in f:
                ((field, value),) = f["term"].items()
                have = doc.get(field)
                if not (value in have if isinstance(have, list) else have == value):
                    return None
        must = [_score(q, doc) for q in body.get("must", [])]
        if any(s is None for s in must):
            return None
        should = [s for s in (_score(q, doc) for q in body.get("should", [])) if s is not None]
        if len(should) < body.get("minimum_should_match", 0 if must else (1 if body.get("should") else 0)):
            return None
        return sum(must) + sum(should)
    raise AssertionError(kind)


def evaluate(body, docs):
    scored = [(d, _score(body["query"], d)) for d in docs]
    hits = [(d, s) for d, s in scored if s is not None]
    hits.sort(key=lambda ds: (ds[1], ds[0]["view_count"], ds[0]["published_at"], ds[0]["resource_id"]), reverse=True)
    return [d["resource_id"] for d, _ in hits]


@pytest.mark.parametrize(
    "q",
    [
        "嫘祖",
        "leizu",
        "lz",
        "cys",
        "cha ya shan",
        "查牙山",
        "西平县 嫘祖",
        "嵖岈",
        "小延安",
        "嵖岈山的花岗岩",
        "嫘祖养蚕缫丝的传说",
    ],
)
def test_query_bodies_rank_like_the_embedded_engine(corpus, q):
    docs = [to_document(build(p)).to_dict() for p in live_resources()]
    plan = analysis.plan_query(q, synonyms())
    expected = embedded_engine().search(SearchRequest(plan=plan, limit=50))
    tier = plan.tiers[expected.tier]
    got = evaluate(build_search(SearchRequest(plan=plan, limit=50), tier, index="x").to_dict(), docs)
    assert got == [h.id for h in expected.hits]


# --- when Elasticsearch is down ------------------------------------------------------------------


def test_unreachable_elasticsearch_falls_back_to_embedded(client, corpus, settings, caplog):
    from search import engines

    settings.ELASTICSEARCH_URL = CLOSED_PORT_URL
    engines._breaker.update(url=None, down_until=0.0)
    with caplog.at_level(logging.WARNING, logger="search"):
        response = client.get("/search/", {"q": "嫘祖"})
        data = client.get("/api/search/", {"q": "leizu"}).json()
    assert response.status_code == 200 and "养蚕缫丝的传说" in response.content.decode()
    assert data["results"][0]["title"] == "嫘祖文化｜嫘祖养蚕缫丝的传说"
    assert any("unreachable" in r.getMessage() for r in caplog.records)
    assert search_resources({"q": "嫘祖"}).engine == "embedded"
    engines._breaker.update(url=None, down_until=0.0)


def test_publishing_while_elasticsearch_is_down_still_updates_embedded(publish, settings, caplog):
    from search import engines

    settings.ELASTICSEARCH_URL = CLOSED_PORT_URL
    engines._breaker.update(url=None, down_until=0.0)
    with caplog.at_level(logging.WARNING, logger="search"):
        publish(title="铜山湖湿地生态", topic="铜山湖", region="泌阳县")
    assert [i.resource.title for i in search_resources({"q": "铜山湖"}).results] == ["铜山湖湿地生态"]
    assert any("search_index --rebuild" in r.getMessage() for r in caplog.records)
    engines._breaker.update(url=None, down_until=0.0)
