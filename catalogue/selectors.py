"""Reads for the catalogue: who may see what."""

from wagtail.models import Page

from .models import ResourceFile, ResourcePage
from .models.pages import live_resources

__all__ = ["live_resources", "resource_file_visible_to", "user_can_edit_page", "document_visible_to"]


def user_can_edit_page(user, page: Page) -> bool:
    if not user.is_authenticated:
        return False
    return page.permissions_for_user(user).can_edit()


def resource_is_public(resource: ResourcePage) -> bool:
    return live_resources().filter(pk=resource.pk).exists()


def resource_file_visible_to(user, resource_file: ResourceFile) -> bool:
    """A file of a live public resource is public; a draft's files only to those who may edit it."""
    resource = resource_file.page
    return resource_is_public(resource) or user_can_edit_page(user, resource)


def public_resource_file_of(document) -> ResourceFile | None:
    """The file of a public resource that uses `document` (the first, if several do), or None."""
    return (
        ResourceFile.objects.filter(document=document, page__in=live_resources())
        .select_related("page")
        .order_by("pk")
        .first()
    )


def document_visible_to(user, document) -> bool:
    """Wagtail's own document URLs follow the same rule as our resource file URLs."""
    files = list(ResourceFile.objects.filter(document=document).select_related("page"))
    if not files:
        # A document no resource uses is visible to admin users only (it may be an upload in progress).
        return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")
    return any(resource_file_visible_to(user, f) for f in files)
