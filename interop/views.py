"""Views: the OAI-PMH endpoint and its schema, the cover link of harvested records, and the
COUNTER_SUSHI endpoints (in `sushi_views.py`)."""

from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from catalogue.selectors import live_resources

from .oai import oai_response

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


@csrf_exempt  # OAI-PMH allows POST from harvesters; nothing here changes what anyone may see
@require_http_methods(["GET", "HEAD", "POST"])
def oai_endpoint(request):
    source = request.POST if request.method == "POST" else request.GET
    body = oai_response(request, {key: source.getlist(key) for key in source})
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


@require_safe
def oai_schema(request):
    return FileResponse(open(SCHEMA_DIR / "zmd_resource.xsd", "rb"), content_type="application/xml")


@require_safe
def cover(request, resource_id: int):
    """A stable address for a public resource's cover: redirects to its rendition (made on first
    use, so a harvest of ten thousand records does not render ten thousand images)."""
    resource = get_object_or_404(live_resources(), pk=resource_id)
    if resource.cover_image is None:
        raise Http404
    return redirect(resource.cover_image.get_rendition("fill-1280x720").url)
