"""No stored or reflected XSS: titles, descriptions (rich text), import files, comments and
taxonomy names render escaped or sanitised on public pages."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from wagtail.models import Comment, Page

from catalogue.models import ResourcePage, Role, Topic
from catalogue.services import taxonomy_pages_sync
from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'


def assert_inert(html: str):
    """No element in the page can run script: no inline <script>, no on* handler, no
    javascript: URL. (Markup shown as escaped text is fine: it is only text.)"""
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/json", script
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), element
            text = " ".join(value) if isinstance(value, list) else str(value)
            assert not text.strip().lower().startswith("javascript:"), element
        assert element.name not in ("iframe", "object", "embed", "svg"), element


def publish_with(resource, **fields):
    for name, value in fields.items():
        setattr(resource, name, value)
    resource.save_revision().publish()
    return ResourcePage.objects.get(pk=resource.pk)


def test_titles_authors_and_names_are_escaped_on_every_public_page(client, site_pages):
    factories.user(Role.TEACHER, username="evil")
    resource = publish_with(factories.resource(title=f"嵖岈山{SCRIPT}"), authors=f"张三{IMG}", co_authors=SCRIPT)
    topic_page = resource.topic.page
    for url in ["/", resource.url, topic_page.url, resource.theme.page.url, resource.get_parent().url]:
        html = client.get(url).content.decode()
        assert_inert(html)
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in client.get(resource.url).content.decode()


def test_display_name_in_the_header_is_escaped(client, site_pages):
    user = factories.user(Role.STUDENT, username="nick")
    user.profile.display_name = SCRIPT
    user.profile.save()
    client.force_login(user)
    assert_inert(client.get("/").content.decode())


def test_search_box_does_not_reflect_markup(client, site_pages):
    html = client.get("/", {"q": f'"><svg onload=alert(1)>{SCRIPT}'}).content.decode()
    assert "<svg onload" not in html and "<script>alert" not in html


def test_taxonomy_names_are_escaped(client, site_pages):
    Topic.objects.filter(name="嵖岈山").update(name=f"嵖岈山{IMG}")
    taxonomy_pages_sync()
    resource = factories.resource(topic=f"嵖岈山{IMG}")
    for url in ["/", resource.url, resource.theme.page.url]:
        assert_inert(client.get(url).content.decode())


def _description_from_editor(contentstate: dict) -> str:
    """The HTML Wagtail stores when an editor saves the description field in the admin."""
    form_class = ResourcePage.get_edit_handler().get_form_class()
    widget = form_class.base_fields["description"].widget
    return widget.value_from_datadict({"description": json.dumps(contentstate)}, {}, "description")


def test_rich_text_from_the_editor_is_whitelisted(client, site_pages):
    contentstate = {
        "blocks": [
            {
                "key": "a",
                "type": "unstyled",
                "text": f"点我 {SCRIPT} {IMG}",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 0, "length": 2, "key": 0}],
                "data": {},
            },
            {
                "key": "b",
                "type": "unstyled",
                "text": "外链",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 0, "length": 2, "key": 1}],
                "data": {},
            },
        ],
        "entityMap": {
            "0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "javascript:alert(document.cookie)"}},
            "1": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "https://www.zxx.edu.cn/"}},
        },
    }
    html = _description_from_editor(contentstate)
    assert "javascript:" not in html and "<script" not in html and "<img" not in html
    assert 'href="https://www.zxx.edu.cn/"' in html
    resource = publish_with(factories.resource(), description=html)
    page = client.get(resource.url).content.decode()
    assert_inert(page)
    assert "&lt;script&gt;" in page  # typed markup stays visible text


def test_import_files_cannot_inject_markup(tmp_path, client, site_pages):
    row = {
        "external_id": "xss-1",
        "title": f"梁祝{SCRIPT}",
        "description": f"第一段{IMG}\n第二段{SCRIPT}",
        "theme": "传统文化",
        "topic": "梁祝文化",
        "subjects": "语文",
        "stage": "小学",
        "grades": "",
        "resource_type": "微课视频",
        "region": "汝南县",
        "school": "",
        "year": 2025,
        "authors": f"王静{IMG}",
        "url": "javascript:alert(1)",
    }
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    try:
        call_command("import_resources", str(path))
    except Exception as exc:  # a javascript: URL may be refused outright: that is fine too
        assert "url" in str(exc).lower() or "链接" in str(exc)
        row["url"] = ""
        path.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
        call_command("import_resources", str(path))
    page = ResourcePage.objects.get(external_id="xss-1")
    assert not page.external_url.lower().startswith("javascript:")
    assert_inert(client.get(page.url).content.decode())


def test_admin_comments_are_escaped_in_the_editor(client, site_pages):
    admin = factories.user(Role.RESOURCE_ADMIN, username="commenter", region="", is_superuser=True)
    resource = factories.resource(publish=False)
    Comment.objects.create(
        page=Page.objects.get(pk=resource.pk), user=admin, text=f"</script>{SCRIPT}", contentpath="title"
    )
    client.force_login(admin)
    html = client.get(f"/admin/pages/{resource.pk}/edit/").content.decode()
    assert "</script><script>alert" not in html
    assert "<script>alert('xss')" not in html
