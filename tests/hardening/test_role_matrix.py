"""The role × action matrix for the security review: for anonymous visitors and every role, each
page, admin view and API endpoint the product has, allowed or refused as the rules say — and where a
page is allowed, no draft, other-region submission or expert identity leaks into it.

Allowed means 200. Refused means 403 or 404, or a redirect away from the page (to a login page or
to the admin home with a permission message) — never the content.
"""

from decimal import Decimal

import pytest

from catalogue.models import HomePage, Role
from review import services as review_services
from review.models import ExpertReview
from tests import factories
from tests.review.conftest import good_files, noticed, people, reviewed, submitted  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db

A, D = "allow", "deny"
ROLES = ["anon", "teacher", "teacher2", "reviewer", "reviewer2", "expert", "expert_other", "admin", "student", "parent"]
DRAFT_TITLE = "嵖岈山｜尚未发布的草稿"


@pytest.fixture
def world(people, submitted, site_pages):  # noqa: F811 — pytest fixtures imported above
    """A published resource, a teacher's private draft, a submission of 遂平县 in expert review with
    two experts assigned, and a submission of 驿城区 waiting for its county review."""
    published = factories.resource(title="嵖岈山｜已入库的微课")
    draft = factories.submission(teacher=people.teacher, files=good_files("草稿", colour="777777"), title=DRAFT_TITLE)
    in_expert = review_services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    assigned = list(ExpertReview.objects.filter(submission=in_expert).select_related("expert"))
    assert len(assigned) == 2
    assigned_ids = {r.expert_id for r in assigned}
    other_expert = next(e for e in (people.expert1, people.expert2, people.expert3) if e.pk not in assigned_ids)
    other_region = review_services.submission_submit(
        submission=factories.submission(
            teacher=people.teacher2,
            files=good_files("驿城", colour="225588"),
            title="老乐山｜驿城区的申报",
            topic="老乐山",
        ),
        user=people.teacher2,
    )
    parent = factories.user(Role.PARENT, username="parent-1")
    in_notice = reviewed(people, title="嵖岈山｜公示中的作品", colour="5c4033", total=90)
    publicity = noticed(people, [in_notice], ended=False)
    review_services.objection_file(submission=in_notice, user=people.student, reason="请核实片中素材是否获得授权。")
    accounts = {
        "anon": None,
        "teacher": people.teacher,
        "teacher2": people.teacher2,
        "reviewer": people.reviewer,
        "reviewer2": people.reviewer2,
        "expert": assigned[0].expert,
        "expert_other": other_expert,
        "admin": people.admin,
        "student": people.student,
        "parent": parent,
    }
    return {
        "published": published,
        "draft": draft,
        "in_expert": in_expert,
        "other_region": other_region,
        "experts": [r.expert for r in assigned],
        "accounts": accounts,
        "campaign": people.campaign,
        "publicity": publicity,
        "in_notice": in_notice,
    }


def row(allowed: set[str]):
    return {role: (A if role in allowed else D) for role in ROLES}


EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anon"}
# Teachers work in the guided form (/submit/), not the Wagtail admin.
ADMIN_USERS = {"reviewer", "reviewer2", "expert", "expert_other", "admin"}
DESK_USERS = {"reviewer", "reviewer2", "expert", "expert_other", "admin"}


