"""Who may do what: the one module that decides it.

Every role has a set of named abilities (`Ability`), some of them limited to the role's own region
(a county reviewer reviews, confirms teachers and reads indicators of their own 县区 only). Views,
admin hooks, selectors and templates ask `can(user, Ability.X)`; templates read the same answers
through the `abilities` context processor (`{% if can.submit %}`), never a role string.

The Django groups Wagtail's permission checks read are derived from `ROLE_GROUPS` below by
`catalogue.services.role_groups_sync`, which `migrate` runs (post_migrate): editing this table and
migrating is the way to change what a role may do in the admin.

Power: an account may manage only accounts of strictly lower power (`POWER`), and assign only roles
of strictly lower power. A superuser is above every role; nobody but a superuser creates, edits or
grants superuser rights, staff flags, permission groups or raw permissions.
"""

import re
from enum import StrEnum

from .models.accounts import ROLE_GROUP_NAMES, Role

__all__ = [
    "Ability",
    "POWER",
    "ROLE_ABILITIES",
    "ROLE_GROUPS",
    "abilities_of",
    "admin_view_allowed",
    "account_pending",
    "assignable_roles",
    "can",
    "holders",
    "landing_url",
    "may_manage_account",
    "needs_two_factor",
    "power_of",
    "region_scope",
    "role_of",
]


class Ability(StrEnum):
    ACCESS_ADMIN = "access_admin"  # the Wagtail admin (dashboard, their workflow tasks, reports)
    SUBMIT = "submit"  # the teacher's submission form (/submit/); a confirmed teacher only
    USE_REVIEW_DESK = "use_review_desk"  # the review desk (/review/)
    REVIEW_COUNTY = "review_county"  # first review of their own region's submissions
    SCORE = "score"  # rubric scores of assigned submissions
    RUN_CAMPAIGNS = "run_campaigns"  # selection, awards, campaign reports, workflows, quality standards
    PUBLISH = "publish"  # publish pages into the catalogue
    SEE_ALL_DRAFTS = "see_all_drafts"  # every unpublished page in admin lists, choosers and searches
    MANAGE_TAXONOMY = "manage_taxonomy"  # themes, topics, subjects, regions, schools
    MANAGE_ACCOUNTS = "manage_accounts"  # accounts of lower power, and the sign-in mapping tables
    CONFIRM_TEACHERS = "confirm_teachers"  # confirm a federated teacher's school (own region for reviewers)
    SEE_INDICATORS = "see_indicators"  # the indicator dashboard and exports (own region for reviewers)


# Abilities a county reviewer holds only for their own region (`can(..., region=...)`).
REGION_SCOPED = {Ability.REVIEW_COUNTY, Ability.CONFIRM_TEACHERS, Ability.SEE_INDICATORS}
# Roles whose region-scoped abilities stop at their own region (the others hold them city-wide).
REGION_LIMITED_ROLES = {Role.COUNTY_REVIEWER}

ROLE_ABILITIES: dict[str, frozenset[Ability]] = {
    Role.STUDENT: frozenset(),
    Role.PARENT: frozenset(),
    Role.TEACHER: frozenset({Ability.SUBMIT}),
    Role.COUNTY_REVIEWER: frozenset(
        {
            Ability.ACCESS_ADMIN,
            Ability.USE_REVIEW_DESK,
            Ability.REVIEW_COUNTY,
            Ability.CONFIRM_TEACHERS,
            Ability.SEE_INDICATORS,
        }
    ),
    Role.CITY_EXPERT: frozenset({Ability.ACCESS_ADMIN, Ability.USE_REVIEW_DESK, Ability.SCORE}),
    Role.RESOURCE_ADMIN: frozenset(
        {
            Ability.ACCESS_ADMIN,
            Ability.USE_REVIEW_DESK,
            Ability.RUN_CAMPAIGNS,
            Ability.PUBLISH,
            Ability.SEE_ALL_DRAFTS,
            Ability.MANAGE_TAXONOMY,
            Ability.MANAGE_ACCOUNTS,
            Ability.CONFIRM_TEACHERS,
            Ability.SEE_INDICATORS,
        }
    ),
}

# An account manages only accounts of strictly lower power. Superusers are above all roles.
POWER = {
    Role.STUDENT: 10,
    Role.PARENT: 10,
    Role.TEACHER: 20,
    Role.COUNTY_REVIEWER: 30,
    Role.CITY_EXPERT: 30,
    Role.RESOURCE_ADMIN: 40,
}
SUPERUSER_POWER = 100

