"""Writes of the search app: keep the indexes in step with what the public may see."""

from __future__ import annotations

import logging

from catalogue.models import ResourcePage
from catalogue.selectors import live_resources

from . import documents
from .engines import EngineUnavailable, embedded_engine, external_engine, mark_down
from .vocabulary import ensure_loaded

logger = logging.getLogger("search")


def _external(action: str, fn, *args) -> None:
    engine = external_engine()
    if engine is None:
        return
    try:
        fn(engine, *args)
    except EngineUnavailable as exc:
        # The embedded index is current; `search_index --rebuild` re-syncs Elasticsearch later.
        mark_down(engine, exc)
        logger.warning("search: could not %s in Elasticsearch; run `manage.py search_index --rebuild` once it is back", action)


def search_documents_sync(*, resource_ids: list[int]) -> dict[str, int]:
    """Index the given resources if the public may see them, remove them from the index otherwise."""
    ids = sorted(set(int(i) for i in resource_ids))
    if not ids:
        return {"indexed": 0, "removed": 0}
    visible = list(live_resources().filter(pk__in=ids).select_related("theme", "topic", "stage", "resource_type", "region", "school"))
    built = [documents.build(page) for page in visible]
    gone = sorted(set(ids) - {r.id for r in built})
    embedded_engine().delete(gone)
    embedded_engine().index(built)
    _external("remove resources", lambda e, x: e.delete(x), gone)
    _external("index resources", lambda e, x: e.index(x), built)
    return {"indexed": len(built), "removed": len(gone)}


def _all_documents():
    ensure_loaded(force=True)
    queryset = live_resources().order_by("pk")
    for page in queryset.iterator(chunk_size=200):
        yield documents.build(page)


def search_index_rebuild(*, engine: str = "configured") -> dict[str, int]:
    """Rebuild the embedded index and, when configured, Elasticsearch (fresh index + alias swap)."""
    counts = {"embedded": embedded_engine().rebuild(_all_documents())}
    external = external_engine()
    if external is not None and engine in ("configured", "elasticsearch"):
        counts["elasticsearch"] = external.rebuild(_all_documents())
    return counts


def resource_ids_under(page) -> list[int]:
    """The resource itself or every resource below a section page (moves, privacy changes)."""
    return list(ResourcePage.objects.filter(path__startswith=page.path).values_list("pk", flat=True))


def search_popularity_refresh(*, resource_ids=None) -> int:
    """Copy visit counts (written on ResourcePage by the indicators app) into the indexes: for the
    given resources (after `resource_counts_changed`), or for all of them."""
    from .models import SearchDocument

    resources, documents = live_resources(), SearchDocument.objects.all()
    if resource_ids is not None:
        resources, documents = resources.filter(pk__in=resource_ids), documents.filter(resource_id__in=resource_ids)
    current = dict(resources.values_list("pk", "view_count"))
    indexed = dict(documents.values_list("resource_id", "view_count"))
    changed = {pk: count for pk, count in current.items() if pk in indexed and indexed[pk] != count}
    if not changed:
        return 0
    embedded_engine().update_counts(changed)
    _external("update visit counts", lambda e, x: e.update_counts(x), changed)
    return len(changed)
