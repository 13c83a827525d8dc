"""Every admin URL, for every role: no escalation, no leaked title.

The URLs come from Django's URL resolver (every pattern under /admin/, with each parameter filled
from the objects below), not from a hand list, so a view added by a Wagtail upgrade or another app
is walked too. Each is fetched plainly and with `?q=草稿` (choosers, searches and listings search).

- Escalation: a 200 answer on a view outside what the role may use. Reviewers and experts may use
  only the dashboard, their account settings, choosers, the site-history and workflow reports and
  the review app's own admin pages; teachers, pupils and parents no admin view at all; the resource
  admin everything except the superuser's screens (groups, sites, other accounts' API tokens) and
  accounts of equal or higher power.
- Leak: a distinctive unpublished title (or an author's name or school, for experts) in a 200 page
  of a role that may not see it.
"""

import itertools
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.models import Page, Revision, TaskState, WorkflowState

from catalogue.models import ResourcePage, Role
from review import services as review_services
from review.models import ExpertReview
from tests import factories
from tests.review.conftest import good_files, people, submitted  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db

TITLE_SUIPING_DRAFT = "遂平县｜甲号未发布草稿"
TITLE_SUIPING_REVIEW = "遂平县｜丙号专家评审中"
TITLE_YICHENG = "驿城区｜乙号待初审申报"
TITLE_REVISION = "丁号已发布资源的未发布新标题"
SCHOOLS = ["遂平县第一初级中学", "驿城区实验小学"]


def admin_patterns():
    """(url name, route with <converters>) for every URL under /admin/."""
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                found.append((name, route))

    walk(get_resolver().url_patterns, "", "")
    return [(n, r) for n, r in found if r.startswith("admin/")]


