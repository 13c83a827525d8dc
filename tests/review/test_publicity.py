"""公示 (the public notice of proposed awards) and 异议 (objections), driven through the real pages:
the admin opens a notice from the selection page (after confirming), anyone reads it, a signed-in
user objects through the one form, the admin resolves each objection, and publishing waits for the
end of the period and for every objection to be resolved."""

import datetime

import pytest
from django.utils import timezone

from catalogue.models import ResourcePage, Role
from review.models import ExpertReview, Notification, Objection, Publicity, PublicityItem, ReviewEvent, Stage
from tests import factories
from tests.review.conftest import reviewed

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(people):
    return [
        reviewed(people, title="嵖岈山｜公示作品甲", colour="101010", total=95, authors="王静", co_authors="赵雷"),
        reviewed(people, title="嵖岈山｜公示作品乙", colour="202020", total=80),
    ]


def _open_notice(client, people, works, days=5):
    client.force_login(people.admin)
    form = {"year": 2026, "selected": [w.pk for w in works], "days": days}
    confirm = client.post("/review/selection/", {**form, "action": "open_publicity"})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "发起公示：请确认" in page and all(w.title in page for w in works)
    assert not Publicity.objects.exists()  # nothing public before the admin confirms
    response = client.post("/review/selection/", {**form, "action": "open_publicity_confirm"})
    publicity = Publicity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/review/publicity/{publicity.pk}/"
    return publicity


def _end(publicity):
    Publicity.objects.filter(pk=publicity.pk).update(ends_at=timezone.now() - datetime.timedelta(minutes=1))


def test_admin_opens_a_notice_that_anyone_reads_from_the_campaign_page(client, people, two, site_pages):
    publicity = _open_notice(client, people, two, days=5)
    assert publicity.days == 5 and publicity.ends_at - publicity.opened_at == datetime.timedelta(days=5)
    for work in two:
        work.refresh_from_db()
        assert work.status == Stage.PUBLICITY
    client.logout()
    page = client.get(f"/publicity/{publicity.pk}/").content.decode()
    # Title, authors, school, county and proposed award: a notice is public by nature.
    for text in (
        "嵖岈山｜公示作品甲",
        "王静、赵雷",
        "遂平县第一初级中学",
        "遂平县",
        "一等奖",
        "三等奖",
        "公示中",
        "提出异议",
    ):
        assert text in page, text
    campaign_page = client.get(people.campaign.url).content.decode()
    assert f"/publicity/{publicity.pk}/" in campaign_page and "拟获奖作品公示" in campaign_page
    # The teacher hears of it, and awards stay locked during the notice.
    assert Notification.objects.filter(user=people.teacher, kind="publicity").count() == 2
    client.force_login(people.admin)
    client.post("/review/selection/", {"year": 2026, "action": "awards", f"award_{two[0].pk}": "merit"})
    two[0].refresh_from_db()
    assert two[0].award == "first"


def test_an_objection_needs_an_account_and_goes_through_one_form(client, people, two):
    publicity = _open_notice(client, people, two)
    item = PublicityItem.objects.get(submission=two[0])
    client.logout()
    response = client.get(f"/publicity/{publicity.pk}/objection/?item={item.pk}")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(
        f"/publicity/{publicity.pk}/objection/", {"item": item.pk, "reason": "这件作品抄袭了网上的视频。"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Objection.objects.exists()

    parent = factories.user(Role.PARENT, username="jiazhang-1")
    client.force_login(parent)
    form = client.get(f"/publicity/{publicity.pk}/objection/?item={item.pk}").content.decode()
    assert 'name="item"' in form and 'name="reason"' in form and f'value="{item.pk}" selected' in form
    too_short = client.post(f"/publicity/{publicity.pk}/objection/", {"item": item.pk, "reason": "抄袭"})
    assert too_short.status_code == 400 and "至少" in too_short.content.decode()
    response = client.post(
        f"/publicity/{publicity.pk}/objection/",
        {"item": item.pk, "reason": "片中第 3 分钟的航拍镜头取自他人作品，未注明出处。"},
    )
    assert response.status_code == 302 and response["Location"] == f"/publicity/{publicity.pk}/"
    objection = Objection.objects.get()
    assert (objection.author, objection.item, objection.status) == (parent, item, "open")
    assert Notification.objects.filter(user=people.admin, kind="objection").exists()
    # One open objection per person and work; the reason is theirs to follow on the notice page.
    again = client.post(
        f"/publicity/{publicity.pk}/objection/", {"item": item.pk, "reason": "再次提出：镜头取自他人作品。"}
    )
    assert again.status_code == 400 and "正在处理中" in again.content.decode()
    page = client.get(f"/publicity/{publicity.pk}/").content.decode()
    assert "我提出的异议" in page and "航拍镜头" in page
    client.logout()
    assert "航拍镜头" not in client.get(f"/publicity/{publicity.pk}/").content.decode()
    # The history records an objection; the submission's state does not change.
    two[0].refresh_from_db()
    assert two[0].status == Stage.PUBLICITY
    assert ReviewEvent.objects.filter(submission=two[0], action="object", actor=parent, actor_role="objector").exists()


def test_objections_are_rate_limited_per_user(client, people):
    works = [reviewed(people, title=f"嵖岈山｜限流{n}", colour=f"{n * 40:02x}6699", total=90) for n in range(6)]
    publicity = _open_notice(client, people, works)
    student = people.student
    client.force_login(student)
    items = list(PublicityItem.objects.filter(publicity=publicity).order_by("id"))
    for item in items[:5]:
        response = client.post(
            f"/publicity/{publicity.pk}/objection/", {"item": item.pk, "reason": "请核实这件作品的原创性和素材来源。"}
        )
        assert response.status_code == 302
    response = client.post(
        f"/publicity/{publicity.pk}/objection/", {"item": items[5].pk, "reason": "请核实这件作品的原创性和素材来源。"}
    )
    assert response.status_code == 400 and "您提交异议过于频繁，请一小时后再试。" in response.content.decode()
    assert Objection.objects.filter(author=student).count() == 5
    # An hour later it is accepted again.
    Objection.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1, minutes=1))
    response = client.post(
        f"/publicity/{publicity.pk}/objection/", {"item": items[5].pk, "reason": "请核实这件作品的原创性和素材来源。"}
    )
    assert response.status_code == 302


