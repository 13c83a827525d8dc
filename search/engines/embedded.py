"""The embedded engine: an inverted index in three ordinary tables, identical on SQLite and PostgreSQL.

A query tier becomes one SQL statement: each group selects its postings (exact terms or a byte-order
prefix range) and keeps the best weight per document; the groups are summed per document and must
reach the tier's `min_match`. SQL returns only (document, score) pairs: filters, facet counts and the
ordered page are computed over the in-memory facet columns of `columns.py`, so a broad query costs
about what finding its matches costs.
"""

from __future__ import annotations

import numpy as np
from django.db import connection, transaction

from ..analysis import Group, Tier
from ..models import SearchDocument, SearchDocumentSubject, SearchIndexState, SearchPosting
from ..vocabulary import taxonomy_names
from .base import Engine, EngineResult, Hit, SearchRequest
from .columns import columns

POST = SearchPosting._meta.db_table
PREFIX_END = "\U0010ffff"


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

    def search_tier(self, request: SearchRequest, tier: Tier | None) -> EngineResult:
        """SQL finds the matching documents and their scores; filters, facet counts and the page
        come from the in-memory columns (`columns.py`)."""
        snapshot = columns()
        if tier is None:
            rows, scores = np.arange(snapshot.size), np.zeros(snapshot.size, dtype=np.int64)
        else:
            sql, params = match_sql(tier)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                matched = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
            rows, found = snapshot.positions(matched[:, 0])
            scores = matched[found, 1]
        if request.filters:
            keep = snapshot.keep(rows, request.filters)
            rows, scores = rows[keep], scores[keep]
        page = snapshot.top(rows, scores, request.sort, request.offset, request.limit)
        return EngineResult(
            total=int(rows.size),
            hits=[Hit(id=int(snapshot.ids[rows[i]]), score=int(scores[i])) for i in page],
            facets=self._named(snapshot.facet_counts(rows)),
            engine=self.name,
        )

    @staticmethod
    def _named(counts: dict[str, dict]) -> dict[str, dict[str, int]]:
        """Facet values as users see them: taxonomy names, years and award names as text."""
        names = taxonomy_names()
        facets = {}
        for facet, by_value in counts.items():
            if facet in ("year", "award"):
                facets[facet] = {str(value): n for value, n in by_value.items()}
            else:
                facets[facet] = {names[facet][v]: n for v, n in by_value.items() if v in names[facet]}
        return facets

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
        SearchIndexState.touch()

    @transaction.atomic
    def delete(self, resource_ids) -> None:
        ids = list(resource_ids)
        if not ids:
            return
        SearchPosting.objects.filter(document_id__in=ids)._raw_delete(connection.alias)
        SearchDocumentSubject.objects.filter(document_id__in=ids)._raw_delete(connection.alias)
        SearchDocument.objects.filter(resource_id__in=ids)._raw_delete(connection.alias)
        SearchIndexState.touch()

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
        SearchIndexState.touch(counts_only=True)

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
