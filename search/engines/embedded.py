"""The embedded engine: an inverted index in three ordinary tables, identical on SQLite and PostgreSQL.

A query tier becomes one SQL statement: each group selects its postings (exact terms or a byte-order
prefix range) and keeps the best weight per document; the groups are summed per document and must
reach the tier's `min_match`. The matching set is materialised once and feeds both the page of hits
and every facet count (UNION ALL of GROUP BYs), so a search is a single round trip.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction

from ..analysis import Group, Tier
from ..models import SearchDocument, SearchDocumentSubject, SearchPosting
from ..vocabulary import taxonomy_names
from .base import Engine, EngineResult, Hit, SearchRequest

DOC = SearchDocument._meta.db_table
POST = SearchPosting._meta.db_table
SUBJ = SearchDocumentSubject._meta.db_table
PREFIX_END = "\U0010ffff"
# Facet counts of a query-less browse scan the whole index: keep them for a while, keyed by an index
# generation that every write bumps (shared through the cache: Redis in production).
BROWSE_FACETS_SECONDS = 300
GENERATION_KEY = "search:embedded:generation"


def _generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, None)


def _bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)

# facet → column of the document table
COLUMNS = {
    "theme": "theme_id",
    "topic": "topic_id",
    "stage": "stage_id",
    "type": "resource_type_id",
    "region": "region_id",
    "year": "year",
    "award": "award",
}
ORDER = {
    "relevance": "score DESC, view_count DESC, published_at DESC, id DESC",
    "newest": "published_at DESC, id DESC",
    "popular": "view_count DESC, score DESC, published_at DESC, id DESC",
}


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def group_sql(group: Group, required: bool = True) -> tuple[str, list]:
    """Best weight per document for one group. Exact terms and each prefix range are separate
    UNION ALL branches so that every branch is an index range scan (an OR would scan the table)."""
    branches, params = [], []
    exact = sorted(group.terms)
    if exact:
        branches.append(f"SELECT document_id, weight AS w FROM {POST} WHERE term IN ({_placeholders(exact)})")
        params += exact
    for prefix in sorted(group.prefixes):
        branches.append(f"SELECT document_id, weight / 2 AS w FROM {POST} WHERE term >= %s AND term < %s")
        params += [prefix, prefix + PREFIX_END]
    sql = (
        f"SELECT document_id, MAX(w) AS gw, {1 if required else 0} AS req "
        f"FROM ({' UNION ALL '.join(branches)}) b GROUP BY document_id"
    )
    return sql, params


def match_sql(tier: Tier) -> tuple[str, list]:
    if len(tier.groups) == 1 and not tier.boosts and tier.min_match <= 1:
        # One word, nothing to add up: the group's best weight is the score (no second GROUP BY).
        sql, params = group_sql(tier.groups[0])
        return f"SELECT document_id, gw AS score FROM ({sql}) g", params
    parts, params = [], []
    for group, required in [(g, True) for g in tier.groups] + [(g, False) for g in tier.boosts]:
        sql, p = group_sql(group, required)
        parts.append(sql)
        params += p
    union = " UNION ALL ".join(parts)
    sql = (
        f"SELECT document_id, SUM(gw) AS score FROM ({union}) g "
        f"GROUP BY document_id HAVING SUM(req) >= %s"
    )
    return sql, params + [tier.min_match]


class EmbeddedEngine(Engine):
    name = "embedded"

    def matched_sql(self, request: SearchRequest, tier: Tier | None) -> tuple[str, list]:
        columns = "d.resource_id AS id, {score} AS score, d.theme_id, d.topic_id, d.stage_id, " \
                  "d.resource_type_id, d.region_id, d.year, d.award, d.published_at, d.view_count"
        params: list = []
        if tier is None:
            sql = f"SELECT {columns.format(score='0')} FROM {DOC} d"
        else:
            inner, params = match_sql(tier)
            sql = f"SELECT {columns.format(score='s.score')} FROM ({inner}) s JOIN {DOC} d ON d.resource_id = s.document_id"
        where = []
        for chosen in request.filters:
            if chosen.facet == "subject":
                where.append(f"EXISTS (SELECT 1 FROM {SUBJ} ds WHERE ds.document_id = d.resource_id AND ds.subject_id = %s)")
                params.append(chosen.id)
            elif chosen.facet == "award":
                where.append("d.award = %s")
                params.append(chosen.name)
            elif chosen.facet == "year":
                where.append("d.year = %s")
                params.append(int(chosen.name))
            else:
                where.append(f"d.{COLUMNS[chosen.facet]} = %s")
                params.append(chosen.id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql, params

    def search_tier(self, request: SearchRequest, tier: Tier | None) -> EngineResult:
        if tier is None:
            return self._browse(request)
        return self._query(request, tier)

    def _browse(self, request: SearchRequest) -> EngineResult:
        """No query: a page straight off the document table, facets from the cache when fresh."""
        matched, params = self.matched_sql(request, None)
        order = ORDER.get(request.sort, ORDER["relevance"])
        page_sql = (
            f"SELECT 'hit', CAST(id AS TEXT), score, view_count, published_at FROM ({matched}) m "
            f"ORDER BY {order} LIMIT %s OFFSET %s"
        )
        chosen = "|".join(sorted(f"{f.facet}={f.id if f.id is not None else f.name}" for f in request.filters))
        key = f"search:embedded:browse:{_generation()}:{chosen}"
        rows = cache.get(key)
        if rows is None:
            rows = self._run(self._facets_sql(matched), params)
            cache.set(key, rows, BROWSE_FACETS_SECONDS)
        return self._result(self._run(page_sql, params + [request.limit, request.offset]) + rows, request)

    @staticmethod
    def _run(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [tuple(r) for r in cursor.fetchall()]

    @staticmethod
    def _facet_branches() -> list[str]:
        branches = []
        for facet, column in COLUMNS.items():
            condition = "award <> ''" if facet == "award" else f"{column} IS NOT NULL"
            branches.append(
                f"SELECT '{facet}', CAST({column} AS TEXT), COUNT(*), 0, NULL FROM m WHERE {condition} GROUP BY {column}"
            )
        branches.append(
            f"SELECT 'subject', CAST(ds.subject_id AS TEXT), COUNT(*), 0, NULL FROM m "
            f"JOIN {SUBJ} ds ON ds.document_id = m.id GROUP BY ds.subject_id"
        )
        branches.append("SELECT 'total', '', COUNT(*), 0, NULL FROM m")
        return branches

    def _facets_sql(self, matched: str) -> str:
        return f"WITH m AS MATERIALIZED ({matched}) " + " UNION ALL ".join(self._facet_branches())

    def _query(self, request: SearchRequest, tier: Tier) -> EngineResult:
        matched, params = self.matched_sql(request, tier)
        order = ORDER.get(request.sort, ORDER["relevance"])
        branches = [
            f"SELECT * FROM (SELECT 'hit' AS kind, CAST(id AS TEXT) AS k, score AS n, view_count AS v, published_at AS p "
            f"FROM m ORDER BY {order} LIMIT %s OFFSET %s) hits"
        ]
        branches += self._facet_branches()
        sql = f"WITH m AS MATERIALIZED ({matched}) " + " UNION ALL ".join(branches)
        return self._result(self._run(sql, params + [request.limit, request.offset]), request)

    def _result(self, rows, request: SearchRequest) -> EngineResult:
        names = taxonomy_names()
        hits, facets, total = [], {f: {} for f in ("theme", "topic", "subject", "stage", "type", "region", "year", "award")}, 0
        for kind, key, n, views, published in rows:
            if kind == "hit":
                hits.append((int(key), int(n), int(views or 0), published))
            elif kind == "total":
                total = int(n)
            elif kind in ("year", "award"):
                facets[kind][str(key)] = int(n)
            else:
                name = names[kind].get(int(key))
                if name is not None:
                    facets[kind][name] = int(n)
        # UNION ALL does not promise to keep the subquery's order: sort the page the same way again.
        key_of = {
            "newest": lambda h: (h[3] or "", h[0]),
            "popular": lambda h: (h[2], h[1], h[3] or "", h[0]),
        }.get(request.sort, lambda h: (h[1], h[2], h[3] or "", h[0]))
        hits.sort(key=key_of, reverse=True)
        return EngineResult(total=total, hits=[Hit(id=h[0], score=h[1]) for h in hits], facets=facets, engine=self.name)

    # --- writes ------------------------------------------------------------------------------

    @transaction.atomic
    def index(self, resources) -> None:
        resources = list(resources)
        if not resources:
            return
        self.delete([r.id for r in resources])
        SearchDocument.objects.bulk_create([self._document(r) for r in resources])
        SearchDocumentSubject.objects.bulk_create(
            [SearchDocumentSubject(document_id=r.id, subject_id=s) for r in resources for s in r.subject_ids]
        )
        SearchPosting.objects.bulk_create(
            [SearchPosting(document_id=r.id, term=t, weight=w) for r in resources for t, w in r.postings().items()],
            batch_size=2000,
        )
        _bump_generation()
        transaction.on_commit(_bump_generation)

    @transaction.atomic
    def delete(self, resource_ids) -> None:
        ids = list(resource_ids)
        if not ids:
            return
        SearchPosting.objects.filter(document_id__in=ids)._raw_delete(connection.alias)
        SearchDocumentSubject.objects.filter(document_id__in=ids)._raw_delete(connection.alias)
        SearchDocument.objects.filter(resource_id__in=ids)._raw_delete(connection.alias)
        _bump_generation()
        transaction.on_commit(_bump_generation)

    @transaction.atomic
    def rebuild(self, resources) -> int:
        SearchPosting.objects.all()._raw_delete(connection.alias)
        SearchDocumentSubject.objects.all()._raw_delete(connection.alias)
        SearchDocument.objects.all()._raw_delete(connection.alias)
        count, batch = 0, []
        for resource in resources:
            batch.append(resource)
            if len(batch) >= 200:
                self.index(batch)
                count += len(batch)
                batch = []
        self.index(batch)
        return count + len(batch)

    @transaction.atomic
    def update_counts(self, counts: dict[int, int]) -> None:
        rows = [SearchDocument(resource_id=pk, view_count=n) for pk, n in counts.items()]
        SearchDocument.objects.bulk_update(rows, ["view_count"], batch_size=500)
        _bump_generation()
        transaction.on_commit(_bump_generation)

    @staticmethod
    def _document(r) -> SearchDocument:
        return SearchDocument(
            resource_id=r.id,
            title=r.title[:255],
            topic_name=r.topic_name[:100],
            description=r.description,
            url=r.url[:500],
            theme_id=r.theme_id,
            topic_id=r.topic_id,
            stage_id=r.stage_id,
            resource_type_id=r.resource_type_id,
            region_id=r.region_id,
            year=r.year,
            award=r.award[:20],
            published_at=r.published_at,
            view_count=r.view_count,
        )
