"""Cached reads of what every public page shows and rarely changes, so that a warm page costs only the
queries of its own content (tests/catalogue/test_query_counts.py holds every public page to 8).

- `structure()`: the header menu, the home page's theme cards with their topics, the latest
  campaigns, the taxonomy of the listing filters and of listed resources (`taxonomy_attach`), and
  the pages under a view restriction. One cache
  entry, built with a handful of queries; every edit that can change it (taxonomy snippets, page
  publish / unpublish / move / delete, view restrictions, sites) replaces its version token, at once
  and again when the transaction commits, so no request can keep a copy read before the edit.
- `public()` and `restricted()`: Wagtail's view-restriction checks answered from that entry.
- `route()`: where a URL path leads (page id and type), checked against the page it fetches, so a
  moved or renamed page can never be served from a stale entry; the home page's `route` uses it.
- `site_for_request()`: Wagtail's Site for the request's host, with its root page (the home page)
  already fetched, so that Wagtail's routing starts without a query (CachedSiteMiddleware).
- `content()`: with a shared cache (production: Redis), what visitor pages show of the catalogue:
  the routed page itself (a resource page with its files, gallery, subjects and grades), the home
  page's listings, each listing page's count and pages of cards, a file with its resource. Kept
  under the database's content version (`ContentVersion`, one row, raised in the same transaction
  as every write that can change those pages, so the change and the new version commit together:
  no failure of Redis can leave a withdrawn page or file served from a kept copy) and the counts'
  token in Redis (`COUNTS_TOKEN_KEY`, replaced when the roll-ups write new view and download
  counts; a lost replacement only leaves counts up to CONTENT_SECONDS old). A warm visitor page
  runs one SQL query: the version. The embedded default does not keep them: its cache is each
  process's own memory, where another process would go on serving a withdrawn resource until its
  copy expired.

With Redis (production) the cache is shared by every process: an edit in the admin shows at once
everywhere. Without Redis (the embedded default) each process has its own cache: the process that
made the edit shows it at once (`make run` has one), any other within LOCAL_SECONDS.
"""

import dataclasses
import datetime
import functools
import hashlib
import time
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ops.cache import local, request_memo, request_memo_forget, shared_is_local, version, version_bump

TOKEN_KEY = "catalogue:structure:token"
COUNTS_TOKEN_KEY = "catalogue:counts:token"
SHARED_SECONDS = 60 * 60
LOCAL_SECONDS = 30
CONTENT_SECONDS = 5 * 60  # kept pages: a fresh copy at least this often, whatever happens to Redis


@dataclasses.dataclass(frozen=True)
class Link:
    title: str
    url: str
    page_id: int


@dataclasses.dataclass(frozen=True)
class TopicLink(Link):
    place: str = ""


@dataclasses.dataclass(frozen=True)
class ThemeCard(Link):
    parent_path: str = ""
    slug: str = ""
    name: str = ""
    description: str = ""
    topics: tuple[TopicLink, ...] = ()


@dataclasses.dataclass(frozen=True)
class CampaignLink(Link):
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None

    @property
    def is_open(self) -> bool:
        return self.opens_on <= timezone.localdate() <= self.closes_on


@dataclasses.dataclass(frozen=True)
class Structure:
    nav: tuple[Link, ...]
    theme_cards: tuple[ThemeCard, ...]
    campaigns: tuple[CampaignLink, ...]
    subjects: tuple
    stages: tuple
    resource_types: tuple
    restricted_paths: tuple[str, ...]
    # Theme, Topic, Stage, ResourceType and Region objects by field of ResourcePage, then by id.
    taxonomy: dict = dataclasses.field(default_factory=dict, compare=False)

    def cards_under(self, page) -> list[ThemeCard]:
        return [card for card in self.theme_cards if card.parent_path == page.path]

    def topics_of(self, page) -> tuple[TopicLink, ...]:
        return next((card.topics for card in self.theme_cards if card.page_id == page.pk), ())


def _timeout() -> int:
    return LOCAL_SECONDS if shared_is_local() else SHARED_SECONDS


