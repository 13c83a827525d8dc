"""Writes for the catalogue: accounts and their roles, the role groups, the page tree, the reader's
favourites and learning history."""

import math

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import ROLE_GROUP_NAMES, Confirmation, Role, UserProfile


@transaction.atomic
def profile_set(
    *,
    user,
    role: str,
    region=None,
    school=None,
    display_name: str | None = None,
    confirmation: str | None = None,
) -> UserProfile:
    """Give `user` a role (and region/school) and put them in exactly that role's group.

    Who may call this for whom is decided by the caller through catalogue.permissions (the admin
    forms, the confirmation page, imports run by staff); every change of role, region, school or
    confirmation is written to the audit log with before and after (ops.audit).
    """
    if school is not None and region is None:
        region = school.region
    try:
        profile = user.profile  # update the instance the caller holds, so it is never stale
    except UserProfile.DoesNotExist:
        profile = UserProfile(user=user)
    profile.role = role
    profile.region = region
    profile.school = school
    if display_name is not None:
        profile.display_name = display_name
    if confirmation is not None:
        profile.confirmation = confirmation
    profile.full_clean(exclude=["user", "confirmed_by"])
    profile.save()
    role_group = Group.objects.get(name=ROLE_GROUP_NAMES[Role(role)])
    other_role_groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values()).exclude(pk=role_group.pk)
    stale = list(user.groups.filter(pk__in=other_role_groups))
    if stale:
        user.groups.remove(*stale)
    if not user.groups.filter(pk=role_group.pk).exists():
        user.groups.add(role_group)
    return profile


@transaction.atomic
def profile_confirm(*, profile: UserProfile, by, confirmed: bool) -> UserProfile:
    """A county reviewer (own region) or resource admin confirms a federated teacher's school."""
    profile.confirmation = Confirmation.CONFIRMED if confirmed else Confirmation.REJECTED
    profile.confirmed_by = by
    profile.confirmed_at = timezone.now()
    profile.save(update_fields=["confirmation", "confirmed_by", "confirmed_at"])
    return profile


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, region=None, school=None, display_name: str = "", email: str = ""
):
    User = get_user_model()
    user = User(username=username, email=email, first_name=display_name[:150])
    user.set_password(password)
    user.save()
    profile_set(user=user, role=role, region=region, school=school, display_name=display_name)
    return user


@transaction.atomic
def role_groups_sync(*, verbosity: int = 0, stdout=None) -> dict[str, dict[str, list[str]]]:
    """Make the role groups hold exactly the permissions catalogue.permissions.ROLE_GROUPS names.

    Run by `migrate` (post_migrate) and by `manage.py sync_role_groups`. Returns what changed per
    group: {"added": [...], "removed": [...]}. Permissions of apps that are not installed are skipped.
    """
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    from .models import HomePage
    from .permissions import ROLE_GROUPS

    home = HomePage.objects.first()
    root_collection = Collection.get_first_root_node()
    changes = {}
    for name, spec in ROLE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        added, removed = [], []

        wanted = set()
        for dotted in spec["model"]:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.add(perm.pk)
        held = set(group.permissions.values_list("pk", flat=True))
        if wanted - held:
            group.permissions.add(*(wanted - held))
            added += [f"model:{p}" for p in _perm_names(wanted - held)]
        if held - wanted:
            group.permissions.remove(*(held - wanted))
            removed += [f"model:{p}" for p in _perm_names(held - wanted)]

        if home is not None:
            page_perms = {
                p.codename: p
                for p in Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=spec["page"])
            }
            existing = GroupPagePermission.objects.filter(group=group)
            for gpp in existing:
                if gpp.page_id != home.pk or gpp.permission.codename not in page_perms:
                    removed.append(f"page:{gpp.page_id}:{gpp.permission.codename}")
                    gpp.delete()
            for codename, perm in page_perms.items():
                _obj, made = GroupPagePermission.objects.get_or_create(group=group, page=home, permission=perm)
                if made:
                    added.append(f"page:{home.pk}:{codename}")

        if root_collection is not None:
            coll_perms = {
                p.codename: p
                for p in Permission.objects.filter(
                    content_type__app_label__in=["wagtailimages", "wagtaildocs"], codename__in=spec["collection"]
                )
            }
            for gcp in GroupCollectionPermission.objects.filter(group=group):
                if gcp.collection_id != root_collection.pk or gcp.permission.codename not in coll_perms:
                    removed.append(f"collection:{gcp.collection_id}:{gcp.permission.codename}")
                    gcp.delete()
            for codename, perm in coll_perms.items():
                _obj, made = GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=perm
                )
                if made:
                    added.append(f"collection:{root_collection.pk}:{codename}")
        if added or removed:
            changes[name] = {"added": sorted(added), "removed": sorted(removed)}
            if verbosity and stdout is not None:
                stdout.write(f"{name}: +{len(added)} -{len(removed)} {changes[name]}\n")
    return changes


