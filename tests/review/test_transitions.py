"""The state machine from where people start: the real pages and form field names, every role,
allowed and refused. Asserts on the stored state, the review history and Wagtail's workflow rows."""

import datetime

import pytest
from wagtail.models import TaskState, WorkflowState

from review import services, transitions
from review.models import ExpertReview, Notification, ReviewEvent, Stage, Submission
from review.services import files as file_checks
from review.signals import file_checks_finished
from tests import factories
from tests.review import media
from tests.review.conftest import good_files

pytestmark = pytest.mark.django_db


def _workflow(submission):
    """(workflow state status, current task name, task state status) of the submission's page."""
    state = WorkflowState.objects.filter(object_id=str(submission.page_id)).order_by("-id").first()
    if state is None:
        return None
    task_state = state.current_task_state
    return state.status, task_state.task.name if task_state else None, task_state.status if task_state else None


def _events(submission, action=None):
    qs = ReviewEvent.objects.filter(submission=submission)
    return qs.filter(action=action) if action else qs


@pytest.fixture
def draft(people):
    return factories.submission(teacher=people.teacher, files=good_files())


def test_submit_over_http_once_and_a_double_submit_changes_nothing(client, people, draft):
    client.force_login(people.teacher)
    response = client.post(f"/submit/{draft.pk}/submit/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Stage.COUNTY_REVIEW and draft.round == 1
    assert _workflow(draft) == ("in_progress", "县区初审", "in_progress")
    again = client.post(f"/submit/{draft.pk}/submit/", follow=True)
    assert "作品已提交，正在评审中。" in again.content.decode()
    draft.refresh_from_db()
    assert draft.round == 1 and _events(draft, "submit").count() == 1
    assert WorkflowState.objects.filter(object_id=str(draft.page_id)).count() == 1


def test_nobody_else_may_submit_or_withdraw(client, people, draft):
    for user in (people.teacher2, people.reviewer, people.expert1, people.admin, people.student):
        client.force_login(user)
        assert client.post(f"/submit/{draft.pk}/submit/").status_code == 403
        assert client.post(f"/submit/{draft.pk}/withdraw/").status_code == 403
    client.logout()
    assert client.post(f"/submit/{draft.pk}/submit/").status_code == 302  # to the login page
    draft.refresh_from_db()
    assert draft.status == Stage.DRAFT and not _events(draft).exists()


def test_withdraw_before_the_county_decides_then_edit_and_submit_again(client, people, submitted):
    client.force_login(people.teacher)
    detail = client.get(f"/submit/{submitted.pk}/").content.decode()
    assert "撤回申报" in detail and 'name="reason"' in detail
    response = client.post(f"/submit/{submitted.pk}/withdraw/", {"reason": "想再补充一段实验画面"}, follow=True)
    assert "已撤回" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Stage.WITHDRAWN and submitted.is_editable_by_teacher
    assert _workflow(submitted)[0] == "cancelled"
    assert Notification.objects.filter(user=people.reviewer, kind="withdrawn").exists()
    assert _events(submitted, "withdraw").get().reason == "想再补充一段实验画面"
    # The county reviewer's desk no longer offers it.
    client.force_login(people.reviewer)
    assert client.get(f"/review/{submitted.pk}/").status_code == 403
    desk = client.get("/review/")
    assert submitted not in list(desk.context["pending"]) and submitted not in list(desk.context["done"])
    # Editable again, and it can be submitted again (a new workflow at county review).
    client.force_login(people.teacher)
    assert client.get(f"/submit/{submitted.pk}/edit/").status_code == 200
    services.submission_save(
        teacher=people.teacher, submission=submitted, data=factories.submission_data(title="补充了实验画面"), files={}
    )
    client.post(f"/submit/{submitted.pk}/submit/")
    submitted.refresh_from_db()
    assert submitted.status == Stage.COUNTY_REVIEW and submitted.round == 2
    assert _workflow(submitted) == ("in_progress", "县区初审", "in_progress")
    assert WorkflowState.objects.filter(object_id=str(submitted.page_id)).count() == 2


def test_no_withdrawal_once_the_county_decided(client, people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    client.force_login(people.teacher)
    assert "撤回申报" not in client.get(f"/submit/{submitted.pk}/").content.decode()
    response = client.post(f"/submit/{submitted.pk}/withdraw/", follow=True)
    assert "县区初审员已作出决定，评审已经开始，不能撤回。" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Stage.EXPERT_REVIEW and not _events(submitted, "withdraw").exists()


def test_withdrawn_first_submission_cannot_be_resubmitted_after_the_closing_date(client, people, submitted):
    services.submission_withdraw(submission=submitted, user=people.teacher)
    campaign = people.campaign
    campaign.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    campaign.save_revision().publish()
    client.force_login(people.teacher)
    response = client.post(f"/submit/{submitted.pk}/submit/", follow=True)
    assert "现在不在征集时间内，不能提交" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Stage.WITHDRAWN


def test_work_returned_before_may_be_withdrawn_and_resubmitted_after_closing(people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="reject", reason="请补充字幕")
    services.submission_submit(submission=submitted, user=people.teacher)
    services.submission_withdraw(submission=submitted, user=people.teacher)
    campaign = people.campaign
    campaign.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    campaign.save_revision().publish()
    assert services.submission_submit(submission=submitted, user=people.teacher).status == Stage.COUNTY_REVIEW


def test_county_decisions_from_the_desk_and_the_wrong_roles(client, people, submitted):
    for user in (people.teacher, people.reviewer2, people.expert1, people.student):
        client.force_login(user)
        response = client.post(f"/review/{submitted.pk}/", {"action": "county", "decision": "approve", "reason": ""})
        assert response.status_code == 403
    client.force_login(people.reviewer)
    response = client.post(f"/review/{submitted.pk}/", {"action": "county", "decision": "decline", "reason": ""})
    assert "退回修改或不予通过时，必须填写理由。" in response.content.decode()
    client.post(f"/review/{submitted.pk}/", {"action": "county", "decision": "approve", "reason": "同意"})
    submitted.refresh_from_db()
    assert submitted.status == Stage.EXPERT_REVIEW
    assert _workflow(submitted) == ("in_progress", "市级专家评审", "in_progress")
    # A second decision (a double click, or a stale page) is refused: the state was read again.
    response = client.post(f"/review/{submitted.pk}/", {"action": "county", "decision": "reject", "reason": "再看看"})
    assert "该作品当前不在县区初审环节。" in response.content.decode()
    with pytest.raises(services.SubmissionError, match="不在县区初审环节"):
        services.county_decide(submission=submitted, user=people.reviewer, decision="reject", reason="再看看")
    assert _events(submitted, "county_approve").count() == 1


def test_expert_actions_and_refusals(client, people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    first, second = ExpertReview.objects.filter(submission=submitted).select_related("expert")
    standard = submitted.campaign.review_settings.standard
    form = {"action": "score", "comment": "讲解清楚"} | {
        f"score_{c.pk}": c.max_points - 1 for c in standard.criteria.all()
    }
    client.force_login(people.reviewer)
    assert client.post(f"/review/{submitted.pk}/", form).status_code == 403
    client.force_login(first.expert)
    assert client.post(f"/review/{submitted.pk}/", form).status_code == 302
    again = client.post(f"/review/{submitted.pk}/", form, follow=True)
    assert "这项评审已结束或已提交。" in again.content.decode() or again.status_code == 200
    assert ExpertReview.objects.get(pk=first.pk).scores.count() == standard.criteria.count()
    # The admin reassigns the pending one; the old expert is refused from then on.
    outsider = people.expert3 if people.expert3 not in (first.expert, second.expert) else people.expert1
    client.force_login(people.admin)
    client.post(f"/review/{submitted.pk}/", {"action": "reassign", "review": second.pk, "expert": outsider.pk})
    assert ExpertReview.objects.get(pk=second.pk).status == "withdrawn"
    client.force_login(second.expert)
    assert client.post(f"/review/{submitted.pk}/", form).status_code == 403
    client.force_login(outsider)
    client.post(f"/review/{submitted.pk}/", {"action": "return", "reason": "片头版权音乐需替换"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.returned_by_stage) == (Stage.RETURNED, "expert")
    assert _workflow(submitted) == ("needs_changes", "市级专家评审", "rejected")
    assert TaskState.objects.get(pk=submitted.page.workflow_states.get().current_task_state_id).finished_by is None


def test_wagtail_admin_action_goes_through_the_state_machine(client, people, submitted):
    """Wagtail's dashboard buttons are adapters: on_action applies the transition. County reviewers
    decide on the review desk: the admin's workflow screens send them back to the dashboard
    (catalogue.permissions.LIMITED_ADMIN_VIEWS) and change nothing; a superuser (who holds every
    ability) uses the dashboard's buttons, which go through the state machine."""
    task_state = submitted.page.current_workflow_task_state
    url = f"/admin/pages/workflow/action/{submitted.page_id}/reject/{task_state.pk}/"
    client.force_login(people.reviewer)
    response = client.post(url, {"comment": "请补充字幕"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    submitted.refresh_from_db()
    assert submitted.status == Stage.COUNTY_REVIEW and not _events(submitted, "county_return").exists()
    root = factories.user(
        factories.Role.RESOURCE_ADMIN, username="root-adapter", region=None, is_superuser=True, is_staff=True
    )
    client.force_login(root)
    client.post(url, {"comment": ""}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    submitted.refresh_from_db()
    assert submitted.status == Stage.COUNTY_REVIEW  # the reason is required in Wagtail's dialog too
    response = client.post(url, {"comment": "请补充字幕"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reason) == (Stage.RETURNED, "请补充字幕")
    event = _events(submitted, "county_return").get()
    assert (event.actor, event.from_state, event.to_state) == (root, "county_review", "returned")


def test_wagtails_editor_cannot_change_a_submission_under_review(client, people, submitted):
    root = factories.user(
        factories.Role.RESOURCE_ADMIN, username="root-1", region=None, is_superuser=True, is_staff=True
    )
    client.force_login(root)
    assert client.get(f"/admin/pages/{submitted.page_id}/edit/").status_code == 200
    response = client.post(f"/admin/pages/{submitted.page_id}/edit/", {"action-cancel-workflow": "1", "title": "x"})
    assert response.status_code == 302 and response["Location"] == f"/review/{submitted.pk}/"
    submitted.refresh_from_db()
    assert submitted.status == Stage.COUNTY_REVIEW and _workflow(submitted)[0] == "in_progress"


def _pending(monkeypatch):
    """The intake side reports files still being checked (待检测) until `ready()` is called."""
    real = file_checks.files_verdict
    state = {"pending": True}

    def verdict(submission, page, *, standard):
        result = real(submission, page, standard=standard)
        if state["pending"]:
            result.ready, result.pending = False, ["微课.mp4"]
        return result

    monkeypatch.setattr(file_checks, "files_verdict", verdict)
    return lambda: state.update(pending=False)


def _documents(submission):
    return [f.document_id for f in submission.page.get_latest_revision_as_object().files.all()]


def test_pending_checks_park_the_submission_until_file_checks_finished(client, people, draft, monkeypatch):
    ready = _pending(monkeypatch)
    client.force_login(people.teacher)
    client.post(f"/submit/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert draft.status == Stage.CHECKING and draft.checking_from == Stage.DRAFT and draft.round == 0
    assert _workflow(draft) is None  # not in review yet: no county reviewer sees it
    assert client.get(f"/submit/{draft.pk}/edit/").status_code == 302  # the checked bytes are frozen
    assert "正在进行技术检测" in client.get(f"/submit/{draft.pk}/").content.decode()
    client.force_login(people.reviewer)
    assert client.get(f"/review/{draft.pk}/").status_code == 403
    # Checks of some other file finish: nothing happens to this one.
    file_checks_finished.send(sender=None, document_ids=[999999], image_ids=[])
    draft.refresh_from_db()
    assert draft.status == Stage.CHECKING
    # Still pending: it stays, and no history row is written for nothing.
    file_checks_finished.send(sender=None, document_ids=_documents(draft), image_ids=[])
    assert Submission.objects.get(pk=draft.pk).status == Stage.CHECKING
    assert _events(draft, "checks_done").count() == 0
    ready()
    file_checks_finished.send(sender=None, document_ids=_documents(draft), image_ids=[])
    draft.refresh_from_db()
    assert draft.status == Stage.COUNTY_REVIEW and draft.round == 1
    event = _events(draft, "checks_done").get()
    assert (event.actor, event.actor_role, event.from_state, event.to_state) == (
        None,
        "system",
        "checking",
        "county_review",
    )
    assert Notification.objects.filter(user=people.reviewer, kind="to_review").exists()
    assert "技术检测通过" in Notification.objects.filter(user=people.teacher).first().message


def test_failed_checks_send_the_work_back_where_it_came_from(people, submitted, monkeypatch):
    services.county_decide(submission=submitted, user=people.reviewer, decision="reject", reason="请补充字幕")
    _pending(monkeypatch)
    services.submission_submit(submission=submitted, user=people.teacher)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.checking_from) == (Stage.CHECKING, Stage.RETURNED)

    def failing(submission, page, *, standard):
        return file_checks.FilesVerdict(
            ready=False, problems=["《微课.mp4》视频时长 0分3秒，短于要求的 5 分钟"], results=[]
        )

    monkeypatch.setattr(file_checks, "files_verdict", failing)
    file_checks_finished.send(sender=None, document_ids=_documents(submitted), image_ids=[])
    submitted.refresh_from_db()
    assert submitted.status == Stage.RETURNED and submitted.reason == "请补充字幕"
    assert _workflow(submitted)[0] == "needs_changes"  # resubmitting resumes at county review
    note = Notification.objects.filter(user=people.teacher, kind="checks").first()
    assert "技术检测未通过" in note.message and "短于要求的 5 分钟" in note.message


def test_withdraw_while_checking(client, people, draft, monkeypatch):
    _pending(monkeypatch)
    client.force_login(people.teacher)
    client.post(f"/submit/{draft.pk}/submit/")
    client.post(f"/submit/{draft.pk}/withdraw/")
    draft.refresh_from_db()
    assert draft.status == Stage.WITHDRAWN and draft.checking_from == ""
    file_checks_finished.send(sender=None, document_ids=_documents(draft), image_ids=[])
    draft.refresh_from_db()
    assert draft.status == Stage.WITHDRAWN  # a late hand-over finds nothing waiting


def test_problems_are_refused_all_at_once_with_the_results_kept(client, people):
    draft = factories.submission(
        teacher=people.teacher, files={"main_file": factories.upload("短片.mp4", media.mp4(seconds=3))}
    )
    client.force_login(people.teacher)
    response = client.post(f"/submit/{draft.pk}/submit/", follow=True)
    page = response.content.decode()
    # A missing cover and a video too short, in one answer.
    assert "请上传封面图。" in page and "视频时长 0分3秒" in page
    draft.refresh_from_db()
    assert draft.status == Stage.DRAFT and not _events(draft).exists()
    assert any(c["code"] == "duration" and not c["passed"] for c in draft.checks)  # kept for the teacher


def test_only_the_system_reports_checks_and_unknown_events_are_programming_errors(people, draft):
    with pytest.raises(services.SubmissionError):
        transitions.apply(draft.pk, "checks_done")  # not checking
    with pytest.raises(transitions.PermissionDenied):
        transitions.apply(draft.pk, "checks_done", actor=people.teacher)
    with pytest.raises(ValueError):
        transitions.apply(draft.pk, "approve_everything", actor=people.admin)


def test_every_transition_writes_one_history_row_with_from_and_to(people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="reject", reason="请补充字幕")
    services.submission_submit(submission=submitted, user=people.teacher)
    rows = list(
        _events(submitted)
        .exclude(actor_role="system")
        .values_list("action", "actor_role", "from_state", "to_state", "round")
    )
    assert rows == [
        ("submit", "teacher", "draft", "county_review", 1),
        ("county_return", "county_reviewer", "county_review", "returned", 1),
        ("submit", "teacher", "returned", "county_review", 2),
    ]


def test_checks_finishing_inside_a_transition_do_not_start_another_on_the_same_submission(people, draft, monkeypatch):
    """If the file checks report back while a transition of the same submission is reading the
    verdict, the receiver leaves it to that transition (no transition inside a transition)."""
    ready = _pending(monkeypatch)
    services.submission_submit(submission=draft, user=people.teacher)
    ready()
    real = file_checks.files_verdict

    def verdict_that_reports(submission, page, *, standard):
        file_checks_finished.send(sender=None, document_ids=_documents(submission), image_ids=[])
        return real(submission, page, standard=standard)

    monkeypatch.setattr(file_checks, "files_verdict", verdict_that_reports)
    transitions.apply(draft.pk, "checks_done")
    draft.refresh_from_db()
    assert draft.status == Stage.COUNTY_REVIEW and draft.round == 1
    assert _events(draft, "checks_done").count() == 1
