"""Public search: the HTML page and the JSON API share one selector; no engine branching here."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import FACET_LABELS, PER_PAGE, search_resources, search_suggest

KEPT = ("q", "theme", "topic", "subject", "stage", "type", "region", "year", "award", "sort")


def _query(params: dict, **changes) -> str:
    merged = {k: v for k, v in params.items() if v}
    for key, value in changes.items():
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged)


@require_GET
def search_page(request):
    result = search_resources(request.GET)
    params = {k: request.GET.get(k, "").strip()[:200] for k in KEPT}
    facet_panels = []
    for facet, values in result.facets.items():
        chosen = result.chosen.get(facet)
        items = [
            {
                "value": v["value"],
                "count": v["count"],
                "chosen": v["value"] == chosen,
                "href": _query(params, **{facet: None if v["value"] == chosen else v["value"]}),
            }
            for v in values
        ]
        if chosen and not any(i["chosen"] for i in items):
            items.insert(0, {"value": chosen, "count": 0, "chosen": True, "href": _query(params, **{facet: None})})
        if items:
            facet_panels.append({"name": facet, "label": FACET_LABELS[facet], "items": items})
    sorts = [
        {"value": value, "label": label, "href": _query(params, sort=value), "active": result.sort == value}
        for value, label in (("relevance", "相关度"), ("newest", "最新"), ("popular", "最多浏览"))
    ]
    chosen_chips = [
        {"label": FACET_LABELS[f], "value": v, "href": _query(params, **{f: None})} for f, v in result.chosen.items()
    ]
    context = {
        "result": result,
        "facet_panels": facet_panels,
        "sorts": sorts,
        "chosen_chips": chosen_chips,
        "clear_href": _query({"q": params["q"], "sort": params["sort"]}),
        "page_obj": result.page_obj,
        "per_page": PER_PAGE,
    }
    return render(request, "search/search.html", context)


@require_GET
def api_search(request):
    return JsonResponse(search_resources(request.GET).as_json(), json_dumps_params={"ensure_ascii": False})


@require_GET
def api_suggest(request):
    suggestions = search_suggest(request.GET.get("q", ""))
    return JsonResponse({"suggestions": suggestions}, json_dumps_params={"ensure_ascii": False})
