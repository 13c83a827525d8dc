"""Every place that links a row to a person is exported and erased: a walk over every installed
model fails when a new user link has no personal-data handler, and a teacher, an expert and a
pupil who used the whole product are exported and erased for real, then the whole database is
searched for anything still naming them."""

import io
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from wagtail.admin.models import EditingSession, FormState
from wagtail.models import APIToken, Comment, CommentReply, Page, PageSubscription, UploadedFile
from wagtail.users.models import UserProfile as AdminProfile

from catalogue.models import ResourcePage
from indicators.models import AccessEvent, DailyUserActivity
from ops.personal_data import ALLOWED_UNHANDLED, covered_links, handlers
from review import services
from review.models import ExpertProfile, ExpertReview, Notification, Objection, ReviewEvent, Submission
from tests import factories
from tests.review.conftest import noticed, people, reviewed, submitted  # noqa: F401 (fixtures)
from tests.review.test_scoring import _score, _to_experts

pytestmark = pytest.mark.django_db


def user_links() -> set[str]:
    """Every foreign key, one-to-one and many-to-many (through its table) to the user model, named
    by the model that declares it."""
    User = get_user_model()
    links = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if field.concrete and field.is_relation and field.related_model is User:
                links.add(f"{field.model._meta.label}.{field.name}")
    return links


def test_every_link_to_a_user_is_exported_and_erased_by_a_handler():
    links = user_links()
    unhandled = links - covered_links() - set(ALLOWED_UNHANDLED)
    assert not unhandled, (
        "These models link to a user but no personal-data handler covers them; add them to the app's "
        f"personal_data.py (export and erasure) or, with a reason, to ops.personal_data.ALLOWED_UNHANDLED: "
        f"{sorted(unhandled)}"
    )
    assert covered_links() <= links, f"Handlers name links that do not exist: {sorted(covered_links() - links)}"
    assert set(ALLOWED_UNHANDLED) <= links


def test_the_walk_sees_the_links_it_must_see():
    links = user_links()
    for expected in (
        "review.Submission.teacher",
        "review.ExpertReview.expert",
        "indicators.AccessEvent.user",
        "wagtailcore.Page.owner",
        "auth.User_groups.user",
        "catalogue.UserProfile.user",
    ):
        assert expected in links


def test_each_handler_says_what_erasure_does():
    for handler in handlers():
        assert handler.erasure.strip(), handler.section


def everything_in_the_database() -> str:
    """Every value of every row of every table, as one text to search."""
    parts = []
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.all().values_list():
            parts.append(json.dumps(row, ensure_ascii=False, default=str))
    return "\n".join(parts)


