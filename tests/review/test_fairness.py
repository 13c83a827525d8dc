"""Fair review: double-blind expert review, awards the teacher sees only once published, manual
awards kept unless the admin confirms re-applying the thresholds.

The double-blind test renders every page an expert can reach, and every header of every file an
expert can download, with distinctive names in the test data (author, co-author, school, county
reviewer, the names of the uploaded files, a county reason naming the teacher), and asserts none of
them appears."""

from decimal import Decimal
from urllib.parse import unquote

import pytest

from catalogue.models import Role
from review import services
from review.models import CampaignReview, ExpertReview, Notification, ReviewEvent, Stage
from tests import factories
from tests.review import media
from tests.review.conftest import noticed, reviewed

pytestmark = pytest.mark.django_db

AUTHOR, CO_AUTHOR, SCHOOL, REVIEWER = "司马青云", "欧阳紫薇", "遂平县青云实验学校", "诸葛明远"
SECRETS = [AUTHOR, CO_AUTHOR, SCHOOL, "青云实验", "遂平县", REVIEWER, "simaqingyun", "zhuge-reviewer"]


def _named(user, display_name):
    user.profile.display_name = display_name
    user.profile.save()
    return user


@pytest.fixture
def blind(people):
    """A video submission by 司马青云 of 遂平县青云实验学校 whose files carry the author's and the
    school's names; returned once by the county (with a reason naming the teacher), resubmitted,
    approved by 诸葛明远 and now with two experts."""
    teacher = _named(factories.user(Role.TEACHER, username="simaqingyun", region="遂平县", school=SCHOOL), AUTHOR)
    reviewer = _named(factories.user(Role.COUNTY_REVIEWER, username="zhuge-reviewer", region="遂平县"), REVIEWER)
    files = {
        "main_file": factories.upload(f"{AUTHOR}-{SCHOOL}-微课.mp4", media.mp4(colour="4b0082"), "video/mp4"),
        "extra_file": factories.upload(f"{AUTHOR}的教学设计.pdf", media.pdf(), "application/pdf"),
        "cover": factories.upload(f"{CO_AUTHOR}封面.png", media.png(colour=(75, 0, 130)), "image/png"),
    }
    draft = factories.submission(
        teacher=teacher, files=files, title="嵖岈山｜岩石会说话", authors=AUTHOR, co_authors=CO_AUTHOR
    )
    services.submission_submit(submission=draft, user=teacher)
    services.county_decide(submission=draft, user=reviewer, decision="reject", reason=f"{AUTHOR}老师：请补充字幕。")
    services.submission_submit(submission=draft, user=teacher)
    services.county_decide(submission=draft, user=reviewer, decision="approve", reason=f"{SCHOOL}推荐，同意。")
    draft.refresh_from_db()
    reviews = list(ExpertReview.objects.filter(submission=draft).select_related("expert"))
    assert draft.status == Stage.EXPERT_REVIEW and len(reviews) == 2
    return draft, reviews


def _assert_blind(label, text):
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"{label} shows {leaked}"


def _expert_pages(client, submission):
    page = submission.page.get_latest_revision_as_object()
    pages = {
        "desk": client.get("/review/"),
        "detail": client.get(f"/review/{submission.pk}/"),
        "notifications": client.get("/notifications/"),
        "admin dashboard": client.get("/admin/"),
        "admin page search": client.get("/admin/pages/search/", {"q": "岩石会说话"}),
    }
    for resource_file in page.files.all():
        for query in ("", "?download=1"):
            pages[f"file {resource_file.caption}{query}"] = client.get(
                f"/submissions/{submission.pk}/files/{resource_file.document_id}/{query}"
            )
    pages["cover"] = client.get(f"/submissions/{submission.pk}/images/{page.cover_image_id}/")
    return pages


def _check(pages, *, expect_ok=("desk", "detail", "notifications")):
    for label, response in pages.items():
        assert response.status_code in (200, 206, 302, 403), (label, response.status_code)
        if label in expect_ok:
            assert response.status_code == 200, label
        headers = " ".join(f"{k}: {unquote(v)}" for k, v in response.headers.items())  # filename*=UTF-8''…
        _assert_blind(f"{label} headers", headers)
        if response.headers.get("Content-Type", "").startswith("text/html"):
            _assert_blind(label, response.content.decode())