def _perm_names(pks) -> list[str]:
    return sorted(
        f"{app}.{codename}"
        for app, codename in Permission.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
    )


# --- the page tree -------------------------------------------------------------------------


def _publish(page):
    page.save_revision().publish()
    return page


def home_page():
    from .models import HomePage

    return HomePage.objects.get()


@transaction.atomic
def taxonomy_pages_sync():
    """Give every theme and topic its public page, and keep the pages in step with the taxonomy.

    A missing page is created and published; a page whose theme or topic was renamed (name or
    网址别名) gets the new title and slug in a new published revision (Wagtail keeps a redirect
    from the old address); a topic moved to another theme moves its page there. Called from the
    admin's snippet hooks (catalogue.wagtail_hooks) after every theme or topic edit, and by
    seed_demo and import_resources, so a topic added for a new campaign has its page at once.
    Returns the number of pages created or changed.
    """
    from .models import Theme, ThemePage, TopicPage

    home = home_page()
    changed = 0
    for theme in Theme.objects.prefetch_related("topics"):
        theme_page = ThemePage.objects.filter(theme=theme).first()
        if theme_page is None:
            theme_page = ThemePage(
                title=theme.name, slug=theme.slug, theme=theme, intro=f"<p>{_esc(theme.description)}</p>"
            )
            home.add_child(instance=theme_page)
            _publish(theme_page)
            changed += 1
        elif _follow_name(theme_page, theme):
            changed += 1
        for topic in theme.topics.all():
            topic_page = TopicPage.objects.filter(topic=topic).first()
            if topic_page is None:
                topic_page = TopicPage(
                    title=topic.name, slug=topic.slug, topic=topic, intro=f"<p>{_esc(topic.description)}</p>"
                )
                theme_page.add_child(instance=topic_page)
                _publish(topic_page)
                changed += 1
                continue
            if not topic_page.is_child_of(theme_page):
                topic_page.move(theme_page, pos="last-child")
                topic_page.refresh_from_db()
                changed += 1
            if _follow_name(topic_page, topic):
                changed += 1
    return changed


def _follow_name(page, item) -> bool:
    """Give `page` its theme's or topic's current name and slug (published); False when in step."""
    if page.title == item.name and page.slug == item.slug:
        return False
    page = page.get_latest_revision_as_object()
    page.title = item.name
    page.draft_title = item.name
    page.slug = item.slug
    _publish(page)
    return True


def _esc(text: str) -> str:
    from django.utils.html import escape

    return escape(text or "")


def plain_text_to_rich_text(text: str) -> str:
    """Imported descriptions are plain text: escape them and keep paragraphs."""
    paragraphs = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n") if p.strip()]
    return "".join(f"<p>{_esc(p)}</p>" for p in paragraphs)


@transaction.atomic
def campaign_ensure(*, year: int):
    """The campaign page of `year`, created (published, closed dates of that year) when missing."""
    import datetime

    from .models import CampaignPage, Theme

    campaign = CampaignPage.objects.filter(year=year).first()
    if campaign:
        return campaign
    campaign = CampaignPage(
        title=f"{year}年驻马店市中小学特色数字资源征集活动",
        slug=f"campaign-{year}",
        year=year,
        opens_on=datetime.date(year, 3, 1),
        closes_on=datetime.date(year, 6, 30),
    )
    home_page().add_child(instance=campaign)
    campaign.themes.set(Theme.objects.all())
    _publish(campaign)
    return campaign