def test_a_teacher_an_expert_and_a_pupil_are_exported_and_then_nothing_names_them(people, submitted, tmp_path):  # noqa: F811
    teacher, expert, pupil = people.teacher, people.expert1, people.student
    # The teacher's submission goes to the experts; the expert scores it with a comment.
    reviews = _to_experts(people, submitted)
    review = next(r for r in reviews if r.expert_id in (people.expert1.pk, people.expert2.pk))
    expert = review.expert
    _score(review, 85)
    ExpertProfile.objects.get_or_create(user=expert)
    # Another of the teacher's works reaches the public notice, and the pupil objects to it.
    second = reviewed(people, title="梁祝｜化蝶的传说", colour="1b4d3e")
    noticed(people, [second], ended=False)
    services.objection_file(submission=second, user=pupil, reason="与另一所学校的作品雷同")
    # Everyone uses the site: the pupil and the teacher open a published resource, signed in.
    resource = factories.resource(title="嫘祖故里的传说")
    for person in (teacher, pupil, expert):
        client = Client(HTTP_USER_AGENT=factories.BROWSER_UA)
        client.force_login(person)
        assert client.get(resource.url).status_code == 200
    # Wagtail's own traces of the teacher and the expert in the admin.
    page = Page.objects.get(pk=submitted.page_id)
    comment = Comment.objects.create(page=page, user=expert, text="请补充教学设计", contentpath="title")
    CommentReply.objects.create(comment=comment, user=teacher, text="已补充")
    PageSubscription.objects.create(page=page, user=teacher, comment_notifications=True)
    page_type = ContentType.objects.get_for_model(ResourcePage)
    EditingSession.objects.create(
        user=teacher, content_type=page_type, object_id=str(page.pk), last_seen_at=page.latest_revision_created_at
    )
    FormState.objects.create(
        user=teacher,
        content_type=page_type,
        object_id=str(page.pk),
        parent_object_id="",
        data='{"title": "wangjing的草稿"}',
        last_updated_at=page.latest_revision_created_at,
    )
    APIToken.objects.create(user=expert, name="评审助手", key_hash="a" * 64, prefix="abcd")
    AdminProfile.get_for_user(teacher).save()
    UploadedFile.objects.create(
        file=factories.upload("draft.pdf", b"%PDF-1.4 draft", "application/pdf"), uploaded_by_user=teacher
    )
    Page.objects.filter(pk=page.pk).update(locked=True, locked_by=teacher)

    exports = {}
    for person in (teacher, expert, pupil):
        out = tmp_path / f"{person.pk}.json"
        call_command("personal_data", "export", person.username, "--output", str(out), stdout=io.StringIO())
        exports[person.pk] = json.loads(out.read_text(encoding="utf-8"))
    mine = exports[teacher.pk]
    assert sorted(s["id"] for s in mine["submissions"]) == sorted([submitted.pk, second.pk])
    assert mine["notifications"] and mine["profile"]["role"] == "teacher"
    assert [e["resource"] for e in mine["access_events"]] == ["嫘祖故里的传说"]
    assert mine["pages"]["owned"] and mine["pages"]["locked"]
    assert mine["admin_state"]["page_subscriptions"] and mine["admin_state"]["autosaved_forms"]
    assert mine["editor_comments"]["replies"][0]["text"] == "已补充"
    assert mine["uploads"]["unfinished_uploads"] == 1 and mine["admin_profile"] is not None
    assert set(mine["on_erasure"]) == {h.section for h in handlers()}
    theirs = exports[expert.pk]
    assert theirs["expert_reviews"]["reviews"][0]["total"] == "85.00"
    assert theirs["expert_reviews"]["profile"] is not None
    assert theirs["editor_comments"]["comments"][0]["text"] == "请补充教学设计"
    assert theirs["api_tokens"][0]["name"] == "评审助手"
    assert exports[pupil.pk]["access_events"][0]["role"] == "student"
    assert exports[pupil.pk]["publicity"]["objections_filed"][0]["reason"] == "与另一所学校的作品雷同"
    assert {e["action"] for e in mine["review_history"]} >= {"submit"}

    names = {p.pk: (p.username, p.email) for p in (teacher, expert, pupil)}
    for person in (teacher, expert, pupil):
        call_command("personal_data", "delete", person.username, "--noinput", stdout=io.StringIO())

    everything = everything_in_the_database()
    for username, email in names.values():
        assert username not in everything
        if email:
            assert email not in everything
    for pk in names:
        assert not AccessEvent.objects.filter(user_id=pk).exists()
        assert not AccessEvent.objects.filter(client_key=f"u:{pk}").exists()
        assert not DailyUserActivity.objects.filter(client_key=f"u:{pk}").exists()
    # What is deleted is gone; what is a record of the campaign stays, pointing at no one.
    assert not Notification.objects.filter(user=teacher).exists()
    assert not ExpertProfile.objects.filter(user=expert).exists()
    assert not (APIToken.objects.filter(user=expert).exists() or PageSubscription.objects.filter(user=teacher).exists())
    assert not (EditingSession.objects.filter(user=teacher).exists() or FormState.objects.filter(user=teacher).exists())
    assert not UploadedFile.objects.filter(uploaded_by_user=teacher).exists()
    assert not Page.objects.filter(locked_by=teacher).exists()
    assert Submission.objects.filter(pk=submitted.pk, teacher=teacher).exists()
    objection = Objection.objects.get(item__submission=second)
    assert objection.author is None and objection.reason == "与另一所学校的作品雷同"  # the record stays
    assert not ReviewEvent.objects.filter(actor__in=[teacher, expert, pupil]).exists()
    assert ReviewEvent.objects.filter(submission=submitted, actor_role="teacher").exists()
    assert ExpertReview.objects.filter(pk=review.pk, total=85).exists()
    assert AccessEvent.objects.filter(resource=resource).count() == 3  # the visits themselves stay
    teacher.refresh_from_db()
    assert not teacher.groups.exists() and not teacher.is_active
    assert services  # the review services ran for real above
