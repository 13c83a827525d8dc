"""Writes for the catalogue: accounts and their roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .models import ROLE_GROUP_NAMES, Role, UserProfile


@transaction.atomic
def profile_set(*, user, role: str, region=None, school=None, display_name: str | None = None) -> UserProfile:
    """Give `user` a role (and region/school) and put them in exactly that role's group."""
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
    profile.full_clean(exclude=["user"])
    profile.save()
    role_groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=ROLE_GROUP_NAMES[Role(role)]))
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


# --- the page tree -------------------------------------------------------------------------


def _publish(page):
    page.save_revision().publish()
    return page


def home_page():
    from .models import HomePage

    return HomePage.objects.get()


@transaction.atomic
def taxonomy_pages_sync():
    """Give every theme and topic its public page (created and published when missing).

    Called after taxonomy edits in the admin, and by seed_demo and import_resources, so a topic
    added for a new campaign has its page without a deploy.
    """
    from .models import Theme, ThemePage, TopicPage

    home = home_page()
    created = 0
    for theme in Theme.objects.prefetch_related("topics"):
        theme_page = ThemePage.objects.filter(theme=theme).first()
        if theme_page is None:
            theme_page = ThemePage(title=theme.name, slug=theme.slug, theme=theme, intro=f"<p>{_esc(theme.description)}</p>")
            home.add_child(instance=theme_page)
            _publish(theme_page)
            created += 1
        for topic in theme.topics.all():
            if not TopicPage.objects.filter(topic=topic).exists():
                topic_page = TopicPage(title=topic.name, slug=topic.slug, topic=topic, intro=f"<p>{_esc(topic.description)}</p>")
                theme_page.add_child(instance=topic_page)
                _publish(topic_page)
                created += 1
    return created


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
