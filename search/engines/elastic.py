"""The Elasticsearch engine (elasticsearch-dsl): same tokens, same scores, same facets as embedded.

Documents hold the analysed fields as space-joined tokens under a whitespace analyzer, plus keyword
fields for facets. A query tier is a bool query whose `should` clauses are the groups: each group is
a dis_max of constant_score term / prefix clauses boosted by field weight, so a document scores the
sum over groups of its best field weight, exactly like the embedded engine. Rebuilds write a fresh
index and swap the alias in one atomic call, so searching never sees a half-built index.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk
from elasticsearch_dsl import Date, Document, Integer, Keyword, Q, Search, Text, analyzer

from ..analysis import Group, Tier
from ..documents import FIELD_WEIGHTS, IndexedResource
from .base import Engine, EngineResult, EngineUnavailable, Hit, SearchRequest

logger = logging.getLogger(__name__)

TOKENS = analyzer("whitespace")
KEYWORD_FACETS = {
    "theme": "theme",
    "topic": "topic",
    "subject": "subject",
    "stage": "stage",
    "type": "resource_type",
    "region": "region",
    "year": "year",
    "award": "award",
}
SORTS = {
    "relevance": [{"_score": "desc"}, {"view_count": "desc"}, {"published_at": "desc"}, {"resource_id": "desc"}],
    "newest": [{"published_at": "desc"}, {"resource_id": "desc"}],
    "popular": [{"view_count": "desc"}, {"_score": "desc"}, {"published_at": "desc"}, {"resource_id": "desc"}],
}
FACET_SIZE = 200


def _tokens():
    # Pre-segmented text: the whitespace analyzer keeps each token exactly as our analysis made it.
    return Text(analyzer=TOKENS, norms=False, index_options="docs")


class ResourceDocument(Document):
    resource_id = Integer()
    title_display = Keyword(index=False)
    url = Keyword(index=False)
    title = _tokens()
    topic_tokens = _tokens()
    title_pinyin = _tokens()
    meta_tokens = _tokens()
    topic_pinyin = _tokens()
    title_bigram = _tokens()
    body = _tokens()
    topic_bigram = _tokens()
    meta_pinyin = _tokens()
    theme = Keyword()
    topic = Keyword()
    subject = Keyword(multi=True)
    stage = Keyword()
    resource_type = Keyword()
    region = Keyword()
    year = Integer()
    award = Keyword()
    published_at = Date()
    view_count = Integer()

    class Index:
        name = "zmd-resources"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


# Our analysis field name → document field name ("topic" is the facet keyword, "meta" is reserved).
FIELD_NAMES = {name: {"topic": "topic_tokens", "meta": "meta_tokens"}.get(name, name) for name in FIELD_WEIGHTS}


def to_document(r: IndexedResource) -> ResourceDocument:
    tokens = {FIELD_NAMES[name]: " ".join(sorted(values)) for name, values in r.fields.items()}
    return ResourceDocument(
        meta={"id": r.id},
        resource_id=r.id,
        title_display=r.title,
        url=r.url,
        theme=r.names.get("theme") or None,
        topic=r.names.get("topic") or None,
        subject=list(r.names.get("subject") or []),
        stage=r.names.get("stage") or None,
        resource_type=r.names.get("type") or None,
        region=r.names.get("region") or None,
        year=r.year,
        award=r.award or None,
        published_at=r.published_at,
        view_count=r.view_count,
        **tokens,
    )


def group_query(group: Group) -> Q:
    clauses = []
    for name, weight in FIELD_WEIGHTS.items():
        field = FIELD_NAMES[name]
        for term in sorted(group.terms):
            clauses.append(Q("constant_score", filter=Q("term", **{field: term}), boost=weight))
        for prefix in sorted(group.prefixes):
            clauses.append(Q("constant_score", filter=Q("prefix", **{field: prefix}), boost=weight // 2))
    return Q("dis_max", queries=clauses, tie_breaker=0)


def filter_queries(request: SearchRequest) -> list[Q]:
    out = []
    for chosen in request.filters:
        field = KEYWORD_FACETS[chosen.facet]
        value = int(chosen.name) if chosen.facet == "year" else chosen.name
        out.append(Q("term", **{field: value}))
    return out


def build_search(request: SearchRequest, tier: Tier | None, *, index: str, using=None) -> Search:
    """The whole request body for one tier: query, filters, sort, page and facet aggregations."""
    filters = filter_queries(request)
    if tier is None:
        query = Q("bool", filter=filters) if filters else Q("bool", filter=[Q("match_all")])
    else:
        query = Q("bool", should=[group_query(g) for g in tier.groups], minimum_should_match=tier.min_match)
        if tier.boosts:
            # Boosts add to the score of documents that match anyway; they never admit one.
            query = Q("bool", must=[query], should=[group_query(g) for g in tier.boosts])
        query = Q("bool", must=[query], filter=filters) if filters else query
    search = Search(using=using, index=index).query(query)
    search = search.sort(*SORTS.get(request.sort, SORTS["relevance"]))
    search = search.extra(track_total_hits=True, from_=request.offset, size=request.limit)
    search = search.source(["resource_id"])
    for facet, field in KEYWORD_FACETS.items():
        search.aggs.bucket(facet, "terms", field=field, size=FACET_SIZE)
    return search


class ElasticsearchEngine(Engine):
    name = "elasticsearch"

    def __init__(self, url: str | None = None, alias: str | None = None, timeout: float = 3.0):
        self.url = url or settings.ELASTICSEARCH_URL
        self.alias = alias or getattr(settings, "SEARCH_ELASTICSEARCH_INDEX", "zmd-resources")
        self.client = Elasticsearch(self.url, request_timeout=timeout, max_retries=0, retry_on_timeout=False)

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # transport, API and connection errors all mean "not usable now"
            from elasticsearch import NotFoundError

            if isinstance(exc, NotFoundError):
                raise
            raise EngineUnavailable(str(exc)) from exc

    def search_tier(self, request: SearchRequest, tier: Tier | None) -> EngineResult:
        search = build_search(request, tier, index=self.alias, using=self.client)
        response = self._call(search.execute)
        hits = [Hit(id=int(h.meta.id), score=int(round(h.meta.score or 0))) for h in response.hits]
        facets = {}
        for facet in KEYWORD_FACETS:
            buckets = getattr(response.aggregations, facet).buckets
            facets[facet] = {str(b.key): b.doc_count for b in buckets if str(b.key)}
        return EngineResult(total=response.hits.total.value, hits=hits, facets=facets, engine=self.name)

    # --- writes ------------------------------------------------------------------------------

    def _ensure_alias(self) -> None:
        if not self._call(self.client.indices.exists_alias, name=self.alias):
            name = f"{self.alias}-{timezone.now():%Y%m%d%H%M%S}-{int(time.time() * 1000) % 1000:03d}"
            self._call(ResourceDocument.init, index=name, using=self.client)
            self._call(self.client.indices.put_alias, index=name, name=self.alias)

    def index(self, resources) -> None:
        resources = list(resources)
        if not resources:
            return
        self._ensure_alias()
        actions = (to_document(r).to_dict(include_meta=True, skip_empty=False) | {"_index": self.alias} for r in resources)
        self._call(bulk, self.client, actions, refresh="wait_for")

    def delete(self, resource_ids) -> None:
        ids = list(resource_ids)
        if not ids or not self._call(self.client.indices.exists_alias, name=self.alias):
            return
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids)
        self._call(bulk, self.client, actions, raise_on_error=False, refresh="wait_for")

    def update_counts(self, counts: dict[int, int]) -> None:
        actions = (
            {"_op_type": "update", "_index": self.alias, "_id": pk, "doc": {"view_count": n}} for pk, n in counts.items()
        )
        self._call(bulk, self.client, actions, raise_on_error=False)

    def rebuild(self, resources) -> int:
        """Fill a new index, then point the alias at it and drop the old ones in one step."""
        new = f"{self.alias}-{timezone.now():%Y%m%d%H%M%S}"
        self._call(ResourceDocument.init, index=new, using=self.client)
        actions = (to_document(r).to_dict(include_meta=True, skip_empty=False) | {"_index": new} for r in resources)
        count, _errors = self._call(bulk, self.client, actions)
        self._call(self.client.indices.refresh, index=new)
        return self.swap_alias(new, count)

    def swap_alias(self, new: str, count: int = 0) -> int:
        old = []
        if self._call(self.client.indices.exists_alias, name=self.alias):
            old = list(self._call(self.client.indices.get_alias, name=self.alias).body)
        elif self._call(self.client.indices.exists, index=self.alias):
            # A concrete index squats the alias name (created by hand): replace it.
            self._call(self.client.indices.delete, index=self.alias)
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old if name != new]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        for name in old:
            if name != new:
                self._call(self.client.indices.delete, index=name)
        logger.info("search: alias %s now points at %s (%d documents)", self.alias, new, count)
        return count
