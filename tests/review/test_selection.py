"""Selection and publication: ranking with filters, award levels, bulk publish keeping award and
score, and the campaign report (command and admin button)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from catalogue.models import Region, ResourcePage, Theme
from review import services
from review.models import CampaignReview, ExpertReview, Stage
from tests import factories
from tests.review.conftest import good_files, noticed

pytestmark = pytest.mark.django_db


def _reviewed(people, *, teacher=None, reviewer=None, title, colour, total):
    """A submission taken through county and expert review to a final score of `total`."""
    teacher = teacher or people.teacher
    reviewer = reviewer or people.reviewer
    draft = factories.submission(teacher=teacher, files=good_files(title, colour), title=title)
    services.submission_submit(submission=draft, user=teacher)
    services.county_decide(submission=draft, user=reviewer, decision="approve")
    standard = draft.campaign.review_settings.standard
    for review in ExpertReview.objects.filter(submission=draft, status=ExpertReview.Status.ASSIGNED):
        scores = {
            c.pk: ((Decimal(c.max_points) * total / 100).quantize(Decimal("0.01")), "") for c in standard.criteria.all()
        }
        services.expert_score(review=review, user=review.expert, scores=scores, comment="评语")
    draft.refresh_from_db()
    return draft


@pytest.fixture
def ranked(people):
    return {
        "top": _reviewed(people, title="嵖岈山｜一", colour="111111", total=95),
        "mid": _reviewed(people, title="嵖岈山｜二", colour="222222", total=80),
        "other": _reviewed(
            people, teacher=people.teacher2, reviewer=people.reviewer2, title="老乐山｜三", colour="333333", total=88
        ),
    }


def test_ranking_is_by_final_score_with_filters(client, people, ranked):
    client.force_login(people.admin)
    page = client.get("/review/selection/").content.decode()
    assert page.index("嵖岈山｜一") < page.index("老乐山｜三") < page.index("嵖岈山｜二")
    yicheng = Region.objects.get(name="驿城区")
    page = client.get(f"/review/selection/?region={yicheng.pk}").content.decode()
    assert "老乐山｜三" in page and "嵖岈山｜一" not in page
    red = Theme.objects.get(name="红色文化")
    assert "没有符合条件的申报" in client.get(f"/review/selection/?theme={red.pk}").content.decode()
    assert "嵖岈山｜二" in client.get("/review/selection/?status=approved").content.decode()


def test_awards_from_editable_thresholds(client, people, ranked):
    assert [ranked[k].award for k in ("top", "mid", "other")] == ["first", "third", "second"]
    CampaignReview.objects.filter(campaign=people.campaign).update(third_prize_min=Decimal("81"))
    client.force_login(people.admin)
    client.post("/review/selection/", {"year": 2026, "action": "thresholds"})
    ranked["mid"].refresh_from_db()
    assert ranked["mid"].award == "merit"
    client.post("/review/selection/", {"year": 2026, "action": "awards", f"award_{ranked['mid'].pk}": "second"})
    ranked["mid"].refresh_from_db()
    assert ranked["mid"].award == "second"


def test_bulk_publish_keeps_award_and_score(client, people, ranked, site_pages):
    noticed(people, [ranked["top"], ranked["other"]])
    client.force_login(people.admin)
    chosen = {"year": 2026, "selected": [ranked["top"].pk, ranked["other"].pk]}
    confirm = client.post("/review/selection/", {**chosen, "action": "publish"})
    assert confirm.status_code == 200 and "发布入库：请确认" in confirm.content.decode()
    assert not ResourcePage.objects.get(pk=ranked["top"].page_id).live  # nothing happens before confirming
    response = client.post("/review/selection/", {**chosen, "action": "publish_confirm"})
    assert response.status_code == 302
    for key, award, score in (("top", "一等奖", Decimal("95.00")), ("other", "二等奖", Decimal("88.00"))):
        ranked[key].refresh_from_db()
        assert ranked[key].status == Stage.PUBLISHED
        page = ResourcePage.objects.get(pk=ranked[key].page_id)
        assert page.live and page.award == award and page.final_score == score
    assert not ResourcePage.objects.get(pk=ranked["mid"].page_id).live
    # The topic page lists the published work with its award.
    topic_page = client.get("/natural-scenery/chayashan/").content.decode()
    assert "嵖岈山｜一" in topic_page and "嵖岈山｜二" not in topic_page


def test_only_approved_work_can_be_published(people, submitted):
    with pytest.raises(services.SubmissionError) as refused:
        services.submissions_publish(submissions=[submitted], user=people.admin)
    assert "不在公示中，不能发布" in refused.value.messages[0]


def test_campaign_report_command_in_three_formats(tmp_path, people, ranked):
    xlsx = tmp_path / "r.xlsx"
    call_command("campaign_report", "2026", "--format", "xlsx", "--output", str(xlsx))
    sheet = load_workbook(xlsx).active
    headers = [c.value for c in sheet[1]]
    assert headers[:12] == [
        "编号",
        "作品名称",
        "县（区）",
        "学校",
        "作者",
        "合作者",
        "主题",
        "专题",
        "学科",
        "资源类型",
        "状态",
        "到达环节",
    ]
    assert "科学性/准确性（25）" in headers and headers[-2:] == ["最终得分", "奖项"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[1] for r in rows] == ["嵖岈山｜一", "老乐山｜三", "嵖岈山｜二"]
    top = dict(zip(headers, rows[0], strict=True))
    assert top["县（区）"] == "遂平县" and top["学校"] == "遂平县第一初级中学" and top["到达环节"] == "遴选"
    assert top["科学性/准确性（25）"] == 23.75 and top["最终得分"] == 95 and top["奖项"] == "一等奖"

    out = io.StringIO()
    call_command("campaign_report", "2026", "--format", "json", "--output", "-", stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == 2026 and data["submissions"][1]["作品名称"] == "老乐山｜三"

    csv_path = tmp_path / "r.csv"
    call_command("campaign_report", "2026", "--format", "csv", "--output", str(csv_path))
    text = csv_path.read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[3][1] == "嵖岈山｜二"


def test_report_lists_rejected_and_returned_with_the_stage_reached(people, submitted):
    services.county_decide(submission=submitted, user=people.reviewer, decision="reject", reason="补充字幕")
    from review import selectors

    headers, rows = selectors.report(people.campaign)
    row = dict(zip(headers, rows[0], strict=True))
    assert row["状态"] == "退回修改" and row["到达环节"] == "县区初审" and row["最终得分"] is None


def test_export_button_in_the_admin(client, people, ranked):
    client.force_login(people.admin)
    page = client.get("/admin/review-report/").content.decode()
    assert "/review/selection/2026/export.xlsx" in page
    response = client.get("/review/selection/2026/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 4