# Roles whose sign-in needs a second factor where TWO_FACTOR_REQUIRED is on (等保 2.0 level 3).
TWO_FACTOR_ROLES = {Role.COUNTY_REVIEWER, Role.CITY_EXPERT, Role.RESOURCE_ADMIN}

# Where each role lands after signing in (a safe `next` wins).
LANDING = {
    Role.TEACHER: "/submit/",
    Role.COUNTY_REVIEWER: "/review/",
    Role.CITY_EXPERT: "/review/",
    Role.RESOURCE_ADMIN: "/admin/",
}


# The Wagtail admin views (by URL name) open to accounts that enter the admin without seeing every
# draft: county reviewers and experts. They review, preview and decide on the review desk (/review/),
# which applies the region and conflict-of-interest rules; in the admin they have the dashboard, their
# account, the (scoped) page chooser and the indicator dashboard (its own region scope). Wagtail's
# site history and workflow screens name other counties' drafts and their authors, so every other
# admin view sends them back to the dashboard, whatever permission check that view itself may forget
# (catalogue.middleware.AdminAccessRedirectMiddleware).
LIMITED_ADMIN_VIEWS = re.compile(
    r"^(wagtailadmin_home|wagtailadmin_account(_.*)?|wagtailadmin_login|wagtailadmin_logout"
    r"|wagtailadmin_password_reset(_.*)?|wagtailadmin_javascript_catalog|wagtailadmin_sprite|wagtailadmin_icons"
    r"|wagtailadmin_choose_page(_.*)?|wagtailadmin_dismissibles|wagtailadmin_editing_sessions:.*"
    r"|indicators_dashboard|indicators_export|review_admin_.*)$"
)


def admin_view_allowed(user, url_name: str) -> bool:
    """May `user` open the admin view named `url_name`? (Wagtail's own checks still apply.)"""
    if not can(user, Ability.ACCESS_ADMIN):
        return False
    if can(user, Ability.SEE_ALL_DRAFTS):
        return True
    return bool(LIMITED_ADMIN_VIEWS.match(url_name or ""))


def role_of(user) -> str:
    """The user's role ("" for anonymous visitors and accounts without a profile)."""
    if user is None or not user.is_authenticated:
        return ""
    profile = getattr(user, "profile", None)
    return profile.role if profile else ""


def _profile(user):
    return getattr(user, "profile", None) if user is not None and user.is_authenticated else None


def abilities_of(user) -> frozenset[Ability]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Ability)
    profile = _profile(user)
    if profile is None:
        return frozenset()
    abilities = ROLE_ABILITIES.get(profile.role, frozenset())
    if Ability.SUBMIT in abilities and not profile.is_confirmed:
        abilities = abilities - {Ability.SUBMIT}
    return abilities


def can(user, ability: Ability | str, *, region=None) -> bool:
    """May `user` do `ability`? For region-scoped abilities of a county reviewer, pass the region
    (a Region or its id) the action concerns; without one the answer is "in some region"."""
    ability = Ability(ability)
    if ability not in abilities_of(user):
        return False
    if user.is_superuser or region is None or ability not in REGION_SCOPED:
        return True
    scope = region_scope(user, ability)
    if scope is ALL_REGIONS:
        return True
    region_id = getattr(region, "pk", region)
    return scope is not None and region_id == scope


ALL_REGIONS = object()


def region_scope(user, ability: Ability | str):
    """ALL_REGIONS, one region id, or None (no access) for a region-scoped ability."""
    ability = Ability(ability)
    if ability not in abilities_of(user):
        return None
    if user.is_superuser or role_of(user) not in REGION_LIMITED_ROLES:
        return ALL_REGIONS
    return _profile(user).region_id  # a reviewer without a region sees nothing