def test_nothing_an_expert_can_reach_names_the_author_school_county_or_reviewer(client, blind):
    submission, reviews = blind
    first, second = reviews
    client.force_login(first.expert)
    pages = _expert_pages(client, submission)
    _check(pages)
    detail = pages["detail"].content.decode()
    # What the expert does see: the work, neutral file names, the checks, the history by role only.
    assert (
        "岩石会说话" in detail
        and f"作品{submission.pk}-主文件.mp4" in detail
        and f"作品{submission.pk}-配套材料.pdf" in detail
    )
    assert "视频分辨率 1280×720" in detail and "县区初审通过" in detail and "县区初审员" in detail
    assert "申报教师" in detail
    download = pages["file 主文件?download=1"]
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert "%E4%BD%9C%E5%93%81" in download["Content-Disposition"]  # 作品… (percent-encoded UTF-8)
    assert pages["cover"].status_code == 200 and pages["cover"]["Content-Type"].startswith("image/")

    # After both experts scored, the history and the other expert's score are visible: still blind.
    standard = submission.campaign.review_settings.standard
    for review, total in ((first, 88), (second, 86)):
        services.expert_score(
            review=review,
            user=review.expert,
            scores={
                c.pk: ((Decimal(c.max_points) * total / 100).quantize(Decimal("0.01")), "")
                for c in standard.criteria.all()
            },
            comment="构图清楚，讲解准确。",
        )
    for review in (first, second):
        client.force_login(review.expert)
        _check(_expert_pages(client, submission))
        assert "另一位专家" in client.get(f"/review/{submission.pk}/").content.decode()


def test_expert_history_has_roles_not_names_and_no_free_text_of_the_teacher_side(client, blind):
    from review import selectors

    submission, reviews = blind
    expert = reviews[0].expert
    rows = selectors.history_for(submission, "expert", viewer=expert)
    actors = {r["actor"] for r in rows}
    assert actors <= {"申报教师", "县区初审员", "系统"}
    assert all(r["detail"] == "" for r in rows if r["actor"] in ("申报教师", "县区初审员"))
    admin_rows = selectors.history_for(submission, "admin")
    assert any(REVIEWER in r["actor"] for r in admin_rows) and any(AUTHOR in r["detail"] for r in admin_rows)
    assert any(expert.username in r["detail"] for r in admin_rows)  # assignments, for the admin only


def test_the_teacher_sees_the_award_only_after_publication(client, people):
    work = reviewed(people, title="嵖岈山｜获奖之前", colour="0b3d0b", total=95)
    assert work.status == Stage.SELECTED and work.award == "first"
    client.force_login(people.teacher)

    def teacher_pages():
        return "".join(
            client.get(url).content.decode() for url in (f"/submit/{work.pk}/", "/submit/", "/notifications/")
        )

    assert "一等奖" not in teacher_pages() and "95.00" in teacher_pages()
    publicity = noticed(people, [work])
    assert "一等奖" not in teacher_pages() and "公示" in teacher_pages()
    assert not Notification.objects.filter(user=people.teacher, message__contains="一等奖").exists()
    services.submissions_publish(submissions=[work], user=people.admin)
    assert "一等奖" in client.get(f"/submit/{work.pk}/").content.decode()
    assert publicity.items.get().award == "first"


def test_thresholds_keep_manual_awards_unless_the_admin_confirms(client, people):
    top = reviewed(people, title="嵖岈山｜手动奖项", colour="7f0000", total=95)
    mid = reviewed(people, title="嵖岈山｜分数线奖项", colour="007f00", total=80)
    assert (top.award, mid.award) == ("first", "third")
    client.force_login(people.admin)
    client.post("/review/selection/", {"year": 2026, "action": "awards", f"award_{top.pk}": "second"})
    top.refresh_from_db()
    assert (top.award, top.award_manual) == ("second", True)
    CampaignReview.objects.filter(campaign=people.campaign).update(third_prize_min=Decimal("81"))

    page = client.post("/review/selection/", {"year": 2026, "action": "thresholds"}).content.decode()
    assert "按分数线评定奖项：请确认" in page and "嵖岈山｜手动奖项" in page and "二等奖" in page and "一等奖" in page
    assert "另有 1 件作品的奖项将按分数线更新" in page
    top.refresh_from_db(), mid.refresh_from_db()
    assert (top.award, mid.award) == ("second", "third")  # nothing before confirming

    client.post("/review/selection/", {"year": 2026, "action": "thresholds_confirm"})
    top.refresh_from_db(), mid.refresh_from_db()
    assert (top.award, mid.award) == ("second", "merit")  # the manual award is kept

    page = client.post("/review/selection/", {"year": 2026, "action": "thresholds"}).content.decode()
    assert "嵖岈山｜手动奖项" in page
    client.post("/review/selection/", {"year": 2026, "action": "thresholds_confirm", "overwrite": [top.pk]})
    top.refresh_from_db()
    assert (top.award, top.award_manual) == ("first", False)
    awards = list(ReviewEvent.objects.filter(submission=top, action="set_award").values_list("data", flat=True))
    assert [a["manual"] for a in awards] == [True, False]
    # With no manual award in the way, the thresholds apply at once.
    response = client.post("/review/selection/", {"year": 2026, "action": "thresholds"})
    assert response.status_code == 302
