"""Facet and sort columns of the embedded index, held in memory as numpy arrays.

Counting eight facets over a large match set with SQL GROUP BYs (and joining every match to the
document table first) cost 40–60 ms at 100k resources, far more than finding the matches. Like
Lucene's doc values, we keep one small column per facet in each process (a few MB at 100k
resources) and count with `numpy.bincount`; SQL only finds the matching documents and their scores.

Freshness: every write to the index stores a new random token in `SearchIndexState` in the same
transaction. A search reads the tokens (one indexed row) and reloads the columns when they differ,
so every web process sees every other process's writes at its next search, and a rolled-back write
never leaves a stale snapshot behind. A change of visit counts only reloads the view-count column.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection

from ..models import SearchDocument, SearchDocumentSubject, SearchIndexState
from .base import Filter

DOC = SearchDocument._meta.db_table
SUBJ = SearchDocumentSubject._meta.db_table
STATE = SearchIndexState._meta.db_table

# facet → column of the document table; NULL (and an empty award) is stored as code -1.
FACET_COLUMNS = {
    "theme": "theme_id",
    "topic": "topic_id",
    "stage": "stage_id",
    "type": "resource_type_id",
    "region": "region_id",
    "year": "year",
    "award": "award",
}
NUMERIC_FACETS = ("theme", "topic", "stage", "type", "region", "year")
NO_DATE = -(2**62)


def _encode(values: np.ndarray, missing) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes 0..k-1 for the distinct values, -1 where the value is `missing`."""
    distinct, codes = np.unique(values, return_inverse=True)
    codes = codes.astype(np.int32)
    missing_at = np.flatnonzero(distinct == missing)
    if missing_at.size:
        codes[codes == missing_at[0]] = -1
    return distinct, codes


@dataclass
class Columns:
    """One snapshot of the document table's facet and sort columns, ordered by document id."""

    tokens: tuple[str, str]
    ids: np.ndarray  # int64, ascending
    values: dict[str, np.ndarray]  # facet → distinct values (taxonomy id, year or award name)
    codes: dict[str, np.ndarray]  # facet → int32 code per document (-1: none)
    subjects: np.ndarray  # int32 (documents × most subjects of one document), codes into values["subject"], -1 padding
    views: np.ndarray  # int64
    recency: np.ndarray  # int64: rank of (published_at, id), 0 = oldest; unpublished dates rank lowest

    @property
    def size(self) -> int:
        return int(self.ids.size)

    # --- selecting ----------------------------------------------------------------------------

    def positions(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows of these document ids (ids not in the snapshot are dropped) and a mask of the kept ones."""
        return _locate(self.ids, ids)

    def keep(self, rows: np.ndarray, filters: list[Filter]) -> np.ndarray:
        """A boolean mask over `rows`: the documents that satisfy every chosen facet value."""
        mask = np.ones(rows.size, dtype=bool)
        for chosen in filters:
            code = self._code_of(chosen)
            if code is None:
                return np.zeros(rows.size, dtype=bool)
            if chosen.facet == "subject":
                mask &= (self.subjects[rows] == code).any(axis=1)
            else:
                mask &= self.codes[chosen.facet][rows] == code
        return mask

    def _code_of(self, chosen: Filter) -> int | None:
        if chosen.facet == "award":
            key = chosen.name
        elif chosen.facet == "year":
            key = int(chosen.name)
        else:
            key = chosen.id
        if key is None:
            return None
        values = self.values[chosen.facet]
        at = int(np.searchsorted(values, key))
        return at if at < values.size and values[at] == key else None

    # --- counting and ordering ----------------------------------------------------------------

    def facet_counts(self, rows: np.ndarray) -> dict[str, dict]:
        """{facet: {value: count}} over these rows; values are taxonomy ids, years or award names."""
        out = {}
        for facet, codes in self.codes.items():
            out[facet] = self._count(codes[rows], self.values[facet])
        out["subject"] = self._count(self.subjects[rows].ravel(), self.values["subject"])
        return out

    @staticmethod
    def _count(codes: np.ndarray, values: np.ndarray) -> dict:
        counts = np.bincount(codes[codes >= 0], minlength=values.size)
        return {values[i].item(): int(counts[i]) for i in np.flatnonzero(counts)}

    def top(self, rows: np.ndarray, scores: np.ndarray, sort: str, offset: int, limit: int) -> np.ndarray:
        """Indexes into `rows` of the requested page, in the same order every engine uses:
        relevance = score, visits, newest; popular = visits, score, newest; newest = newest."""
        if not rows.size or limit <= 0:
            return np.zeros(0, dtype=np.int64)
        recency, views = self.recency[rows], self.views[rows]
        if sort == "newest":
            keys = (recency,)
        elif sort == "popular":
            keys = (recency, scores, views)
        else:
            keys = (recency, views, scores)
        wanted = offset + limit
        candidates = np.arange(rows.size)
        if rows.size > 4 * wanted:
            # Only the first `wanted` can be on the page: keep those whose primary key reaches the
            # wanted-th largest value (ties included), then order just those.
            primary = keys[-1]
            threshold = np.partition(primary, rows.size - wanted)[rows.size - wanted]
            candidates = np.flatnonzero(primary >= threshold)
        order = np.lexsort(tuple(-k[candidates] for k in keys))
        return candidates[order[offset:wanted]]


def _locate(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `sorted_ids` of those `ids` it holds, and a mask over `ids` of the ones found."""
    if not sorted_ids.size or not ids.size:
        return np.zeros(0, dtype=np.int64), np.zeros(ids.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, ids), sorted_ids.size - 1)
    found = sorted_ids[at] == ids
    return at[found], found