PARAM = re.compile(r"<(?:(?P<conv>[a-z_]+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def fill(route: str, values: dict, limit: int = 16) -> list[str]:
    """Every URL the route gives with the candidate values of its parameters (at most `limit`)."""
    names = [m.group("name") or m.group("rname") for m in PARAM.finditer(route)]
    choices = [values.get(name) or values["__int__" if _looks_int(name) else "__str__"] for name in names]
    urls = []
    for combo in itertools.islice(itertools.product(*choices), limit):
        url = _join(route, combo)
        url = url.replace("^", "").replace("$", "").replace("\\", "")
        urls.append("/" + url)
    return urls


def _join(route: str, combo) -> str:
    out, last = [], 0
    for match, value in zip(PARAM.finditer(route), combo, strict=True):
        out += [route[last : match.start()], str(value)]
        last = match.end()
    return "".join(out) + route[last:]


def _looks_int(name: str) -> bool:
    return name in ("pk", "id", "object_id") or name.endswith("_id") or name.endswith("_pk")


@pytest.fixture
def world(people, submitted, site_pages):  # noqa: F811
    suiping_draft = factories.submission(
        teacher=people.teacher, files=good_files("甲", colour="776611"), title=TITLE_SUIPING_DRAFT
    )
    in_expert = review_services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    page = in_expert.page
    page.title = page.draft_title = TITLE_SUIPING_REVIEW
    page.save(update_fields=["title", "draft_title"])
    yicheng = review_services.submission_submit(
        submission=factories.submission(
            teacher=people.teacher2, files=good_files("乙", colour="115577"), title=TITLE_YICHENG, topic="老乐山"
        ),
        user=people.teacher2,
    )
    published = factories.resource(title="丁号已发布资源")
    revision = published.get_latest_revision_as_object()
    revision.title = TITLE_REVISION
    revision.save_revision()
    expert = ExpertReview.objects.filter(submission=in_expert).select_related("expert").first().expert
    superuser = factories.user(Role.RESOURCE_ADMIN, username="root", region="", is_superuser=True)
    other_admin = factories.user(Role.RESOURCE_ADMIN, username="ziyuan2", region="")
    doc = suiping_draft.page.files.first().document
    ints = [
        suiping_draft.page.pk,
        yicheng.page.pk,
        in_expert.page.pk,
        doc.pk,
        suiping_draft.page.cover_image_id,
        superuser.pk,
        other_admin.pk,
        people.teacher.pk,
    ]
    pairs = [("catalogue", "resourcepage"), ("catalogue", "userprofile"), ("auth", "user")]
    pages = [suiping_draft.page.pk, yicheng.page.pk, in_expert.page.pk, published.pk]
    revisions = list(Revision.objects.filter(object_id__in=[str(pk) for pk in pages]).values_list("pk", flat=True)[:4])
    values = {
        "__int__": list(dict.fromkeys(ints)),
        "page_id": pages,
        "parent_page_id": [suiping_draft.page.get_parent().pk],
        "page_to_move_id": pages[:2],
        "destination_id": [suiping_draft.page.get_parent().pk],
        "page_pk": pages,
        "image_id": [suiping_draft.page.cover_image_id],
        "document_id": [doc.pk],
        "doc_id": [doc.pk],
        "user_id": [superuser.pk, other_admin.pk, people.teacher.pk],
        "revision_id": revisions,
        "revision_id_a": revisions[:2],
        "revision_id_b": revisions[:2],
        "task_state_id": list(TaskState.objects.values_list("pk", flat=True)[:3]),
        "workflow_state_id": list(WorkflowState.objects.values_list("pk", flat=True)[:3]),
        "__str__": ["x"],
        "app_label": sorted({a for a, _m in pairs}),
        "model_name": sorted({m for _a, m in pairs}),
        "action": ["assign_role", "set_active_state", "delete", "publish", "unpublish", "move"],
    }
    accounts = {
        "reviewer": people.reviewer,
        "reviewer2": people.reviewer2,
        "expert": expert,
        "ziyuan": people.admin,
        "teacher": people.teacher,
        "student": people.student,
        "parent": factories.user(Role.PARENT, username="parent-x"),
    }
    return {"values": values, "accounts": accounts, "superuser": superuser, "other_admin": other_admin}


def forbidden_strings(role: str) -> list[str]:
    teachers = ["wangjing", "lihua"]
    return {
        "reviewer": [TITLE_YICHENG, TITLE_REVISION],
        "reviewer2": [TITLE_SUIPING_DRAFT, TITLE_SUIPING_REVIEW, TITLE_REVISION],
        "expert": [TITLE_SUIPING_DRAFT, TITLE_YICHENG, TITLE_REVISION, *teachers, *SCHOOLS],
        "teacher": [TITLE_YICHENG, TITLE_SUIPING_REVIEW, TITLE_REVISION],
        "student": [TITLE_SUIPING_DRAFT, TITLE_YICHENG, TITLE_SUIPING_REVIEW, TITLE_REVISION],
        "parent": [TITLE_SUIPING_DRAFT, TITLE_YICHENG, TITLE_SUIPING_REVIEW, TITLE_REVISION],
        "ziyuan": [],
    }[role]


# Pages open to anyone (the login form and its password reset, the admin's translation catalogue).
PUBLIC = re.compile(r"^(wagtailadmin_login|wagtailadmin_password_reset.*|wagtailadmin_javascript_catalog)$")
# What each role may reach in the admin (a 200 anywhere else is an escalation), by URL name.
REVIEWER_MAY = re.compile(
    r"^(wagtailadmin_home|wagtailadmin_account.*|wagtailadmin_choose_page.*|wagtailadmin_chooser.*"
    r"|wagtailadmin_reports:site_history.*|wagtailadmin_reports:workflow.*|wagtailadmin_jsi18n|wagtailadmin_sprite"
    r"|wagtailadmin_icons|wagtailadmin_tag_autocomplete|wagtailadmin_logout|wagtailadmin_login"
    r"|wagtailadmin_pages:workflow_preview|wagtailadmin_pages:workflow_history.*|review_admin_.*"
    r"|wagtailadmin_home_.*|wagtailadmin_dismissibles|wagtailadmin_editing_sessions:.*)$"
)
# Superusers' own screens.
SUPERUSER_ONLY = re.compile(r"^(wagtailusers_groups:.*|wagtailsites:.*|wagtailadmin_api_tokens:.*)$")


def escalation(role: str, name: str, url: str, world) -> bool:
    if PUBLIC.match(name):
        return False
    if role in ("teacher", "student", "parent"):
        return True
    if role in ("reviewer", "reviewer2", "expert"):
        return not REVIEWER_MAY.match(name)
    # ziyuan: everything a resource admin runs, never the superuser's screens or higher accounts.
    if SUPERUSER_ONLY.match(name):
        return True
    if name.startswith(("wagtailusers_users:", "wagtailsnippets_catalogue_userprofile:")) and any(
        f"/{pk}/" in url for pk in (world["superuser"].pk, world["other_admin"].pk)
    ):
        return name.endswith((":edit", ":delete"))
    return False


def test_every_admin_url_for_every_role(world):
    from django.test import Client

    client = Client(raise_request_exception=False)
    patterns = [(n, r) for n, r in admin_patterns() if n != "wagtailadmin_error_test"]  # raises on purpose
    assert len(patterns) > 150, "the resolver walk found too few admin URLs"
    escalations, leaks, errors, walked = [], [], [], 0
    for role, account in world["accounts"].items():
        client.force_login(account)
        forbidden = forbidden_strings(role)
        for name, route in patterns:
            # Teachers, pupils and parents are turned away from every admin URL before any view
            # runs; the resource admin may see every draft, so for them only the account and
            # superuser screens matter. Reviewers and experts get every candidate object.
            if role in ("teacher", "student", "parent"):
                limit = 1
            elif role == "ziyuan":
                limit = (
                    16
                    if re.match(
                        r"^(wagtailusers_|wagtailsnippets_catalogue_userprofile|wagtailsites|wagtailadmin_api_tokens)",
                        name,
                    )
                    else 1
                )
            else:
                limit = 16
            searchable = role not in ("teacher", "student", "parent") and re.search(
                r"(search|choose|chooser|index|results|report|listing|history)", name
            )
            for url in fill(route, world["values"], limit):
                variants = (url, url + ("&" if "?" in url else "?") + "q=草稿") if searchable else (url,)
                for full in variants:
                    response = client.get(full)
                    walked += 1
                    if response.status_code >= 500:
                        errors.append(f"{role}: HTTP {response.status_code} {name} {full}")
                    if response.status_code != 200:
                        continue
                    if escalation(role, name, url, world):
                        escalations.append(f"{role}: {name} {full}")
                    if forbidden and response.get("Content-Type", "").startswith(("text/html", "application/json")):
                        body = response.content.decode(errors="replace")
                        if response["Content-Type"].startswith("application/json"):
                            body = json.dumps(response.json(), ensure_ascii=False)  # titles as text, not escapes
                        for text in forbidden:
                            if text in body:
                                leaks.append(f"{role}: {text!r} in {name} {full}")
        client.logout()
    print(f"walked {walked} admin URL requests over {len(patterns)} patterns")
    assert not escalations, "\n".join(sorted(set(escalations)))
    assert not errors, "\n".join(sorted(set(errors)))
    assert not leaks, "\n".join(sorted(set(leaks)))


def test_the_county_reviewer_searches_the_page_chooser_without_seeing_another_countys_draft(client, world):
    """The report's own example: 驿城区's reviewer searches the page chooser for 草稿."""
    client.force_login(world["accounts"]["reviewer2"])
    for q in ("草稿", "遂平县", "甲号"):
        body = client.get("/admin/choose-page/search/", {"q": q}).content.decode()
        assert TITLE_SUIPING_DRAFT not in body and TITLE_SUIPING_REVIEW not in body
    root = Page.objects.get(depth=1)
    body = client.get(f"/admin/choose-page/{ResourcePage.objects.first().get_parent().pk}/").content.decode()
    assert TITLE_SUIPING_DRAFT not in body
    assert client.get(f"/admin/choose-page/{root.pk}/").status_code == 200
    # The resource admin does see every draft where Wagtail lists them.
    client.force_login(world["accounts"]["ziyuan"])
    assert TITLE_SUIPING_DRAFT in client.get("/admin/choose-page/search/", {"q": "甲号"}).content.decode()