def _build() -> Structure:
    from wagtail.models import PageViewRestriction

    from .models import CampaignPage, Region, ResourceType, Stage, Subject, Theme, ThemePage, Topic, TopicPage

    restricted = tuple(PageViewRestriction.objects.values_list("page__path", flat=True))

    def visible(pages):
        return [p for p in pages if not any(p.path.startswith(r) for r in restricted)]

    nav = tuple(
        Link(title=theme.name, url=theme.page.get_url(), page_id=theme.page.pk)
        for theme in Theme.objects.select_related("page").order_by("sort_order", "id")
        if getattr(theme, "page", None) is not None and theme.page.live
    )
    topics = visible(TopicPage.objects.live().select_related("topic").order_by("topic__sort_order", "path"))
    cards = tuple(
        ThemeCard(
            title=page.title,
            url=page.get_url(),
            page_id=page.pk,
            parent_path=page.path[: -page.steplen],
            slug=page.theme.slug,
            name=page.theme.name,
            description=page.theme.description,
            topics=tuple(
                TopicLink(title=t.title, url=t.get_url(), page_id=t.pk, place=t.topic.place)
                for t in topics
                if t.path.startswith(page.path) and t.depth == page.depth + 1
            ),
        )
        for page in visible(ThemePage.objects.live().select_related("theme").order_by("theme__sort_order", "path"))
    )
    campaigns = tuple(
        CampaignLink(title=c.title, url=c.get_url(), page_id=c.pk, opens_on=c.opens_on, closes_on=c.closes_on)
        for c in visible(CampaignPage.objects.live().order_by("-year"))[:3]
    )
    stages, resource_types = tuple(Stage.objects.all()), tuple(ResourceType.objects.all())
    return Structure(
        nav=nav,
        theme_cards=cards,
        campaigns=campaigns,
        subjects=tuple(Subject.objects.all()),
        stages=stages,
        resource_types=resource_types,
        restricted_paths=restricted,
        taxonomy={
            "theme": {t.pk: t for t in Theme.objects.select_related("page")},  # the resource page's breadcrumb
            "topic": {t.pk: t for t in Topic.objects.select_related("page")},
            "stage": {s.pk: s for s in stages},
            "resource_type": {t.pk: t for t in resource_types},
            "region": {r.pk: r for r in Region.objects.all()},
        },
    )


def _two_level_get(key: str):
    """An entry from this process's memory (ops.cache.local), else from the shared cache (then kept
    here too). Keys that can go stale carry the structure's version token."""
    if shared_is_local():
        return cache.get(key)
    value = local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            local.set(key, value, LOCAL_SECONDS * 10)
    return value


def _two_level_set(key: str, value, timeout: int | None = None) -> None:
    cache.set(key, value, timeout or _timeout())
    if not shared_is_local():
        local.set(key, value, min(timeout or _timeout(), LOCAL_SECONDS * 10))


def _after_commit_too(action) -> None:
    """Now, and once more when the current transaction commits (a request that read the data in
    between saw it from before the commit)."""
    action()
    transaction.on_commit(action)


# The structure of the current version token, kept in this process as well (key, value, until):
# a page asks for it several times, and fetching and unpickling it from Redis each time costs more
# than its queries would. The key holds the token, read from the shared cache on every call, so an
# edit anywhere replaces it at once; `until` keeps the embedded default's LOCAL_SECONDS.
_in_process: tuple[str, Structure, float] | None = None


def structure() -> Structure:
    global _in_process
    key = f"catalogue:structure:{version(TOKEN_KEY)}"
    held = _in_process
    if held is not None and held[0] == key and time.monotonic() < held[2]:
        return held[1]
    value = cache.get(key)
    if value is None:
        value = _build()
        cache.set(key, value, _timeout())
    _in_process = (key, value, time.monotonic() + min(_timeout(), LOCAL_SECONDS))
    return value


def invalidate(**kwargs) -> None:
    """A new version token for the structure, and a new content version (what changes the
    structure changes kept pages too)."""
    content_changed()
    _after_commit_too(lambda: version_bump(TOKEN_KEY))


def content_changed(**kwargs) -> None:
    """Raise the content version, in the current transaction: kept pages are built again."""
    from .models import ContentVersion

    if not ContentVersion.objects.filter(pk=1).update(number=F("number") + 1):
        ContentVersion.objects.get_or_create(pk=1)  # the first time (or after a flush)
        ContentVersion.objects.filter(pk=1).update(number=F("number") + 1)
    request_memo_forget("content-version")


def content_version() -> int:
    """The content version, read once per request."""
    from .models import ContentVersion

    def read():
        return ContentVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0

    return request_memo("content-version", read)


def counts_changed(**kwargs) -> None:
    """New view / download / play counts were written (indicators' roll-ups): a new counts token."""
    _after_commit_too(lambda: version_bump(COUNTS_TOKEN_KEY))


