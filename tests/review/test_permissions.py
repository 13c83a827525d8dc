"""Scope and conflict rules: the server refuses (HTTP 403), whatever the buttons show."""

import pytest
from django.core.exceptions import PermissionDenied

from catalogue.models import Role
from review import services
from review.models import ExpertReview, Stage
from tests import factories
from tests.review.conftest import good_files

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_county_reviewer_cannot_see_or_act_on_another_region(client, people, submitted):
    _login(client, people.reviewer2)  # 驿城区; the submission is from 遂平县
    assert client.get(f"/review/{submitted.pk}/").status_code == 403
    response = client.post(f"/review/{submitted.pk}/", {"action": "county", "decision": "approve", "reason": ""})
    assert response.status_code == 403
    assert submitted.title not in client.get("/review/").content.decode()
    with pytest.raises(PermissionDenied):
        services.county_decide(submission=submitted, user=people.reviewer2, decision="approve")
    submitted.refresh_from_db()
    assert submitted.status == Stage.COUNTY_REVIEW
    # Wagtail's own workflow machinery agrees: no actions, nothing to moderate.
    task = submitted.page.current_workflow_task
    assert task.get_actions(submitted.page, people.reviewer2) == []
    assert not task.get_task_states_user_can_moderate(people.reviewer2).exists()
    assert task.get_task_states_user_can_moderate(people.reviewer).exists()


def test_own_region_reviewer_sees_the_queue_and_decides(client, people, submitted):
    _login(client, people.reviewer)
    assert submitted.title in client.get("/review/").content.decode()
    page = client.get(f"/review/{submitted.pk}/").content.decode()
    assert "技术检测结果" in page and "视频分辨率 1280×720" in page
    response = client.post(f"/review/{submitted.pk}/", {"action": "county", "decision": "reject", "reason": ""})
    assert "退回修改或不予通过时，必须填写理由。" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Stage.COUNTY_REVIEW
    client.post(f"/review/{submitted.pk}/", {"action": "county", "decision": "approve", "reason": "符合要求"})
    submitted.refresh_from_db()
    assert submitted.status == Stage.EXPERT_REVIEW


def test_expert_is_never_assigned_own_school_and_cannot_score_it(client, people):
    own = factories.user(Role.CITY_EXPERT, username="same-school-expert", region="遂平县", school="遂平县第一初级中学")
    draft = factories.submission(teacher=people.teacher, files=good_files())
    submission = services.submission_submit(submission=draft, user=people.teacher)
    services.county_decide(submission=submission, user=people.reviewer, decision="approve")
    assigned = set(ExpertReview.objects.filter(submission=submission).values_list("expert_id", flat=True))
    assert own.pk not in assigned and len(assigned) == 2
    assert own not in services.expert_candidates(submission=submission)
    # An admin cannot reassign to them either.
    review = ExpertReview.objects.filter(submission=submission).first()
    with pytest.raises(services.SubmissionError) as refused:
        services.expert_reassign(review=review, new_expert=own, user=people.admin)
    assert "专家不能评审本校作品，请另选专家。" in refused.value.messages
    # And the review desk refuses them.
    _login(client, own)
    assert client.get(f"/review/{submission.pk}/").status_code == 403
    assert client.post(f"/review/{submission.pk}/", {"action": "score"}).status_code == 403


