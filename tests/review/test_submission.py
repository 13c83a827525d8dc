"""Teacher submission: the guided form, drafts, the campaign window, the duplicate guard, returns and
resubmission, notifications and the audit log."""

import datetime

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry, PageLogEntry, TaskState

from catalogue.models import ResourcePage, ResourceType, Subject, Theme, Topic
from catalogue.models import Stage as SchoolStage
from review import services
from review.models import ExpertReview, Notification, ReviewEvent, Stage, Submission
from tests import factories
from tests.review import media
from tests.review.conftest import good_files, noticed

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    topic = Topic.objects.get(name="嵖岈山")
    data = {
        "title": "嵖岈山｜奇石的故事",
        "resource_type": ResourceType.objects.get(code="video").pk,
        "theme": topic.theme_id,
        "topic": topic.pk,
        "subjects": [Subject.objects.get(name="地理").pk],
        "stage": SchoolStage.objects.get(name="初中").pk,
        "description": "认识嵖岈山的花岗岩奇石。\n第二段。",
        "authors": "王静",
        "licence": "platform",
        "licence_confirmed": "on",
    }
    data.update(overrides)
    return data


def test_teacher_saves_a_draft_then_submits_through_the_form(client, people):
    client.force_login(people.teacher)
    assert "新建申报" in client.get("/submit/").content.decode()
    form = client.get("/submit/new/").content.decode()
    assert 'id="upload-bar"' in form and "review/upload.js" in form and "<script>" not in form
    response = client.post(
        "/submit/new/",
        {
            **_form_data(),
            "action": "draft",
            "main_file": factories.upload("微课.mp4", media.mp4()),
            "cover": factories.upload("c.png", media.png()),
        },
    )
    assert response.status_code == 302
    submission = Submission.objects.get(teacher=people.teacher)
    assert submission.status == Stage.DRAFT
    page = submission.page.get_latest_revision_as_object()
    assert page.description == "<p>认识嵖岈山的花岗岩奇石。</p><p>第二段。</p>"
    assert not submission.page.live
    # Edit: keep the files, change the title; then submit by XHR as the progress-bar script does.
    response = client.post(
        f"/submit/{submission.pk}/edit/",
        {**_form_data(title="嵖岈山｜奇石的由来"), "action": "submit"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.json() == {"ok": True, "redirect": f"/submit/{submission.pk}/"}
    submission.refresh_from_db()
    assert submission.status == Stage.COUNTY_REVIEW and submission.title == "嵖岈山｜奇石的由来"
    # The unpublished page row follows the draft, so the admin's filters see current values.
    assert ResourcePage.objects.get(pk=submission.page_id).title == "嵖岈山｜奇石的由来"
    detail = client.get(f"/submit/{submission.pk}/").content.decode()
    assert "县区初审中" in detail and "视频时长 5分1秒" in detail
    # Under review the teacher cannot edit.
    assert client.get(f"/submit/{submission.pk}/edit/").status_code == 302


def test_form_errors_come_back_as_json_for_the_upload_script(client, people):
    client.force_login(people.teacher)
    response = client.post(
        "/submit/new/", {**_form_data(title=""), "action": "draft"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 1 and errors[0].startswith("作品名称：")
    assert not Submission.objects.exists()


def test_submit_without_files_names_what_is_missing(client, people):
    client.force_login(people.teacher)
    response = client.post("/submit/new/", {**_form_data(), "action": "submit"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    body = response.json()
    assert (
        body["saved"] is True
        and "请上传作品的主文件（微课视频）。" in body["errors"]
        and "请上传封面图。" in body["errors"]
    )
    assert Submission.objects.get().status == Stage.DRAFT


def test_topic_must_belong_to_the_theme(client, people):
    client.force_login(people.teacher)
    red = Theme.objects.get(name="红色文化")
    response = client.post("/submit/new/", {**_form_data(theme=red.pk), "action": "draft"})
    assert response.status_code == 400
    assert "所选专题不属于“红色文化”主题，请在专题列表中重新选择。" in response.content.decode()


def test_closed_campaign_refuses_submission_and_keeps_the_draft(people):
    draft = factories.submission(teacher=people.teacher, files=good_files())
    campaign = people.campaign
    campaign.opens_on = datetime.date.today() - datetime.timedelta(days=60)
    campaign.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    campaign.save_revision().publish()
    with pytest.raises(services.SubmissionError) as refused:
        services.submission_submit(submission=draft, user=people.teacher)
    assert "现在不在征集时间内，不能提交。草稿已为您保存。" in refused.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == Stage.DRAFT
    # The draft can still be edited and saved.
    services.submission_save(
        teacher=people.teacher, submission=draft, data=factories.submission_data(title="改过的标题"), files={}
    )
    assert Submission.objects.get(pk=draft.pk).title == "改过的标题"


def test_returned_work_may_be_resubmitted_after_the_closing_date(people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="reject", reason="请补充字幕")
    campaign = people.campaign
    campaign.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    campaign.save_revision().publish()
    assert services.submission_submit(submission=submitted, user=people.teacher).status == Stage.COUNTY_REVIEW


def test_same_file_already_submitted_is_refused_naming_the_resource(people):
    first = factories.submission(teacher=people.teacher2, files=good_files(), title="驿城｜老乐山微课")
    services.submission_submit(submission=first, user=people.teacher2)
    copy = factories.submission(teacher=people.teacher, files=good_files("改名的视频"), title="嵖岈山｜抄来的")
    with pytest.raises(services.SubmissionError) as refused:
        services.submission_submit(submission=copy, user=people.teacher)
    assert refused.value.messages == [
        "《改名的视频.mp4》与已提交的资源《驿城｜老乐山微课》（2026 年）是同一个文件，不能重复提交。"
    ]


def test_same_file_as_a_published_catalogue_resource_is_refused(people):
    clip = media.mp4(colour="445566")
    document = factories.document("已发布微课", name="published.mp4", data=clip)
    factories.resource(title="嵖岈山｜早已入库", files=[(document, "video")])
    draft = factories.submission(
        teacher=people.teacher,
        files={"main_file": factories.upload("mine.mp4", clip), "cover": factories.upload("c.png", media.png())},
    )
    with pytest.raises(services.SubmissionError) as refused:
        services.submission_submit(submission=draft, user=people.teacher)
    assert "与已发布的资源《嵖岈山｜早已入库》" in refused.value.messages[0]


def test_a_draft_with_the_same_file_does_not_block(people):
    factories.submission(teacher=people.teacher2, files=good_files())  # never submitted
    draft = factories.submission(teacher=people.teacher, files=good_files())
    assert services.submission_submit(submission=draft, user=people.teacher).status == Stage.COUNTY_REVIEW


def test_county_return_then_resubmission_resumes_at_county(people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="reject", reason="请补充字幕")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.returned_by_stage, submitted.reason) == (Stage.RETURNED, "county", "请补充字幕")
    services.submission_save(
        teacher=people.teacher, submission=submitted, data=factories.submission_data(title="加了字幕"), files={}
    )
    services.submission_submit(submission=submitted, user=people.teacher)
    submitted.refresh_from_db()
    assert submitted.status == Stage.COUNTY_REVIEW and submitted.round == 2
    state = submitted.page.current_workflow_task_state
    assert state.task.name == "县区初审" and state.status == TaskState.STATUS_IN_PROGRESS


def test_expert_return_then_resubmission_resumes_at_expert_review_with_the_same_experts(people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    first, second = ExpertReview.objects.filter(submission=submitted).select_related("expert")
    standard = submitted.campaign.review_settings.standard
    services.expert_score(
        review=first,
        user=first.expert,
        scores={c.pk: (c.max_points, "") for c in standard.criteria.all()},
        comment="很好",
    )
    services.expert_return(review=second, user=second.expert, reason="片头版权音乐需替换")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.returned_by_stage) == (Stage.RETURNED, "expert")
    services.submission_submit(submission=submitted, user=people.teacher)
    submitted.refresh_from_db()
    # Resumes at city expert review, not county: the county approval stands.
    assert submitted.status == Stage.EXPERT_REVIEW
    new_round = ExpertReview.objects.filter(submission=submitted, status=ExpertReview.Status.ASSIGNED)
    assert {r.expert_id for r in new_round} == {first.expert_id, second.expert_id}
    assert new_round.first().task_state_id != first.task_state_id


def test_county_decline_needs_a_reason_and_rejects(people, submitted):
    with pytest.raises(services.SubmissionError):
        services.county_decide(submission=submitted, user=people.reviewer, decision="decline", reason="  ")
    services.county_decide(submission=submitted, user=people.reviewer, decision="decline", reason="与主题无关")
    submitted.refresh_from_db()
    assert submitted.status == Stage.REJECTED and submitted.reason == "与主题无关"
    with pytest.raises(services.SubmissionError):
        services.submission_submit(submission=submitted, user=people.teacher)


def test_notifications_in_app_and_by_email_on_every_step(people):
    draft = factories.submission(teacher=people.teacher, files=good_files())
    mail.outbox.clear()
    services.submission_submit(submission=draft, user=people.teacher)
    assert {m.to[0] for m in mail.outbox} == {"wangjing@example.cn", "r1@example.cn"}  # teacher + county reviewer
    assert any("等待县区初审" in m.body for m in mail.outbox)

    mail.outbox.clear()
    services.county_decide(submission=draft, user=people.reviewer, decision="reject", reason="请补充字幕")
    assert [m.to[0] for m in mail.outbox] == ["wangjing@example.cn"] and "请补充字幕" in mail.outbox[0].body
    services.submission_submit(submission=draft, user=people.teacher)

    mail.outbox.clear()
    services.county_decide(submission=draft, user=people.reviewer, decision="approve")
    recipients = {m.to[0] for m in mail.outbox}
    assert "wangjing@example.cn" in recipients and recipients & {"e1@example.cn", "e2@example.cn"}

    standard = draft.campaign.review_settings.standard
    mail.outbox.clear()
    for review in ExpertReview.objects.filter(submission=draft):
        services.expert_score(
            review=review,
            user=review.expert,
            scores={c.pk: (c.max_points - 1, "") for c in standard.criteria.all()},
            comment="好",
        )
    assert any(m.to == ["wangjing@example.cn"] and "通过市级专家评审" in m.body for m in mail.outbox)
    assert any(m.to == ["zy@example.cn"] for m in mail.outbox)  # the admin hears it is ready for selection

    mail.outbox.clear()
    draft.refresh_from_db()
    noticed(people, [draft])
    assert [m.to[0] for m in mail.outbox] == ["wangjing@example.cn"] and "已进入公示" in mail.outbox[0].body
    mail.outbox.clear()
    services.submissions_publish(submissions=[draft], user=people.admin)
    assert [m.to[0] for m in mail.outbox] == ["wangjing@example.cn"] and "已入库发布" in mail.outbox[0].body
    kinds = list(Notification.objects.filter(user=people.teacher).values_list("kind", flat=True))
    assert {"submitted", "returned", "approved", "publicity", "published"} <= set(kinds)


def test_rejection_notifies_the_teacher(people, submitted):
    mail.outbox.clear()
    services.county_decide(submission=submitted, user=people.reviewer, decision="decline", reason="含有广告")
    assert mail.outbox[0].to == ["wangjing@example.cn"] and "未通过县区初审：含有广告" in mail.outbox[0].body


def test_every_transition_is_in_the_history_and_the_audit_log(people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve")
    history = list(ReviewEvent.objects.filter(submission=submitted).values_list("action", "actor_id", "to_state"))
    assert history[:2] == [
        ("submit", people.teacher.pk, "county_review"),
        ("county_approve", people.reviewer.pk, "expert_review"),
    ]
    assert [a for a, _u, _s in history].count("expert_assign") == 2
    # The security audit log keeps its own entry per transition, with the acting user.
    entries = ModelLogEntry.objects.filter(content_type__model="submission", object_id=str(submitted.pk)).order_by(
        "timestamp", "id"
    )
    assert list(entries.values_list("action", "user_id")) == [
        ("review.create", people.teacher.pk),
        ("review.submit", people.teacher.pk),
        ("review.county_approve", people.reviewer.pk),
    ]
    page_actions = set(PageLogEntry.objects.filter(page_id=submitted.page_id).values_list("action", flat=True))
    assert {"wagtail.workflow.start", "wagtail.workflow.approve"} <= page_actions


def test_teacher_reads_notifications(client, people, submitted):
    client.force_login(people.teacher)
    page = client.get("/submit/").content.decode()
    assert "已提交，当前环节：县区初审中" in page
    client.post("/notifications/")
    assert not Notification.objects.filter(user=people.teacher, read_at__isnull=True).exists()


def test_reviewer_previews_the_file_with_range_requests(client, people, submitted):
    client.force_login(people.reviewer)
    document_id = submitted.page.get_latest_revision_as_object().files.first().document_id
    response = client.get(f"/submissions/{submitted.pk}/files/{document_id}/", HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and len(b"".join(response.streaming_content)) == 100
    client.force_login(people.student)
    assert client.get(f"/submissions/{submitted.pk}/files/{document_id}/").status_code == 403


def test_gallery_and_link_submissions(people):
    gallery = factories.submission(
        teacher=people.teacher,
        resource_type="gallery",
        files={
            "gallery": [
                factories.upload("1.png", media.png(colour=(1, 2, 3))),
                factories.upload("2.jpg", media.jpeg()),
            ],
            "cover": factories.upload("c.png", media.png()),
        },
    )
    assert services.submission_submit(submission=gallery, user=people.teacher).status == Stage.COUNTY_REVIEW
    link = factories.submission(
        teacher=people.teacher,
        resource_type="link",
        external_url="https://example.cn/vr/chayashan",
        files={"cover": factories.upload("c2.png", media.png(colour=(9, 9, 9)))},
    )
    assert services.submission_submit(submission=link, user=people.teacher).status == Stage.COUNTY_REVIEW


def test_editing_the_theme_of_a_draft_moves_it_in_the_admin_filters(people):
    draft = factories.submission(teacher=people.teacher, files=good_files())
    services.submission_save(
        teacher=people.teacher,
        submission=draft,
        data=factories.submission_data(topic="竹沟革命根据地", subjects=("历史",)),
        files={},
    )
    page = ResourcePage.objects.get(pk=draft.page_id)
    assert page.theme.name == "红色文化" and [s.name for s in page.subjects.all()] == ["历史"]
    assert page.files.count() == 1 and page.cover_image_id