# --- what visitor pages show, kept with a shared cache ------------------------------------------


def content_cached() -> bool:
    """Whether `content()` keeps what it builds: with a shared cache (production), or when
    settings.CATALOGUE_CONTENT_CACHE says so (the tests that prove the invalidation)."""
    chosen = getattr(settings, "CATALOGUE_CONTENT_CACHE", None)
    return (not shared_is_local()) if chosen is None else bool(chosen)


def content(kind: str, ident: str, build):
    """What `build()` returns (never None), kept in the shared cache and in this process under the
    content version and the counts' token when `content_cached()`; else built every time."""
    if not content_cached():
        return build()
    key = f"catalogue:{kind}:{content_version()}:{version(COUNTS_TOKEN_KEY)}:{ident}"
    value = _two_level_get(key)
    if value is None:
        value = build()
        if value is not None:
            _two_level_set(key, value, CONTENT_SECONDS)
    return value


# --- taxonomy of listed resources -------------------------------------------------------------------

ATTACHED = ("theme", "topic", "stage", "resource_type", "region")


def taxonomy_attach(resources):
    """Give each resource its theme, topic, stage, type and region from the cached structure, so
    that listings need not join five small tables: PostgreSQL's planner spends tens of milliseconds
    on a ten-table join for every listing query (docs/benchmarks.md), SQLite nothing. A relation
    the structure does not know (an edit racing this request) is left to Django's own lookup."""
    from .models import ResourcePage

    resources = list(resources)
    known = structure().taxonomy
    for name in ATTACHED:
        field = ResourcePage._meta.get_field(name)
        objects = known.get(name, {})
        for resource in resources:
            value = objects.get(getattr(resource, field.attname))
            if value is not None and not field.is_cached(resource):
                field.set_cached_value(resource, value)
    return resources


# --- the site and its home page -------------------------------------------------------------------


def site_for_request(request):
    """Wagtail's Site for this request (Site.find_for_request), its root page fetched as its own type,
    and the sites' root paths (Site.get_site_root_paths, kept on the request where Wagtail looks for
    them). Stored with the structure's version token, so publishing, moving or deleting a page, or
    editing a site, replaces them."""
    from wagtail.models import Site

    host = request.get_host()  # validated against ALLOWED_HOSTS: no entry for a forged host
    key = f"catalogue:site:{version(TOKEN_KEY)}:" + hashlib.sha256(f"{host}|{request.get_port()}".encode()).hexdigest()
    cached = _two_level_get(key)
    if cached is None:
        site = Site.find_for_request(request)
        if site is not None:
            site.root_page.localized.specific  # noqa: B018  (cached on the object, and stored with it)
        cached = (site, Site.get_site_root_paths())
        _two_level_set(key, cached)
    if len(cached) > 1:  # what Wagtail reads from the cache for every page URL it builds
        request._wagtail_cached_site_root_paths = cached[1]
    return cached[0]


# --- view restrictions ----------------------------------------------------------------------------


def public(queryset):
    """Wagtail's `queryset.public()` (no page under a view restriction), without its query."""
    paths = structure().restricted_paths
    if not paths:
        return queryset
    return queryset.exclude(reduce(or_, (Q(path__startswith=p) for p in paths)))


def restricted(page) -> bool:
    """Whether the page or one of its ancestors has a view restriction."""
    return any(page.path.startswith(p) for p in structure().restricted_paths)


# --- routing ----------------------------------------------------------------------------------


def _route_key(url_path: str) -> str:
    return "catalogue:route:" + hashlib.sha256(url_path.encode()).hexdigest()[:32]


@functools.cache
def _custom_routes() -> bool:
    """Whether some page type other than the home page has its own `route` (RoutablePageMixin and
    the like): such a page may answer for paths below it, so every lookup goes Wagtail's way."""
    from wagtail.models import Page, get_page_models

    from .models import HomePage

    return any(m.route is not Page.route for m in get_page_models() if m is not HomePage)


def route(root, request, path_components):
    """The page at `path_components` below `root`, found with one query when its id and type are
    cached (with a shared cache, none but the content version's when the page itself is kept:
    `content()`); None when Wagtail's own walk down the tree must decide."""
    if not path_components or _custom_routes():
        return None
    url_path = root.url_path + "/".join(path_components) + "/"
    if content_cached():
        # The page as Wagtail would serve it, with everything its template reads (route_prepare).
        # None (no page there) is not kept: Wagtail's walk decides, as without this cache.
        return content("page", _route_key(url_path)[len("catalogue:route:") :], lambda: _routed(url_path))
    return _routed(url_path)