_lock = threading.Lock()
_snapshots: dict[str, Columns] = {}


def current_tokens() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT structure_token, counts_token FROM {STATE} WHERE id = 1")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else ("", "")


def columns() -> Columns:
    """This process's snapshot for the current database, reloaded if another write happened."""
    key = f"{connection.alias}:{connection.settings_dict['NAME']}"
    tokens = current_tokens()  # read before the data: a write racing the load only causes a reload
    snapshot = _snapshots.get(key)
    if snapshot is not None and snapshot.tokens == tokens:
        return snapshot
    with _lock:
        snapshot = _snapshots.get(key)
        if snapshot is None or snapshot.tokens[0] != tokens[0]:
            snapshot = load(tokens)
        elif snapshot.tokens != tokens:
            snapshot = reload_views(snapshot, tokens)
        _snapshots[key] = snapshot
    return snapshot


def _published_sql() -> str:
    """published_at as integer microseconds since 1970 (NULL: lowest), computed by the database."""
    if connection.vendor == "postgresql":
        expression = "CAST(EXTRACT(EPOCH FROM published_at) * 1000000 AS BIGINT)"
    else:
        expression = "CAST((julianday(published_at) - 2440587.5) * 86400000000 AS INTEGER)"
    return f"COALESCE({expression}, {NO_DATE})"


def load(tokens: tuple[str, str]) -> Columns:
    numeric = ", ".join(f"COALESCE({FACET_COLUMNS[f]}, -1)" for f in NUMERIC_FACETS)
    with connection.cursor() as cursor:
        # No ORDER BY: sorting is cheaper in numpy than in either database.
        cursor.execute(f"SELECT resource_id, {numeric}, view_count, {_published_sql()}, award FROM {DOC}")
        rows = cursor.fetchall()
        cursor.execute(f"SELECT document_id, subject_id FROM {SUBJ}")
        subject_rows = cursor.fetchall()
    table = np.array(rows, dtype=object).reshape(-1, len(NUMERIC_FACETS) + 4)
    ints = table[:, :-1].astype(np.int64)
    awards = table[:, -1].astype(str)
    order = np.argsort(ints[:, 0], kind="stable")
    ints, awards = ints[order], awards[order]
    ids = np.ascontiguousarray(ints[:, 0])
    values, codes = {}, {}
    for i, facet in enumerate(NUMERIC_FACETS, start=1):
        values[facet], codes[facet] = _encode(ints[:, i], -1)
    values["award"], codes["award"] = _encode(awards, "")
    views = np.ascontiguousarray(ints[:, -2])
    # Rank of (published_at, id): one integer carries the "newest first" order and its tie-break.
    recency = np.empty(ids.size, dtype=np.int64)
    recency[np.lexsort((ids, ints[:, -1]))] = np.arange(ids.size)
    values["subject"], subjects = _subject_matrix(ids, subject_rows)
    return Columns(tokens=tokens, ids=ids, values=values, codes=codes, subjects=subjects, views=views, recency=recency)


def _subject_matrix(ids: np.ndarray, subject_rows) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array(subject_rows, dtype=np.int64).reshape(-1, 2)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    rows, known = _locate(ids, pairs[:, 0])
    subject_ids = pairs[known, 1]
    distinct, subject_codes = np.unique(subject_ids, return_inverse=True)
    if not rows.size:
        return distinct, np.full((ids.size, 1), -1, dtype=np.int32)
    # rows are ascending (sorted by document): a subject's slot is its place among its document's.
    slot = np.arange(rows.size) - np.searchsorted(rows, rows, side="left")
    matrix = np.full((ids.size, int(slot.max()) + 1), -1, dtype=np.int32)
    matrix[rows, slot] = subject_codes
    return distinct, matrix


def reload_views(snapshot: Columns, tokens: tuple[str, str]) -> Columns:
    """Only visit counts changed: refresh that one column."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT resource_id, view_count FROM {DOC}")
        pairs = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
    pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
    if pairs.shape[0] != snapshot.size or not np.array_equal(pairs[:, 0], snapshot.ids):
        return load(tokens)  # documents changed underneath: start again
    return dataclasses.replace(snapshot, tokens=tokens, views=pairs[:, 1].copy())
