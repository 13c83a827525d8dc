"""COUNTER_SUSHI API 5.1 endpoints under /r51/ (docs/interop.md).

`/r51/status` is public; every other path needs `api_key` (an SushiConsumer's key) authorised for
`customer_id`. Errors that stop a request answer with one Exception and its HTTP status (Appendix
D); the others travel in the report header with status 200.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_safe

from ops.net import client_ip

from . import sushi
from .services import sushi_consumer_for_key


def _json(data, status=200, headers=None) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _rate_limited(request) -> tuple[str, int] | None:
    """Fixed windows per API key (or per address without one), counted in the shared cache.
    Returns the explanation and the seconds to wait when a limit is exceeded."""
    key = request.GET.get("api_key", "")
    who = hashlib.sha256(key.encode()).hexdigest()[:24] if key else f"ip:{client_ip(request)}"
    now = int(time.time())
    limits = (
        ("minute", 60, settings.SUSHI_RATE_LIMIT_PER_MINUTE),
        ("day", 86400, settings.SUSHI_RATE_LIMIT_PER_DAY),
    )
    for name, seconds, limit in limits:
        window = now // seconds
        counter = f"sushi:rate:{who}:{name}:{window}"
        cache.add(counter, 0, timeout=seconds + 5)
        try:
            count = cache.incr(counter)
        except ValueError:  # evicted between add and incr
            cache.set(counter, 1, timeout=seconds + 5)
            count = 1
        if count is None:  # the shared cache is down (ops.cache answers misses): serve, do not count
            return None
        if count > limit:
            wait = (window + 1) * seconds - now
            return (
                f"Client has made too many requests. This server allows {limit} requests per {name} per API key; "
                f"retry in {wait} seconds.",
                wait,
            )
    return None


def _authorise(request):
    """The customer of an authorised request, checking in the order of Appendix D (lowest code)."""
    limited = _rate_limited(request)
    if limited:
        raise _RateLimited(*limited)
    customer_id = request.GET.get("customer_id", "").strip()
    if not customer_id:
        raise sushi.SushiError(1030, "customer_id is required.")
    if customer_id == sushi.GLOBAL_ID:
        raise sushi.SushiError(2011, "Usage is only reported for the city, its counties and its schools.")
    customer = sushi.customer_for(customer_id)
    if customer is None:
        raise sushi.SushiError(2010, f"customer_id {customer_id} is not recognised.")
    consumer = sushi_consumer_for_key(key=request.GET.get("api_key", "").strip())
    if consumer is None:
        raise sushi.SushiError(2020, "A valid api_key is required (issued by the city bureau in the admin).")
    if not sushi.consumer_may_read(consumer, customer):
        raise sushi.SushiError(2010, f"This api_key is not authorised for customer_id {customer_id}.")
    return customer


class _RateLimited(Exception):
    def __init__(self, message, wait):
        super().__init__(message)
        self.message, self.wait = message, wait


def _guarded(build):
    """Run a view body, turning stopping errors into the single Exception response."""
    try:
        return build()
    except _RateLimited as limited:
        return _json(sushi.exception(1020, limited.message), status=429, headers={"Retry-After": str(limited.wait)})
    except sushi.SushiError as err:
        return _json(err.body(), status=err.status)
    except DatabaseError:
        error = sushi.SushiError(1000, "The usage database is not reachable; please retry later.")
        return _json(error.body(), status=error.status)


@require_safe
def status(request):
    try:
        return _json(sushi.status())
    except DatabaseError:
        return _json(
            [{"Description": sushi.PLATFORM, "Service_Active": False, "Note": "The usage database is not reachable."}]
        )


@require_safe
def members(request):
    return _guarded(lambda: _json(sushi.members_of(_authorise(request))))


@require_safe
def reports(request):
    return _guarded(lambda: _json(sushi.report_list(_authorise(request))))


@require_safe
def report(request, report_id: str):
    if report_id not in sushi.REPORTS:
        raise Http404  # an unsupported report is an invalid path (Appendix D)

    def build():
        customer = _authorise(request)
        params = {key: request.GET.get(key) for key in request.GET}
        req = sushi.report_request(report_id, params, customer)
        return _json(sushi.REPORTS[report_id][3](req))

    return _guarded(build)
