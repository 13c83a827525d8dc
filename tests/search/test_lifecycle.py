"""Indexing follows Wagtail's publish lifecycle: publish adds, unpublish/delete/private removes,
moves update URLs, drafts never appear, taxonomy edits reach the dictionary."""

import pytest
from wagtail.models import PageViewRestriction

from search.models import SearchDocument
from search.selectors import search_resources
from tests import factories

pytestmark = pytest.mark.django_db


def titles(q, **params):
    return [item.resource.title for item in search_resources({"q": q, **params}).results]


def test_publish_adds_and_unpublish_removes(publish, django_capture_on_commit_callbacks):
    resource = publish(title="嫘祖故里研学手册", topic="嫘祖文化")
    assert titles("嫘祖") == ["嫘祖故里研学手册"]
    with django_capture_on_commit_callbacks(execute=True):
        resource.unpublish()
    assert titles("嫘祖") == []
    assert not SearchDocument.objects.filter(pk=resource.pk).exists()


def test_drafts_never_appear(publish, django_capture_on_commit_callbacks):
    publish(title="嫘祖草稿", topic="嫘祖文化", publish=False)
    assert titles("嫘祖") == []
    assert search_resources({"q": ""}).count == 0
    # A new draft revision of a live resource does not leak its unpublished title either.
    live = publish(title="嫘祖已发布", topic="嫘祖文化")
    live.title = "嫘祖修改中的标题"
    with django_capture_on_commit_callbacks(execute=True):
        live.save_revision()
    assert titles("嫘祖") == ["嫘祖已发布"]


def test_delete_removes(publish, django_capture_on_commit_callbacks):
    resource = publish(title="竹沟研学路线设计", topic="竹沟革命根据地")
    assert titles("竹沟") == ["竹沟研学路线设计"]
    with django_capture_on_commit_callbacks(execute=True):
        resource.delete()
    assert titles("竹沟") == []
    assert not SearchDocument.objects.filter(pk=resource.pk).exists()


def test_private_section_is_not_searchable(publish, django_capture_on_commit_callbacks):
    resource = publish(title="嵖岈山内部资料", topic="嵖岈山")
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=resource, restriction_type=PageViewRestriction.LOGIN)
    assert titles("嵖岈山") == []


def test_move_updates_the_url(publish, django_capture_on_commit_callbacks):
    resource = publish(title="薄山湖的水循环", topic="薄山湖")
    other = factories.campaign(year=2024)
    with django_capture_on_commit_callbacks(execute=True):
        resource.move(other, pos="last-child")
    doc = SearchDocument.objects.get(pk=resource.pk)
    resource.refresh_from_db()
    assert doc.url == resource.url and "2024" in doc.url
    result = search_resources({"q": "薄山湖"})
    assert result.results[0].as_json()["url"] == resource.url


def test_a_new_topic_is_segmented_without_a_deploy(publish, django_capture_on_commit_callbacks):
    from catalogue.models import Theme, Topic

    with django_capture_on_commit_callbacks(execute=True):
        Topic.objects.create(theme=Theme.objects.get(name="自然风貌"), name="金顶山", slug="jindingshan")
    publish(title="金顶山地质考察", topic="金顶山")
    assert titles("金顶山") == ["金顶山地质考察"]
    assert titles("jds") == ["金顶山地质考察"]
    assert titles("jindingshan") == ["金顶山地质考察"]


def test_rebuild_command_recreates_the_index(publish):
    from django.core.management import call_command

    publish(title="梁祝故事与汝南", topic="梁祝文化", region="汝南县")
    SearchDocument.objects.all().delete()
    assert titles("梁祝") == []
    call_command("search_index", "--rebuild")
    assert titles("梁祝") == ["梁祝故事与汝南"]
    assert titles("liangzhu") == ["梁祝故事与汝南"]