def _routed(url_path: str):
    from wagtail.models import Page

    key = _route_key(url_path)
    cached = _two_level_get(key)
    if cached is None:
        found = Page.objects.filter(url_path=url_path).values_list("pk", "content_type_id").first()
        if found is None:
            return None
        cached = found
        _two_level_set(key, cached)
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(cached[1]).model_class()
    page = (
        model.objects.select_related(*getattr(model, "route_select_related", ()))
        .filter(pk=cached[0], url_path=url_path)
        .first()
    )
    if page is None:  # moved, renamed or deleted since: forget it, let Wagtail walk
        cache.delete(key)
        local.delete(key)
        return None
    if getattr(model, "route_taxonomy", False):
        taxonomy_attach([page])
    prepare = getattr(page, "route_prepare", None)
    if prepare is not None:
        prepare()
    return page


def connect() -> None:
    from django.db.models.signals import post_delete, post_migrate, post_save
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import Grade, Region, ResourceType, Stage, Subject, Theme, Topic

    page_published.connect(invalidate, dispatch_uid="catalogue.caching.published")
    page_unpublished.connect(invalidate, dispatch_uid="catalogue.caching.unpublished")
    post_page_move.connect(invalidate, dispatch_uid="catalogue.caching.moved")

    def page_deleted(sender, instance, **kwargs):
        if isinstance(instance, Page):
            invalidate()

    post_delete.connect(page_deleted, dispatch_uid="catalogue.caching.page_deleted", weak=False)
    for model in (Theme, Topic, Subject, Stage, ResourceType, Grade, Region, PageViewRestriction, Site):
        uid = f"catalogue.caching.{model.__name__}"
        post_save.connect(invalidate, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(invalidate, sender=model, dispatch_uid=uid + ".delete")

    # What a kept page shows besides the structure (content()): a live resource's own row, its files
    # and gallery, the documents and images they point at (a file replaced, a title or alt text
    # edited), a document's reading copy made after publication, the school shown under it. Drafts
    # and new uploads change nothing a visitor sees. Counts: their own token.
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from .models import DocumentPreview, ResourceFile, ResourceGalleryImage, ResourcePage, School
    from .signals import resource_counts_changed

    def live_page(page_id) -> bool:
        return Page.objects.filter(pk=page_id, live=True).exists()

    def resource_saved(instance, **kwargs):
        if instance.live:
            content_changed()

    def part_changed(instance, **kwargs):
        if live_page(instance.page_id):
            content_changed()

    def preview_changed(instance, **kwargs):
        if ResourceFile.objects.filter(document_id=instance.document_id, page__live=True).exists():
            content_changed()

    def file_saved(created=False, update_fields=None, **kwargs):
        # A new upload is not shown anywhere yet; Wagtail fills in a file's hash and size the first
        # time it needs them: nothing shown changes.
        if created or (update_fields is not None and set(update_fields) <= {"file_hash", "file_size"}):
            return
        content_changed()

    receivers = [
        (ResourcePage, resource_saved, None),
        (ResourceFile, part_changed, part_changed),
        (ResourceGalleryImage, part_changed, part_changed),
        (DocumentPreview, preview_changed, preview_changed),
        (School, content_changed, content_changed),
        (get_document_model(), file_saved, content_changed),
        (get_image_model(), file_saved, content_changed),
    ]
    for model, on_save, on_delete in receivers:
        uid = f"catalogue.caching.content.{model.__name__}"
        post_save.connect(on_save, sender=model, dispatch_uid=uid + ".save", weak=False)
        if on_delete is not None:
            post_delete.connect(on_delete, sender=model, dispatch_uid=uid + ".delete", weak=False)
    resource_counts_changed.connect(counts_changed, dispatch_uid="catalogue.caching.counts")

    def migrated(**kwargs):
        # A deploy: data migrations change pages without these signals, and the new code should
        # not read copies pickled by the old one.
        try:
            with transaction.atomic():
                content_changed()
        except DatabaseError:  # catalogue's tables not migrated yet (a partial migrate)
            pass

    from django.apps import apps

    post_migrate.connect(
        migrated, sender=apps.get_app_config("catalogue"), dispatch_uid="catalogue.caching.migrated", weak=False
    )