def holders(ability: Ability | str, *, region=None):
    """The active accounts whose role gives them `ability` (for `region`, where it is region-scoped):
    the people to tell, assign or list, e.g. `holders(Ability.REVIEW_COUNTY, region=r)` = the
    county reviewers of r, `holders(Ability.SCORE)` = the city experts. Superusers hold every
    ability but are nobody's reviewer or expert: they are not included (unless their role is)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .models.accounts import Confirmation

    ability = Ability(ability)
    roles = [role for role, abilities in ROLE_ABILITIES.items() if ability in abilities]
    people = get_user_model()._default_manager.filter(is_active=True, profile__role__in=roles)
    if ability == Ability.SUBMIT:
        people = people.filter(profile__confirmation=Confirmation.CONFIRMED)
    if region is not None and ability in REGION_SCOPED:
        region_id = getattr(region, "pk", region)
        people = people.filter(~Q(profile__role__in=REGION_LIMITED_ROLES) | Q(profile__region_id=region_id))
    return people


def power_of(user) -> int:
    if user is None or not getattr(user, "pk", None):
        return 0
    if user.is_superuser:
        return SUPERUSER_POWER
    profile = getattr(user, "profile", None)
    return POWER.get(profile.role, 0) if profile else 0


def assignable_roles(actor) -> list[str]:
    """The roles `actor` may give an account: those of strictly lower power."""
    if not can(actor, Ability.MANAGE_ACCOUNTS):
        return []
    power = power_of(actor)
    return [role for role in Role if POWER[role] < power]


def may_manage_account(actor, target) -> bool:
    """May `actor` edit, deactivate or delete `target`'s account? Never an account of equal or
    higher power (another resource admin, a superuser); a superuser may manage any account."""
    if not can(actor, Ability.MANAGE_ACCOUNTS):
        return False
    if actor.is_superuser:
        return True
    return power_of(target) < power_of(actor)


def needs_two_factor(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or role_of(user) in TWO_FACTOR_ROLES))


def account_pending(user) -> bool:
    """A teacher whose school the county has not confirmed yet (may browse, may not submit)."""
    profile = _profile(user)
    return bool(profile is not None and profile.role == Role.TEACHER and not profile.is_confirmed)


def landing_url(user) -> str:
    if user is not None and user.is_authenticated and user.is_superuser:
        return "/admin/"
    return LANDING.get(role_of(user), "/")


# --- Wagtail groups, derived --------------------------------------------------------------------
# Model permissions are "app_label.codename"; page permissions are granted on the home page and
# collection permissions on the root collection. Permissions of apps that are not installed are
# skipped. Teachers, pupils and parents never enter the admin: the guided form and the public site
# are theirs (a teacher with "add page" saw other teachers' drafts in the explorer and reports).
_TAXONOMY_MODELS = ("theme", "topic", "subject", "stage", "grade", "resourcetype", "region", "school")
_CRUD = ("add", "change", "delete", "view")
_REVIEW_ADMIN_MODELS = ("qualitystandard", "campaignreview", "expertprofile")

ROLE_GROUPS: dict[str, dict[str, list[str]]] = {
    ROLE_GROUP_NAMES[Role.TEACHER]: {"model": [], "page": [], "collection": []},
    ROLE_GROUP_NAMES[Role.STUDENT]: {"model": [], "page": [], "collection": []},
    ROLE_GROUP_NAMES[Role.PARENT]: {"model": [], "page": [], "collection": []},
    ROLE_GROUP_NAMES[Role.COUNTY_REVIEWER]: {"model": ["wagtailadmin.access_admin"], "page": [], "collection": []},
    ROLE_GROUP_NAMES[Role.CITY_EXPERT]: {"model": ["wagtailadmin.access_admin"], "page": [], "collection": []},
    ROLE_GROUP_NAMES[Role.RESOURCE_ADMIN]: {
        "model": [
            "wagtailadmin.access_admin",
            "auth.add_user",
            "auth.change_user",
            "auth.view_user",
            "wagtailcore.add_workflow",
            "wagtailcore.change_workflow",
            "wagtailcore.add_task",
            "wagtailcore.change_task",
        ]
        + [f"catalogue.{action}_{model}" for model in _TAXONOMY_MODELS for action in _CRUD]
        # Profiles are created with their account (设置 → 用户, imports, federated sign-in), never alone.
        + ["catalogue.change_userprofile", "catalogue.view_userprofile"]
        + [f"indicators.{action}_denominator" for action in _CRUD]
        + [
            f"review.{action}_{model}"
            for model in _REVIEW_ADMIN_MODELS
            for action in _CRUD
            if not (model == "qualitystandard" and action == "delete")
        ]
        + [f"accounts.{action}_{model}" for model in ("regionmapping", "schoolmapping") for action in _CRUD]
        # 平台互联: SUSHI API keys, and the monthly push deliveries (read and 重新发送).
        + [f"interop.{action}_sushiconsumer" for action in _CRUD]
        + ["interop.change_pushdelivery", "interop.view_pushdelivery"]
        # 搜索同义词 (README: 管理员可在后台“搜索同义词”中维护同义词).
        + [f"search.{action}_synonym" for action in _CRUD],
        "page": ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"],
        "collection": [
            "add_image",
            "change_image",
            "delete_image",
            "choose_image",
            "add_document",
            "change_document",
            "delete_document",
            "choose_document",
        ],
    },
}
