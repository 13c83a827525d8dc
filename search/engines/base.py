"""What every engine receives and returns. Engines see analysed queries, never raw user input."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from ..analysis import QueryPlan, Tier

FACETS = ("theme", "topic", "subject", "stage", "type", "region", "year", "award")
SORTS = ("relevance", "newest", "popular")


class EngineUnavailable(Exception):
    """The engine cannot answer right now (Elasticsearch down); callers fall back to embedded."""


@dataclass(frozen=True)
class Filter:
    """A chosen facet value: `id` for taxonomy facets in the embedded engine, `name` for ES."""

    facet: str
    name: str
    id: int | None = None


@dataclass
class SearchRequest:
    plan: QueryPlan
    filters: list[Filter] = field(default_factory=list)
    sort: str = "relevance"
    offset: int = 0
    limit: int = 12


@dataclass
class Hit:
    id: int
    score: int


@dataclass
class EngineResult:
    total: int
    hits: list[Hit]
    # {facet: {display value: count}}; order is decided by the caller, identically for all engines.
    facets: dict[str, dict[str, int]]
    engine: str = ""
    tier: int = 0


class Engine(ABC):
    name = "base"

    @abstractmethod
    def search_tier(self, request: SearchRequest, tier: Tier | None) -> EngineResult:
        """Run one tier (or, for `None`, browse without a query) with filters, sort and facets."""

    def search(self, request: SearchRequest) -> EngineResult:
        """Try the plan's tiers in order; the first that finds anything answers."""
        if request.plan.nothing:
            return EngineResult(total=0, hits=[], facets={f: {} for f in FACETS}, engine=self.name)
        if request.plan.is_empty:
            return self.search_tier(request, None)
        result = None
        for number, tier in enumerate(request.plan.tiers):
            result = self.search_tier(request, tier)
            result.tier = number
            if result.total:
                return result
        return result

    @abstractmethod
    def index(self, resources) -> None:
        """Add or replace these `IndexedResource`s."""

    @abstractmethod
    def delete(self, resource_ids) -> None:
        """Remove these resources (missing ones are ignored)."""

    @abstractmethod
    def rebuild(self, resources) -> int:
        """Replace the whole index with these resources; returns how many were indexed."""
