"""Public views of the catalogue besides Wagtail's page serving: files and media."""

import posixpath

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

from .http import media_file_response, ranged_file_response
from .models import ResourceFile
from .selectors import resource_is_public, user_can_edit_page
from .signals import resource_accessed

# Originals of uploads (documents, original images) may belong to drafts: they are served only
# through views that check who may see them. Renditions and other media are public.
PRIVATE_MEDIA_PREFIXES = ("documents/", "original_images/")


@require_safe
def resource_file(request, file_id: int, filename: str):
    """Stream one file of a resource: inline for the player (with Range), or as a download."""
    resource_file = get_object_or_404(ResourceFile.objects.select_related("document", "page"), pk=file_id)
    resource = resource_file.page
    public = resource_is_public(resource)
    if not (public or user_can_edit_page(request.user, resource)):
        raise Http404
    download = request.GET.get("download") == "1"
    if download:  # the counting pipeline decides what counts (GET, public, not a Range continuation)
        resource_accessed.send(
            sender=ResourceFile, request=request, resource=resource, action="download", file=resource_file
        )
    return ranged_file_response(
        request, resource_file.document.file, filename=resource_file.document.filename, as_attachment=download
    )


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