@transaction.atomic
def national_index_ensure():
    from .models import ResourceIndexPage

    index_page = ResourceIndexPage.objects.filter(slug="national").first()
    if index_page:
        return index_page
    index_page = ResourceIndexPage(
        title="国家优质资源",
        slug="national",
        intro="<p>来自国家中小学智慧教育平台等国家级平台的优质资源，与地方特色资源配合使用。</p>",
    )
    home_page().add_child(instance=index_page)
    return _publish(index_page)


# --- readable addresses -----------------------------------------------------------------------


def resource_slug_make_readable(*, page) -> str | None:
    """Give a resource published under a draft slug (s2026-75bdb814add5) a readable pinyin slug,
    unique among its siblings (its campaign). The old address redirects to the new one (Wagtail's
    redirects, created on the slug change). Returns the new slug, or None when nothing changed."""
    from wagtail.models import Page

    from .naming import DRAFT_SLUG, readable_slug

    page = Page.objects.get(pk=page.pk).specific
    if not DRAFT_SLUG.match(page.slug or ""):
        return None
    taken = set(page.get_siblings(inclusive=False).values_list("slug", flat=True))
    page.slug = readable_slug(page.title, taken, fallback=f"resource-{page.pk}")
    page.save(clean=False)  # updates url_path and sends page_slug_changed (the redirect)
    # Later revisions start from the latest one: it must carry the new address too.
    revision = page.latest_revision
    if revision is not None:
        revision.content["slug"] = page.slug
        revision.content["url_path"] = page.url_path
        revision.save(update_fields=["content"])
    return page.slug


# --- the reader's favourites and learning history -------------------------------------------


def favourite_set(*, user, resource, on: bool) -> bool:
    """Add `resource` to or remove it from `user`'s favourites (idempotent). Returns the new state."""
    from .models import Favourite

    if on:
        try:
            with transaction.atomic():
                Favourite.objects.get_or_create(user=user, resource=resource)
        except IntegrityError:  # the same click twice at once: it is there
            pass
        return True
    Favourite.objects.filter(user=user, resource=resource).delete()
    return False


def learning_visit_record(*, user, resource) -> None:
    """Note that `user` opened `resource` now (学习记录)."""
    _learning_upsert(user=user, resource=resource, changes={"visits": F("visits") + 1}, defaults={"visits": 1})


class ProgressError(ValueError):
    pass


MAX_MEDIA_SECONDS = 24 * 3600


def learning_progress_record(*, user, resource, resource_file, position: float, duration: float) -> None:
    """Remember where `user` stopped playing `resource_file` (a video or audio of `resource`)."""
    from .models import ResourceFile

    if resource_file.page_id != resource.pk or resource_file.kind not in (
        ResourceFile.Kind.VIDEO,
        ResourceFile.Kind.AUDIO,
    ):
        raise ProgressError("file does not belong to the resource or is not media")
    if not all(math.isfinite(v) for v in (position, duration)):
        raise ProgressError("position and duration must be numbers")
    duration = min(max(duration, 0.0), MAX_MEDIA_SECONDS)
    position = max(position, 0.0)
    if duration:
        position = min(position, duration)
    fields = {"file": resource_file, "position": round(position, 1), "duration": round(duration, 1)}
    _learning_upsert(user=user, resource=resource, changes=fields, defaults={**fields, "visits": 1})


def _learning_upsert(*, user, resource, changes: dict, defaults: dict) -> None:
    from .models import LearningRecord

    now = timezone.now()
    rows = LearningRecord.objects.filter(user=user, resource=resource)
    if rows.update(last_visited_at=now, **changes):
        return
    try:
        with transaction.atomic():
            LearningRecord.objects.create(user=user, resource=resource, last_visited_at=now, **defaults)
    except IntegrityError:  # created by a parallel request since: update that row
        rows.update(last_visited_at=now, **changes)
