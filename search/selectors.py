"""Reads of the search app: what a searcher gets, whichever engine answers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.utils.safestring import SafeString, mark_safe

from catalogue import caching
from catalogue.models import Topic
from catalogue.selectors import live_resources

from . import analysis
from .analysis import Group, QueryPlan, Tier
from .engines import FACETS, SORTS, Filter, SearchRequest, run_search
from .vocabulary import ensure_loaded, synonyms, taxonomy_names

PER_PAGE = 12
MAX_RESULT_WINDOW = 10_000  # deepest result we page to (Elasticsearch's default window)
SUGGESTIONS = 8
SNIPPET_CHARS = 90

FACET_LABELS = {
    "theme": "主题",
    "topic": "专题",
    "subject": "学科",
    "stage": "学段",
    "type": "资源类型",
    "region": "县（区）",
    "year": "年度",
    "award": "获奖等级",
}


@dataclass
class ResultItem:
    resource: object
    title_html: SafeString
    snippet_html: SafeString
    score: int

    def as_json(self) -> dict:
        r = self.resource
        return {
            "id": r.pk,
            "title": r.title,
            "url": r.url,
            "theme": r.theme.name,
            "topic": r.topic.name if r.topic_id else "",
            "subjects": [s.name for s in r.subjects.all()],
            "stage": r.stage.name,
            "resource_type": r.resource_type.name,
            "region": r.region.name if r.region_id else "",
            "year": r.year,
            "highlight": {"title": str(self.title_html), "snippet": str(self.snippet_html)},
        }


@dataclass
class SearchPage:
    query: str
    sort: str
    count: int
    page_obj: object
    results: list[ResultItem]
    facets: dict[str, list[dict]]
    chosen: dict[str, str]
    engine: str
    relaxed: bool
    took_ms: float = 0.0
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "count": self.count,
            "page": self.page_obj.number,
            "results": [item.as_json() for item in self.results],
            "facets": self.facets,
        }


def _first(params, key: str) -> str:
    value = params.get(key, "")
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    text = str(value or "")[:1000]
    # Control characters (NUL among them, which PostgreSQL refuses) never mean anything in a search.
    return "".join(ch for ch in text if ch.isprintable() or ch == " ").strip()[:200]


def parse_filters(params) -> list[Filter]:
    """Facet values from the URL: the Chinese name shown to users (ids are accepted too)."""
    names = taxonomy_names()
    chosen = []
    for facet in FACETS:
        value = _first(params, facet)
        if not value:
            continue
        if facet == "year":
            if value.isdigit() and len(value) <= 4:
                chosen.append(Filter(facet="year", name=str(int(value))))
            continue
        if facet == "award":
            chosen.append(Filter(facet="award", name=value))
            continue
        by_name = {name: pk for pk, name in names[facet].items()}
        folded = analysis.fold(value)
        by_folded = {analysis.fold(name): name for name in by_name}
        if value in by_name:
            chosen.append(Filter(facet=facet, name=value, id=by_name[value]))
        elif folded in by_folded:
            name = by_folded[folded]
            chosen.append(Filter(facet=facet, name=name, id=by_name[name]))
        elif value.isdigit() and int(value) in names[facet]:
            chosen.append(Filter(facet=facet, name=names[facet][int(value)], id=int(value)))
        else:
            # An unknown value matches nothing (in every engine) rather than being silently dropped.
            chosen.append(Filter(facet=facet, name=value, id=-1))
    return chosen


def _page_number(params) -> int:
    value = _first(params, "page")
    return max(1, min(int(value), MAX_RESULT_WINDOW // PER_PAGE)) if value.isdigit() and len(value) < 7 else 1


def _ordered_facets(facets: dict[str, dict[str, int]]) -> dict[str, list[dict]]:
    out = {}
    for facet in FACETS:
        counts = facets.get(facet, {})
        if facet == "year":
            items = sorted(counts.items(), key=lambda kv: (-kv[1], -int(kv[0])))
        else:
            items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[facet] = [{"value": value, "count": count} for value, count in items]
    return out


def search_resources(params) -> SearchPage:
    """Search live public resources with the parameters of `/search/` and `/api/search/`."""
    started = time.perf_counter()
    ensure_loaded()
    plan = analysis.plan_query(_first(params, "q"), synonyms())
    sort = _first(params, "sort")
    sort = sort if sort in SORTS else "relevance"
    if plan.is_empty and sort == "relevance":
        sort = "newest"  # nothing to be relevant to: the newest resources first
    filters = parse_filters(params)
    number = _page_number(params)
    request = SearchRequest(plan=plan, filters=filters, sort=sort, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    result = run_search(request)
    if result.total and request.offset >= result.total:
        # Past the last page: show the last page rather than nothing.
        number = (result.total - 1) // PER_PAGE + 1
        request.offset = (number - 1) * PER_PAGE
        result = run_search(request)
    page_obj = Paginator(range(min(result.total, MAX_RESULT_WINDOW)), PER_PAGE).get_page(number)
    found = live_resources().filter(pk__in=[h.id for h in result.hits])
    pages = {
        p.pk: p for p in caching.taxonomy_attach(found.select_related(None).select_related("school", "cover_image"))
    }
    results = []
    for hit in result.hits:
        page = pages.get(hit.id)
        if page is None:  # index lagging behind an unpublish: never show it
            continue
        description = analysis.strip_html(page.description)
        results.append(
            ResultItem(
                resource=page,
                title_html=mark_safe(analysis.highlight(page.title, plan)),  # noqa: S308 - escaped by highlight()
                snippet_html=mark_safe(analysis.highlight(description, plan, snippet_chars=SNIPPET_CHARS)),  # noqa: S308
                score=hit.score,
            )
        )
    return SearchPage(
        query=plan.text,
        sort=sort,
        count=result.total,
        page_obj=page_obj,
        results=results,
        facets=_ordered_facets(result.facets),
        chosen={f.facet: f.name for f in filters},
        engine=result.engine,
        relaxed=bool(plan.tiers) and plan.tiers[result.tier].min_match < len(plan.tiers[result.tier].groups),
        took_ms=(time.perf_counter() - started) * 1000,
    )


_topic_cache: dict = {"version": None, "rows": []}


def _topics() -> list[tuple[str, str, str, str]]:
    """(name, folded name, full pinyin, initials) of every topic, cached per vocabulary version."""
    from .vocabulary import _state

    ensure_loaded()
    if _topic_cache["version"] != _state["version"] or not _topic_cache["rows"]:
        rows = []
        for topic in Topic.objects.select_related("page").order_by("sort_order", "id"):
            full, initials = analysis.to_pinyin(analysis.fold(topic.name))
            page = getattr(topic, "page", None)
            url = page.url if page is not None and page.live else ""
            rows.append((topic.name, analysis.fold(topic.name), full, initials, url))
        _topic_cache.update(version=_state["version"], rows=rows)
    return _topic_cache["rows"]


def search_suggest(raw: str, *, limit: int = SUGGESTIONS) -> list[dict]:
    """Suggestions while typing: matching topics first, then resource titles (Chinese or pinyin)."""
    ensure_loaded()
    text = analysis.clean_query(raw or "")[:40]
    if not text:
        return []
    from urllib.parse import urlencode

    compact = text.replace(" ", "")
    out, seen = [], set()
    for name, folded, full, initials, url in _topics():
        if compact in folded or (compact.isascii() and compact.isalpha() and (full.startswith(compact) or initials.startswith(compact))):
            out.append({"text": name, "url": url or "/search/?" + urlencode({"q": name})})
            seen.add(name)
        if len(out) >= 3:
            break
    words = analysis.query_words(text)
    if not words:
        return out
    groups = []
    for i, word in enumerate(words[: analysis.MAX_GROUPS]):
        last = i == len(words) - 1
        terms = {word}
        if analysis.CJK_RUN.fullmatch(word) and len(word) >= 2:
            terms.add(analysis.to_pinyin(word)[0])
        groups.append(Group(terms=frozenset(terms), prefixes=frozenset({word}) if last else frozenset(), source=word))
    plan = QueryPlan(text=text, tiers=[Tier(groups=tuple(groups), min_match=len(groups))])
    if compact.isascii() and compact.isalpha() and len(words) > 1:
        plan.tiers.append(Tier(groups=(Group(terms=frozenset({compact}), prefixes=frozenset({compact})),), min_match=1))
    result = run_search(SearchRequest(plan=plan, limit=limit * 2))
    pages = {p.pk: p for p in live_resources().select_related(None).filter(pk__in=[h.id for h in result.hits])}
    for hit in result.hits:
        page = pages.get(hit.id)
        if page is None or page.title in seen:
            continue
        out.append({"text": page.title, "url": page.url})
        seen.add(page.title)
        if len(out) >= limit:
            break
    return out
