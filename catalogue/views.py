"""Public views of the catalogue besides Wagtail's page serving: files, media, the reader's
favourites and learning history, QR codes."""

import io
import posixpath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils._os import safe_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from wagtail.models import Page

from . import caching, selectors, services
from .http import media_file_response, ranged_file_response
from .models import DocumentPreview, LearningRecord, ResourceFile, ResourcePage
from .selectors import resource_is_public, user_can_edit_page
from .signals import resource_accessed

# Originals of uploads (documents, original images) may belong to drafts, and document previews
# follow their documents: they are served only through views that check who may see them.
# Renditions and other media are public.
PRIVATE_MEDIA_PREFIXES = ("documents/", "original_images/", "previews/")


def _file_with_resource(file_id: int) -> ResourceFile | None:
    """The file with its document and resource, and the resource's named file list, as the
    response needs them (kept by caching.content() with a shared cache: when warm, no query but
    the content version's)."""
    resource_file = ResourceFile.objects.select_related("document", "page").filter(pk=file_id).first()
    if resource_file is not None:
        caching.taxonomy_attach([resource_file.page])  # the type names the download: no query for it
        resource_file.page.file_list  # noqa: B018  (a cached property: kept with the file)
    return resource_file


@require_safe
def resource_file(request, file_id: int, filename: str):
    """Stream one file of a resource: inline for the player (with Range), or as a download."""
    resource_file = caching.content("file", str(file_id), lambda: _file_with_resource(file_id))
    if resource_file is None:
        raise Http404
    resource = resource_file.page
    public = resource_is_public(resource)
    if not (public or user_can_edit_page(request.user, resource)):
        raise Http404
    download = request.GET.get("download") == "1"
    if download:  # the counting pipeline decides what counts (GET, public, not a Range continuation)
        resource_accessed.send(
            sender=ResourceFile, request=request, resource=resource, action="download", file=resource_file
        )
    # Saved as 标题-标签.pdf (嵖岈山地质探秘-教学设计.pdf), not under the uploader's file name.
    named = next(f for f in resource.file_list if f.pk == resource_file.pk)
    return ranged_file_response(
        request,
        resource_file.document.file,
        filename=named.download_name,
        ascii_filename=named.ascii_download_name,
        as_attachment=download,
    )


@require_safe
def document_preview(request, file_id: int):
    """The PDF rendering of an office document, for the in-page reader (same visibility as the file)."""
    resource_file = get_object_or_404(
        ResourceFile.objects.select_related("document", "document__preview", "page"), pk=file_id
    )
    if not (resource_is_public(resource_file.page) or user_can_edit_page(request.user, resource_file.page)):
        raise Http404
    preview = getattr(resource_file.document, "preview", None)
    if preview is None or preview.status != DocumentPreview.Status.READY or not preview.file:
        raise Http404
    named = next(f for f in resource_file.page.file_list if f.pk == resource_file.pk)
    stem = named.download_name.rsplit(".", 1)[0]
    return ranged_file_response(request, preview.file, filename=f"{stem}.pdf", as_attachment=False)


@require_safe
def media(request, path: str):
    """Serve media that is public by nature (renditions); refuse originals of uploads."""
    normalized = posixpath.normpath(path).lstrip("/")
    if normalized.startswith(PRIVATE_MEDIA_PREFIXES) or normalized.startswith(".."):
        raise Http404
    try:
        safe_join(settings.MEDIA_ROOT, normalized)
    except Exception as exc:  # SuspiciousFileOperation: path traversal
        raise Http404 from exc
    if not default_storage.exists(normalized):
        raise Http404
    return media_file_response(request, normalized)


# --- the reader's own things ---------------------------------------------------------------


def _visible_resource(user, resource_id) -> ResourcePage:
    resource = get_object_or_404(ResourcePage, pk=resource_id)
    if not selectors.resource_visible_to(user, resource):
        raise Http404
    return resource


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest" or "application/json" in request.headers.get(
        "Accept", ""
    )


@login_required
@require_POST
def favourite_toggle(request, resource_id: int):
    """收藏 / 取消收藏 (POST on=1 / on=0). Answers JSON to the page's script, else goes back."""
    on = request.POST.get("on", "1") == "1"
    if on:
        resource = _visible_resource(request.user, resource_id)
    else:  # removing never needs the resource to be visible any more
        resource = get_object_or_404(ResourcePage, pk=resource_id)
    state = services.favourite_set(user=request.user, resource=resource, on=on)
    message = _("已加入我的收藏。") if state else _("已取消收藏。")
    if _wants_json(request):
        return JsonResponse({"favourite": state, "message": message})
    messages.success(request, message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = resource.url or "/"
    return redirect(target)


@require_POST
def learning_progress(request):
    """Where the signed-in reader stopped a video or audio (the page's script posts it every few
    seconds of playback and when the page is left). 204 when stored."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("请先登录。")}, status=401)
    try:
        resource_id = int(request.POST.get("resource", ""))
        file_id = int(request.POST.get("file", ""))
        position = float(request.POST.get("position", ""))
        duration = float(request.POST.get("duration", "0") or 0)
    except ValueError:
        return JsonResponse({"error": _("参数不正确。")}, status=400)
    resource = _visible_resource(request.user, resource_id)
    resource_file = get_object_or_404(ResourceFile, pk=file_id)
    try:
        services.learning_progress_record(
            user=request.user, resource=resource, resource_file=resource_file, position=position, duration=duration
        )
    except services.ProgressError:
        return JsonResponse({"error": _("参数不正确。")}, status=400)
    return HttpResponse(status=204)


LIBRARY_PER_PAGE = 24


@login_required
def my_library(request):
    """我的收藏 / 学习记录: the reader's favourites and what they opened, newest first."""
    if request.method == "POST" and request.POST.get("action") == "clear_history":
        LearningRecord.objects.filter(user=request.user).delete()
        messages.success(request, _("学习记录已清空。"))
        return redirect(f"{request.path}?tab=history")
    tab = "history" if request.GET.get("tab") == "history" else "favourites"
    items = selectors.learning_records_of(request.user) if tab == "history" else selectors.favourites_of(request.user)
    page_obj = Paginator(items, LIBRARY_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/my_library.html",
        {
            "tab": tab,
            "page_obj": page_obj,
            "favourite_count": selectors.favourites_of(request.user).count(),
            "history_count": selectors.learning_records_of(request.user).count(),
        },
    )


QR_CACHE_SECONDS = 24 * 3600


@require_safe
@cache_control(public=True, max_age=QR_CACHE_SECONDS)
def page_qr(request, page_id: int):
    """A QR code (PNG) of a public page's address, drawn here (no outside service)."""
    page = get_object_or_404(Page.objects.live().public(), pk=page_id)
    url = request.build_absolute_uri(page.get_url(request))
    key = f"catalogue:qr:{url}"
    png = cache.get(key)
    if png is None:
        png = qr_png(url)
        cache.set(key, png, QR_CACHE_SECONDS)
    return HttpResponse(png, content_type="image/png")


def qr_png(data: str, box_size: int = 8) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