def test_the_author_cannot_object_and_nobody_after_the_period(client, people, two):
    publicity = _open_notice(client, people, two)
    item = PublicityItem.objects.get(submission=two[0])
    client.force_login(people.teacher)
    response = client.post(
        f"/publicity/{publicity.pk}/objection/", {"item": item.pk, "reason": "我想修改自己的作品信息。"}
    )
    assert response.status_code == 400 and "不能对自己的作品提出异议。" in response.content.decode()
    _end(publicity)
    client.force_login(people.teacher2)
    assert "公示期已结束，不能再提出异议。" in client.get(f"/publicity/{publicity.pk}/objection/").content.decode()
    response = client.post(
        f"/publicity/{publicity.pk}/objection/", {"item": item.pk, "reason": "截止之后提出的异议内容。"}
    )
    assert "公示期已结束" in response.content.decode()
    assert not Objection.objects.exists()


def test_publishing_waits_for_the_end_of_the_period(client, people, two):
    publicity = _open_notice(client, people, two)
    form = {"year": 2026, "selected": [two[0].pk]}
    confirm = client.post("/review/selection/", {**form, "action": "publish"}).content.decode()
    assert "公示期满后才能发布" in confirm and 'value="publish_confirm"' not in confirm
    # Forcing the confirmation anyway is refused by the state machine.
    client.post("/review/selection/", {**form, "action": "publish_confirm"})
    two[0].refresh_from_db()
    assert two[0].status == Stage.PUBLICITY and not ResourcePage.objects.get(pk=two[0].page_id).live
    _end(publicity)
    confirm = client.post("/review/selection/", {**form, "action": "publish"}).content.decode()
    assert 'value="publish_confirm"' in confirm and "嵖岈山｜公示作品甲" in confirm


def test_an_open_objection_blocks_publication_of_the_whole_notice_until_dismissed(client, people, two):
    publicity = _open_notice(client, people, two)
    item = PublicityItem.objects.get(submission=two[1])
    client.force_login(people.teacher2)
    client.post(f"/publicity/{publicity.pk}/objection/", {"item": item.pk, "reason": "作品乙的字幕存在明显错误。"})
    objection = Objection.objects.get()
    _end(publicity)
    client.force_login(people.admin)
    client.post("/review/selection/", {"year": 2026, "selected": [two[0].pk], "action": "publish_confirm"})
    two[0].refresh_from_db()
    assert two[0].status == Stage.PUBLICITY  # the other work's objection holds the notice
    manage = client.get(f"/review/publicity/{publicity.pk}/").content.decode()
    assert "1 条待处理" in manage and "作品乙的字幕存在明显错误" in manage
    # A dismissal needs a reason; then it reaches the objector.
    prefix = f"o{objection.pk}"
    response = client.post(
        f"/review/publicity/{publicity.pk}/",
        {"objection": objection.pk, f"{prefix}-decision": "dismiss", f"{prefix}-reason": ""},
    )
    assert response.status_code == 200 and Objection.objects.get().status == "open"
    client.post(
        f"/review/publicity/{publicity.pk}/",
        {
            "objection": objection.pk,
            f"{prefix}-decision": "dismiss",
            f"{prefix}-reason": "经核实，字幕与课本一致，无错误。",
        },
    )
    objection.refresh_from_db()
    assert objection.status == "dismissed" and objection.resolved_by == people.admin
    note = Notification.objects.get(user=people.teacher2, kind="objection")
    assert "不成立" in note.message and "字幕与课本一致" in note.message
    client.force_login(people.teacher2)
    assert "字幕与课本一致" in client.get(f"/publicity/{publicity.pk}/").content.decode()
    client.force_login(people.admin)
    response = client.post(
        "/review/selection/", {"year": 2026, "selected": [w.pk for w in two], "action": "publish_confirm"}
    )
    assert response.status_code == 302
    assert all(ResourcePage.objects.get(pk=w.page_id).live for w in two)


