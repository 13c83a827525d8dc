"""The review history in its own table: written by the transitions, read by each role with its
redactions, exported with the expert comments, migrated from the audit log, and untouched by the
audit log's retention purge."""

import csv
import datetime
import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from review import services
from review.models import ExpertReview, ReviewEvent, Stage, Submission
from tests import factories
from tests.review.conftest import good_files

pytestmark = pytest.mark.django_db


def _named(user, name):
    user.profile.display_name = name
    user.profile.save()
    return user


@pytest.fixture
def scored(people, submitted):
    """The county reviewer (诸葛明远) returned it once, then approved; both experts scored."""
    _named(people.reviewer, "诸葛明远")
    _named(people.expert1, "公孙专家")
    _named(people.expert2, "慕容专家")
    _named(people.expert3, "上官专家")
    services.county_decide(submission=submitted, user=people.reviewer, decision="reject", reason="请补充片头字幕")
    services.submission_submit(submission=submitted, user=people.teacher)
    services.county_decide(submission=submitted, user=people.reviewer, decision="approve", reason="同意推荐")
    standard = submitted.campaign.review_settings.standard
    for review, comment in zip(
        ExpertReview.objects.filter(submission=submitted), ("画面清楚", "建议补充实验"), strict=True
    ):
        services.expert_score(
            review=review,
            user=review.expert,
            scores={c.pk: (c.max_points - 2, "略有不足") for c in standard.criteria.all()},
            comment=comment,
        )
    submitted.refresh_from_db()
    return submitted


EXPERT_NAMES = ("公孙专家", "慕容专家", "上官专家", "expert-a", "expert-b", "expert-c")


def test_the_teacher_reads_the_history_without_reviewer_or_expert_names(client, people, scored):
    client.force_login(people.teacher)
    page = client.get(f"/submit/{scored.pk}/").content.decode()
    for text in (
        "县区初审退回修改",
        "请补充片头字幕",
        "修改后重新提交",
        "县区初审通过",
        "专家提交评分",
        "画面清楚",
        "建议补充实验",
        "市级评审完成",
    ):
        assert text in page, text
    assert "县区初审员" in page and "评审专家" in page
    for name in ("诸葛明远", "suiping-reviewer", *EXPERT_NAMES):
        assert name not in page, name
    assert "分配评审专家" not in page  # assignments name experts: the admin's only


def test_the_county_reviewer_reads_no_expert_names(client, people, scored):
    client.force_login(people.reviewer)
    page = client.get(f"/review/{scored.pk}/").content.decode()
    assert "诸葛明远" in page and "画面清楚" in page
    for name in EXPERT_NAMES:
        assert name not in page, name


def test_an_expert_reads_their_own_entry_as_me_and_the_other_by_role(client, people, scored):
    first, second = ExpertReview.objects.filter(submission=scored).select_related("expert")
    client.force_login(first.expert)
    page = client.get(f"/review/{scored.pk}/").content.decode()
    assert "我" in page and "诸葛明远" not in page and "请补充片头字幕" not in page
    assert second.expert.profile.display_name not in page, second.expert.profile.display_name
    assert page.count(first.expert.profile.display_name) == 1  # their own name, in the page header only


def test_the_admin_reads_everything(client, people, scored):
    client.force_login(people.admin)
    page = client.get(f"/review/{scored.pk}/").content.decode()
    for text in ("诸葛明远", "分配评审专家", "总分", "请补充片头字幕"):
        assert text in page, text
    assert any(name in page for name in EXPERT_NAMES)


def test_purging_the_audit_log_never_touches_the_review_history(people, scored):
    before = list(ReviewEvent.objects.filter(submission=scored).values_list("pk", "action", "reason"))
    assert len(before) >= 8
    old = timezone.now() - datetime.timedelta(days=800)
    ReviewEvent.objects.update(created_at=old)
    ModelLogEntry.objects.update(timestamp=old)
    call_command("purge_audit_log", "--days", "365", stdout=io.StringIO())
    assert not ModelLogEntry.objects.filter(content_type__model="submission").exists()
    assert list(ReviewEvent.objects.filter(submission=scored).values_list("pk", "action", "reason")) == before


