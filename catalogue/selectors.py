"""Reads for the catalogue: who may see what."""

from django.db.models import F, Q
from wagtail.models import Page

from . import caching
from .models import ResourceFile, ResourcePage
from .models.pages import live_resources
from .permissions import Ability, can

__all__ = [
    "accounts_manageable_by",
    "admin_pages_visible_to",
    "document_visible_to",
    "live_resources",
    "resource_file_visible_to",
    "user_can_edit_page",
]


def accounts_manageable_by(actor):
    """The accounts `actor` may see and manage in the admin's account screens: those of strictly
    lower power (catalogue.permissions.may_manage_account, as one query)."""
    from django.contrib.auth import get_user_model

    from .models import Role
    from .permissions import POWER, power_of

    User = get_user_model()
    if not can(actor, Ability.MANAGE_ACCOUNTS):
        return User._default_manager.none()
    if actor.is_superuser:
        return User._default_manager.all()
    lower_roles = [role for role in Role if POWER[role] < power_of(actor)]
    return User._default_manager.filter(is_superuser=False).filter(
        Q(profile__role__in=lower_roles) | Q(profile__isnull=True)
    )


def admin_pages_visible_to(user, pages):
    """The pages an admin list, chooser or search may show `user`.

    Resource admins (SEE_ALL_DRAFTS) see every page. Everyone else sees published pages whose
    published title is the one shown (a pending revision's new title is unpublished work too), and
    pages they own; reviewers and experts reach their submissions through the review desk, which
    applies the region and conflict-of-interest rules, never through Wagtail's page lists.
    """
    if can(user, Ability.SEE_ALL_DRAFTS):
        return pages
    # Only fields Wagtail indexes as filter fields (live, owner, id), so the same filter also works
    # on the page chooser's search, which runs it through the search backend.
    renamed = list(
        Page.objects.filter(live=True, has_unpublished_changes=True)
        .exclude(draft_title=F("title"))
        .values_list("pk", flat=True)
    )
    published = Q(live=True) & ~Q(id__in=renamed) if renamed else Q(live=True)
    if user is not None and user.is_authenticated:
        return pages.filter(published | Q(owner=user))
    return pages.filter(published)


def user_can_edit_page(user, page: Page) -> bool:
    if not user.is_authenticated:
        return False
    return page.permissions_for_user(user).can_edit()


def resource_is_public(resource: ResourcePage) -> bool:
    """Whether the public may see `resource`: live, and under no view restriction. `resource` was
    read from the database in this request (or from the content cache under the current version
    token, which every unpublish replaces), so its `live` is the answer a query would give; the
    restrictions come from the cached structure, as they do for every listing (`live_resources`)."""
    return bool(resource.live) and not caching.restricted(resource)


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
        # A document no resource uses (an upload in progress) is visible to its uploader and to
        # those who may see every draft.
        if not user.is_authenticated:
            return False
        return can(user, Ability.SEE_ALL_DRAFTS) or document.uploaded_by_user_id == user.pk
    return any(resource_file_visible_to(user, f) for f in files)


# --- the reader's own things: favourites and learning history ----------------------------------


def reader_state(*, user, resource) -> dict:
    """What the resource page shows a signed-in reader about themselves: whether the resource is in
    their favourites and where they stopped the video or audio last time (one query each)."""
    from .models import Favourite, LearningRecord

    record = (
        LearningRecord.objects.filter(user=user, resource=resource)
        .values("file_id", "position", "duration", "visits")
        .first()
    )
    resume = {}
    if record and record["file_id"] and record["position"] >= RESUME_MIN_SECONDS:
        # A video watched to (almost) the end starts again from the beginning.
        if not record["duration"] or record["position"] < record["duration"] - RESUME_END_MARGIN:
            resume = {record["file_id"]: record["position"]}
    return {
        "favourite": Favourite.objects.filter(user=user, resource=resource).exists(),
        "resume": resume,
        "visits": record["visits"] if record else 0,
    }


RESUME_MIN_SECONDS = 5
RESUME_END_MARGIN = 5


def favourites_of(user):
    """The reader's favourites that the public can still see (an unpublished one drops out)."""
    from .models import Favourite

    visible = live_resources().values("pk")
    return (
        Favourite.objects.filter(user=user, resource__in=visible)
        .select_related("resource__resource_type", "resource__theme", "resource__stage", "resource__cover_image")
        .order_by("-created_at", "-id")
    )


def learning_records_of(user):
    from .models import LearningRecord

    visible = live_resources().values("pk")
    return (
        LearningRecord.objects.filter(user=user, resource__in=visible)
        .select_related(
            "resource__resource_type", "resource__theme", "resource__stage", "resource__cover_image", "file"
        )
        .order_by("-last_visited_at", "-id")
    )


def resource_visible_to(user, resource) -> bool:
    return resource_is_public(resource) or user_can_edit_page(user, resource)