def test_an_upheld_objection_sends_the_work_back_to_expert_review_with_new_experts(client, people, two):
    first_experts = set(ExpertReview.objects.filter(submission=two[0]).values_list("expert_id", flat=True))
    fresh = {
        factories.user(Role.CITY_EXPERT, username=f"fresh-expert-{n}", region="确山县", school="确山县第二中学").pk
        for n in (1, 2)
    }
    publicity = _open_notice(client, people, two)
    item = PublicityItem.objects.get(submission=two[0])
    client.force_login(people.student)
    client.post(f"/publicity/{publicity.pk}/objection/", {"item": item.pk, "reason": "片头音乐未获授权，侵犯著作权。"})
    objection = Objection.objects.get()
    client.force_login(people.admin)
    prefix = f"o{objection.pk}"
    client.post(
        f"/review/publicity/{publicity.pk}/",
        {
            "objection": objection.pk,
            f"{prefix}-decision": "uphold",
            f"{prefix}-reason": "片头音乐授权存疑，请专家重新评审。",
        },
    )
    two[0].refresh_from_db()
    assert two[0].status == Stage.EXPERT_REVIEW and two[0].award == "" and two[0].final_score is None
    item.refresh_from_db()
    assert item.removed_at is not None
    state = two[0].page.current_workflow_task_state
    assert state.task.name == "市级专家评审" and state.status == "in_progress"
    new_experts = set(
        ExpertReview.objects.filter(submission=two[0], status="assigned", task_state=state).values_list(
            "expert_id", flat=True
        )
    )
    # Experts who have not judged it before (the objection questions the first round's judgement).
    assert len(new_experts) == 2 and not new_experts & first_experts
    assert new_experts <= fresh | {people.expert3.pk}
    assert "重新进入市级专家评审" in Notification.objects.filter(user=people.teacher, kind="objection").get().message
    assert "成立" in Notification.objects.get(user=people.student, kind="objection").message
    client.logout()
    page = client.get(f"/publicity/{publicity.pk}/").content.decode()
    assert "已撤出公示，重新评审" in page
    # The other work can now be published once the period is over.
    _end(publicity)
    client.force_login(people.admin)
    client.post("/review/selection/", {"year": 2026, "selected": [two[1].pk], "action": "publish_confirm"})
    two[1].refresh_from_db()
    assert two[1].status == Stage.PUBLISHED


def test_publication_asks_for_confirmation_and_links_to_the_published_pages(client, people, two, site_pages):
    publicity = _open_notice(client, people, two)
    _end(publicity)
    manage = client.get(f"/review/publicity/{publicity.pk}/").content.decode()
    assert "发布本次公示的 2 件作品入库" in manage
    confirm = client.post("/review/selection/", {"year": 2026, "selected": [w.pk for w in two], "action": "publish"})
    body = confirm.content.decode()
    assert "发布入库：请确认" in body and "嵖岈山｜公示作品甲" in body and "王静" in body and "一等奖" in body
    assert not ResourcePage.objects.filter(pk__in=[w.page_id for w in two], live=True).exists()
    response = client.post(
        "/review/selection/", {"year": 2026, "selected": [w.pk for w in two], "action": "publish_confirm"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/review/selection/published/?ids=")
    result = client.get(response["Location"]).content.decode()
    for work in two:
        page = ResourcePage.objects.get(pk=work.page_id)
        assert page.live and page.url in result
    assert "已发布 2 件作品入库" in result
    assert client.get(ResourcePage.objects.get(pk=two[0].page_id).url).status_code == 200


def test_only_the_admin_manages_notices(client, people, two):
    publicity = _open_notice(client, people, two)
    objection_form = f"/publicity/{publicity.pk}/objection/"
    for user in (people.teacher, people.reviewer, people.expert1, people.student):
        client.force_login(user)
        assert client.get(f"/review/publicity/{publicity.pk}/").status_code == 403
        response = client.post(
            "/review/selection/", {"year": 2026, "selected": [two[0].pk], "action": "open_publicity_confirm"}
        )
        assert response.status_code == 403
        assert client.get(objection_form).status_code == 200  # but anyone signed in may object
    assert Publicity.objects.count() == 1