def test_the_campaign_export_contains_the_history_and_the_expert_comments(client, people, scored):
    client.force_login(people.admin)
    workbook = load_workbook(io.BytesIO(client.get("/review/selection/2026/export.xlsx").content))
    assert workbook.sheetnames == ["2026年征集", "评审记录", "专家评语"]
    history = [[c.value for c in row] for row in workbook["评审记录"].iter_rows()]
    assert history[0] == ["编号", "作品名称", "时间", "操作人", "角色", "操作", "原状态", "新状态", "轮次", "理由/意见"]
    returned = next(r for r in history if r[5] == "县区初审退回修改")
    assert returned[3] == "诸葛明远" and returned[4] == "县区初审员" and returned[9] == "请补充片头字幕"
    assert (returned[6], returned[7]) == ("县区初审中", "退回修改")
    comments = [[c.value for c in row] for row in workbook["专家评语"].iter_rows()]
    assert "总体评语" in comments[0] and "科学性/准确性" in comments[0]
    assert {r[comments[0].index("总体评语")] for r in comments[1:]} == {"画面清楚", "建议补充实验"}
    assert all("略有不足" in r[-1] for r in comments[1:])
    # Readable when opened: the header frozen and filterable, columns sized to what they hold.
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        assert sheet["A1"].font.bold
    main = workbook["2026年征集"]
    title_column = [c.column_letter for c in main[1] if c.value == "作品名称"][0]
    assert main.column_dimensions[title_column].width > main.column_dimensions["A"].width >= 6
    assert all(main.column_dimensions[c.column_letter].width <= 60 for c in main[1])

    data = json.loads(client.get("/review/selection/2026/export.json").content)
    assert {e["操作"] for e in data["history"]} >= {"提交评审", "县区初审通过", "专家提交评分"}
    assert {c["总体评语"] for c in data["expert_comments"]} == {"画面清楚", "建议补充实验"}
    text = client.get("/review/selection/2026/export.history.csv").content.decode("utf-8-sig")
    assert "请补充片头字幕" in text and list(csv.reader(io.StringIO(text)))[0][0] == "编号"
    text = client.get("/review/selection/2026/export.comments.csv").content.decode("utf-8-sig")
    assert "建议补充实验" in text
    client.force_login(people.expert1)
    assert client.get("/review/selection/2026/export.history.csv").status_code == 403


def test_history_is_migrated_out_of_the_audit_log(people):
    """Data written before this version (review.* audit entries, status "approved") is carried over."""
    migration = importlib.import_module("review.migrations.0004_review_history_from_audit_log")
    draft = factories.submission(teacher=people.teacher, files=good_files())
    submission = Submission.objects.get(pk=draft.pk)
    log(
        instance=submission,
        action="review.submit",
        user=people.teacher,
        data={"round": 1, "warnings": ["帧率偏低"], "stage": "county_review"},
    )
    log(
        instance=submission,
        action="review.county_return",
        user=people.reviewer,
        data={"reason": "请补充字幕", "actor_role": "county_reviewer"},
    )
    log(
        instance=submission,
        action="review.resubmit",
        user=people.teacher,
        data={"round": 2, "warnings": [], "stage": "expert_review"},
    )
    log(
        instance=submission,
        action="review.expert_score",
        user=people.expert1,
        data={"total": "88.00", "vetoes": [], "comment": "讲解清楚", "actor_role": "city_expert"},
    )
    log(
        instance=submission,
        action="review.expert_done",
        user=None,
        data={"final_score": "88.00", "actor_role": "system"},
    )
    log(
        instance=submission,
        action="review.publish",
        user=people.admin,
        data={"award": "二等奖", "final_score": "88.00"},
    )
    Submission.objects.filter(pk=submission.pk).update(status="approved", award="first", final_score="88.00")
    ReviewEvent.objects.all().delete()

    migration.forwards(apps, None)

    submission.refresh_from_db()
    assert submission.status == Stage.SELECTED
    assert submission.award_manual  # "first" is not what 88 gives (二等奖 from 85): set by hand
    rows = list(
        ReviewEvent.objects.filter(submission=submission).values_list(
            "action", "actor_id", "actor_role", "from_state", "to_state", "round", "reason"
        )
    )
    assert rows == [
        ("submit", people.teacher.pk, "teacher", "draft", "county_review", 1, ""),
        ("county_return", people.reviewer.pk, "county_reviewer", "county_review", "returned", 1, "请补充字幕"),
        ("submit", people.teacher.pk, "teacher", "returned", "expert_review", 2, ""),
        ("score", people.expert1.pk, "city_expert", "expert_review", "", 2, "讲解清楚"),
        ("expert_done", None, "system", "", "", 2, ""),
        ("publish", people.admin.pk, "resource_admin", "selected", "published", 2, ""),
    ]
    assert ReviewEvent.objects.get(submission=submission, action="publish").data["award"] == "second"
    from review import selectors

    teacher_view = selectors.history_for(submission, "teacher")
    assert [r["action"] for r in teacher_view][:3] == ["提交评审", "县区初审退回修改", "修改后重新提交"]
    assert teacher_view[0]["detail"] == "技术检测提示：帧率偏低"