def test_unassigned_expert_gets_403(client, people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    assigned = set(ExpertReview.objects.filter(submission=submitted).values_list("expert_id", flat=True))
    outsider = next(e for e in (people.expert1, people.expert2, people.expert3) if e.pk not in assigned)
    _login(client, outsider)
    assert client.get(f"/review/{submitted.pk}/").status_code == 403
    review = ExpertReview.objects.filter(submission=submitted).first()
    with pytest.raises(PermissionDenied):
        services.expert_score(review=review, user=outsider, scores={}, comment="x")


def test_experts_are_blind_to_each_other_until_they_submit(client, people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    first, second = ExpertReview.objects.filter(submission=submitted).select_related("expert")
    standard = submitted.campaign.review_settings.standard
    services.expert_score(
        review=first,
        user=first.expert,
        scores={c.pk: (c.max_points - 3, "") for c in standard.criteria.all()},
        comment="甲的评语",
    )
    _login(client, second.expert)
    page = client.get(f"/review/{submitted.pk}/").content.decode()
    assert "甲的评语" not in page and "85.00" not in page
    assert first.expert.username not in page
    _login(client, first.expert)
    page = client.get(f"/review/{submitted.pk}/").content.decode()
    assert "甲的评语" in page
    assert second.expert.username not in page
    # Once both have scored, each sees the other's score, still without a name.
    services.expert_score(
        review=second,
        user=second.expert,
        scores={c.pk: (c.max_points - 4, "") for c in standard.criteria.all()},
        comment="乙的评语",
    )
    page = client.get(f"/review/{submitted.pk}/").content.decode()
    assert "另一位专家" in page and "乙的评语" in page
    assert second.expert.username not in page


def test_teacher_cannot_see_another_teachers_draft_or_files(client, people):
    draft = factories.submission(teacher=people.teacher2, files=good_files())
    document_id = draft.page.get_latest_revision_as_object().files.first().document_id
    _login(client, people.teacher)
    assert client.get(f"/submit/{draft.pk}/").status_code == 403
    assert client.get(f"/submit/{draft.pk}/edit/").status_code == 403
    assert client.post(f"/submit/{draft.pk}/submit/").status_code == 403
    assert client.get(f"/submissions/{draft.pk}/files/{document_id}/").status_code == 403
    assert draft.title not in client.get("/submit/").content.decode()
    # Nor can the public: the draft page is not live.
    client.logout()
    assert client.get(f"/campaign-2026/{draft.page.slug}/").status_code == 404
    assert draft.title not in client.get("/campaign-2026/").content.decode()


def test_teacher_never_sees_an_expert_name(client, people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    standard = submitted.campaign.review_settings.standard
    for review in ExpertReview.objects.filter(submission=submitted).select_related("expert__profile"):
        services.expert_score(
            review=review,
            user=review.expert,
            scores={c.pk: (c.max_points - 2, "") for c in standard.criteria.all()},
            comment="建议补充字幕",
        )
    _login(client, people.teacher)
    page = client.get(f"/submit/{submitted.pk}/").content.decode()
    assert "建议补充字幕" in page and "评审专家" in page
    for expert in (people.expert1, people.expert2, people.expert3):
        assert expert.username not in page
        assert expert.profile.display_name not in page
    notes = client.get("/notifications/").content.decode()
    assert all(e.username not in notes for e in (people.expert1, people.expert2, people.expert3))
    # Wagtail's page workflow history does not name the experts either.
    from wagtail.models import TaskState

    expert_states = TaskState.objects.filter(
        workflow_state__object_id=str(submitted.page_id), task__name="市级专家评审"
    )
    assert expert_states.exists() and not expert_states.filter(finished_by__isnull=False).exists()


@pytest.mark.parametrize(
    ("role", "url", "method"),
    [
        ("student", "/submit/", "get"),
        ("student", "/submit/new/", "get"),
        ("student", "/review/", "get"),
        ("teacher", "/review/", "get"),
        ("teacher", "/review/selection/", "get"),
        ("teacher", "/review/selection/", "post"),
        ("reviewer", "/review/selection/", "post"),
        ("expert1", "/review/selection/", "get"),
        ("expert1", "/submit/new/", "get"),
        ("reviewer", "/review/selection/2026/export.xlsx", "get"),
    ],
)
def test_wrong_role_gets_403(client, people, role, url, method):
    _login(client, getattr(people, role))
    response = getattr(client, method)(url, {"action": "publish"} if method == "post" else None)
    assert response.status_code == 403


def test_teacher_cannot_act_as_reviewer_on_own_work(client, people, submitted):
    _login(client, people.teacher)
    assert client.get(f"/review/{submitted.pk}/").status_code == 403
    response = client.post(f"/review/{submitted.pk}/", {"action": "county", "decision": "approve"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.submissions_publish(submissions=[submitted], user=people.teacher)


def test_county_reviewer_cannot_publish_or_score(people, submitted):
    with pytest.raises(PermissionDenied):
        services.submissions_publish(submissions=[submitted], user=people.reviewer)
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    review = ExpertReview.objects.filter(submission=submitted).first()
    with pytest.raises(PermissionDenied):
        services.expert_score(review=review, user=people.reviewer, scores={}, comment="x")


def test_teacher_is_sent_to_the_guided_form_from_wagtails_editor(client, people):
    draft = factories.submission(teacher=people.teacher, files=good_files())
    _login(client, people.teacher)
    response = client.get(f"/admin/pages/{draft.page_id}/edit/")
    assert response.status_code == 302 and response["Location"] == "/submit/"
    # The admin report is refused the same way: a redirect away, never its content.
    response = client.get("/admin/review-report/")
    assert response.status_code == 302 and response["Location"] == "/submit/"


def test_wagtail_dashboard_lists_what_each_reviewer_may_moderate(client, people, submitted):
    """Wagtail's own "awaiting your review" panel uses our tasks' scope rules (never for experts)."""
    _login(client, people.reviewer)
    assert submitted.title in client.get("/admin/").content.decode()
    _login(client, people.reviewer2)
    assert submitted.title not in client.get("/admin/").content.decode()
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    assigned = ExpertReview.objects.filter(submission=submitted).first().expert
    _login(client, assigned)
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    from wagtail.models import TaskState

    # Double-blind: the panel names who submitted the revision, so experts work from the review desk.
    assert not TaskState.objects.reviewable_by(assigned).exists()
    assert people.teacher.username not in dashboard.content.decode()
    assert not TaskState.objects.reviewable_by(people.teacher).exists()


def test_the_people_told_and_assigned_come_from_the_permission_table(people, submitted):
    """Who hears about a submission and who may be assigned: catalogue.permissions.holders, the same
    table `can` reads (a pending teacher is nobody's submitter, a superuser nobody's expert)."""
    from catalogue.models import Confirmation, Region
    from catalogue.permissions import Ability, holders
    from review.notify import county_reviewers, resource_admins

    boss = factories.user(Role.RESOURCE_ADMIN, username="boss", region=None, is_superuser=True)
    waiting = factories.user(Role.TEACHER, username="waiting", region="遂平县", school="遂平县第一初级中学")
    waiting.profile.confirmation = Confirmation.PENDING
    waiting.profile.save(update_fields=["confirmation"])
    root = factories.user(Role.STUDENT, username="root", is_superuser=True)

    assert set(county_reviewers(submitted)) == {people.reviewer}
    assert set(holders(Ability.REVIEW_COUNTY, region=Region.objects.get(name="驿城区"))) == {people.reviewer2}
    assert set(resource_admins()) == {people.admin, boss}
    assert set(holders(Ability.SCORE)) == {people.expert1, people.expert2, people.expert3}
    assert root not in holders(Ability.SCORE) and root not in resource_admins()
    assert set(holders(Ability.SUBMIT)) == {people.teacher, people.teacher2}
    # Teacher confirmation is city-wide for the resource admin, own county for a reviewer.
    suiping = Region.objects.get(name="遂平县")
    assert set(holders(Ability.CONFIRM_TEACHERS, region=suiping)) == {people.reviewer, people.admin, boss}