def matrix(w):
    """(label, url, who may)."""
    published, draft, in_expert, other = w["published"], w["draft"], w["in_expert"], w["other_region"]
    notice = w["publicity"]
    cover = in_expert.page.get_latest_revision_as_object().cover_image_id
    pub_file = None
    if published.files.exists():
        pub_file = published.files.first()
    draft_doc = draft.page.files.first()
    return [
        ("home", "/", row(EVERYONE)),
        ("topic page", "/natural-scenery/chayashan/", row(EVERYONE)),
        ("published resource", published.url, row(EVERYONE)),
        ("draft resource's public URL", draft.page.url_path.replace("/home", "", 1), row(set())),
        ("search page", "/search/?q=嵖岈山", row(EVERYONE)),
        ("search API", "/api/search/?q=嵖岈山", row(EVERYONE)),
        ("suggest API", "/api/search/suggest/?q=cys", row(EVERYONE)),
        ("pages API", "/api/v2/pages/?type=catalogue.ResourcePage", row(EVERYONE)),
        ("pages API, the draft", f"/api/v2/pages/{draft.page.pk}/", row(set())),
        ("draft's file, public URL", f"/files/{draft_doc.pk}/{draft_doc.filename}", row({"admin"})),
        (
            "draft's file, submission preview",
            f"/submissions/{draft.pk}/files/{draft_doc.document_id}/",
            row({"teacher", "admin"}),
        ),
        (
            "submission file on the desk",
            f"/submissions/{in_expert.pk}/files/{in_expert.page.get_latest_revision_as_object().files.first().document_id}/",
            row({"teacher", "reviewer", "expert", "admin"}),
        ),
        (
            "submission image on the desk",
            f"/submissions/{in_expert.pk}/images/{cover}/",
            row({"teacher", "reviewer", "expert", "admin"}),
        ),
        ("withdraw (POST only)", f"/submit/{in_expert.pk}/withdraw/", row(set())),
        ("public notice (公示)", f"/publicity/{notice.pk}/", row(EVERYONE)),
        ("objection form", f"/publicity/{notice.pk}/objection/", row(SIGNED_IN)),
        ("notice management", f"/review/publicity/{notice.pk}/", row({"admin"})),
        ("published result", f"/review/selection/published/?ids={w['in_notice'].pk}", row({"admin"})),
        ("teacher's submissions", "/submit/", row({"teacher", "teacher2"})),
        ("new submission form", "/submit/new/", row({"teacher", "teacher2"})),
        ("a teacher's draft submission", f"/submit/{draft.pk}/", row({"teacher"})),
        ("edit a teacher's draft", f"/submit/{draft.pk}/edit/", row({"teacher"})),
        ("submission in expert review (teacher view)", f"/submit/{in_expert.pk}/", row({"teacher"})),
        ("review desk", "/review/", row(DESK_USERS)),
        ("遂平县 submission on the desk", f"/review/{in_expert.pk}/", row({"reviewer", "expert", "admin"})),
        ("驿城区 submission on the desk", f"/review/{other.pk}/", row({"reviewer2", "admin"})),
        ("selection", "/review/selection/", row({"admin"})),
        ("campaign export", f"/review/selection/{w['campaign'].year}/export.csv", row({"admin"})),
        ("history export", f"/review/selection/{w['campaign'].year}/export.history.csv", row({"admin"})),
        ("expert comments export", f"/review/selection/{w['campaign'].year}/export.comments.csv", row({"admin"})),
        ("notifications", "/notifications/", row(SIGNED_IN)),
        ("admin dashboard", "/admin/", row(ADMIN_USERS)),
        ("admin: edit the draft page", f"/admin/pages/{draft.page.pk}/edit/", row({"admin"})),
        ("admin: page explorer", f"/admin/pages/{HomePage.objects.get().pk}/", row({"admin"})),
        ("admin: images", "/admin/images/", row({"admin"})),
        ("admin: documents", "/admin/documents/", row({"admin"})),
        ("admin: taxonomy", "/admin/snippets/catalogue/theme/", row({"admin"})),
        ("admin: user roles", "/admin/snippets/catalogue/userprofile/", row({"admin"})),
        ("admin: users", "/admin/users/", row({"admin"})),
        ("admin: groups", "/admin/groups/", row(set())),  # superusers only
        ("admin: workflows", "/admin/workflows/list/", row({"admin"})),
        # Wagtail's site history names other counties' drafts and their authors: resource admins only
        # (tests/accounts/test_admin_scope.py walks every admin URL for leaks).
        ("admin: site history", "/admin/reports/site-history/", row({"admin"})),
    ] + ([("published file", f"/files/{pub_file.pk}/{pub_file.filename}", row(EVERYONE))] if pub_file else [])


def outcome(response, url) -> str:
    if response.status_code == 200:
        return A
    if response.status_code in (403, 404, 405):
        return D
    if response.status_code in (301, 302):
        return D if response["Location"].split("?")[0] != url.split("?")[0] else A
    return f"HTTP {response.status_code}"


def test_role_action_matrix(client, world):
    failures = []
    leaks = []
    expert_names = {n for e in world["experts"] for n in (e.username, e.profile.display_name) if n}
    for label, url, expected in matrix(world):
        for role, want in expected.items():
            user = world["accounts"][role]
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            got = outcome(response, url)
            if got != want:
                failures.append(f"{label} [{role}] {url}: expected {want}, got {got}")
            if got == A and response.get("Content-Type", "").startswith(("text/html", "application/json")):
                body = response.content.decode()
                if DRAFT_TITLE in body and role not in ("teacher", "admin"):
                    leaks.append(f"draft title visible to {role} on {label}")
                if role in ("teacher", "teacher2", "student", "parent", "anon"):
                    for name in expert_names:
                        if name in body:
                            leaks.append(f"expert identity {name!r} visible to {role} on {label}")
                if role not in ("reviewer2", "admin") and "老乐山｜驿城区的申报" in body and role != "teacher2":
                    leaks.append(f"驿城区 submission visible to {role} on {label}")
                if role != "admin" and "请核实片中素材" in body and not (role == "student" and "公示" in label):
                    leaks.append(f"someone else's objection visible to {role} on {label}")
    assert not failures, "\n".join(failures)
    assert not leaks, "\n".join(leaks)


def test_wrong_role_actions_are_refused_with_403(client, world, people):  # noqa: F811
    """Not only hidden buttons: posting a decision as the wrong role answers 403 and changes nothing."""
    other = world["other_region"]
    for role in ("teacher", "teacher2", "reviewer", "expert", "student", "parent"):
        client.force_login(world["accounts"][role])
        response = client.post(f"/review/{other.pk}/", {"action": "county", "decision": "approve", "reason": "越权"})
        assert response.status_code == 403, role
    other.refresh_from_db()
    assert other.status == "county_review"
    assert world["in_expert"].final_score is None or world["in_expert"].final_score == Decimal("0")
