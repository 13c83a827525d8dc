"""Engine selection: settings decide (ELASTICSEARCH_URL set → Elasticsearch), callers never do.

The embedded index is always kept up to date, even when Elasticsearch is configured, so that a
search can be answered from it when Elasticsearch is unreachable.
"""

import logging
import time

from django.conf import settings

from .base import FACETS, SORTS, Engine, EngineResult, EngineUnavailable, Filter, Hit, SearchRequest
from .embedded import EmbeddedEngine

logger = logging.getLogger("search")

__all__ = [
    "FACETS", "SORTS", "Engine", "EngineResult", "EngineUnavailable", "Filter", "Hit", "SearchRequest",
    "embedded_engine", "external_engine", "run_search",
]

# After a failure, leave Elasticsearch alone for a while instead of waiting on it at every request.
RETRY_AFTER_SECONDS = 30.0
_breaker = {"url": None, "down_until": 0.0}
_engines: dict = {}


def embedded_engine() -> EmbeddedEngine:
    return _engines.setdefault("embedded", EmbeddedEngine())


def external_engine():
    """The Elasticsearch engine if ELASTICSEARCH_URL is set, else None."""
    url = getattr(settings, "ELASTICSEARCH_URL", "")
    if not url:
        return None
    engine = _engines.get("elasticsearch")
    if engine is None or engine.url != url:
        from .elastic import ElasticsearchEngine

        engine = _engines["elasticsearch"] = ElasticsearchEngine(url)
    return engine


def _available(engine) -> bool:
    return not (_breaker["url"] == engine.url and time.monotonic() < _breaker["down_until"])


def mark_down(engine, exc) -> None:
    logger.warning("search: Elasticsearch at %s is unreachable (%s); answering from the embedded engine", engine.url, exc)
    _breaker.update(url=engine.url, down_until=time.monotonic() + RETRY_AFTER_SECONDS)


def run_search(request: SearchRequest) -> EngineResult:
    engine = external_engine()
    if engine is not None:
        if _available(engine):
            try:
                return engine.search(request)
            except EngineUnavailable as exc:
                mark_down(engine, exc)
        else:
            logger.warning("search: Elasticsearch marked down; answering from the embedded engine")
    return embedded_engine().search(request)
