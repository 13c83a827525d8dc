"""With a shared cache (production: Redis), a warm visitor page runs one SQL query, for the content
version: the routed page, a resource page's files, gallery, subjects and grades, the home page's
listings and each listing page's cards are kept under that version and the counts' token
(catalogue.caching.content). These tests switch that on
in one process (settings.CATALOGUE_CONTENT_CACHE) and make, as the admin, the review and the
counting do, every kind of change a kept page can show, then read the page as a visitor would:
the change must be there at once, and unpublished work must never be.

tests/hardening/test_cache_layers.py proves the same across two gunicorn workers and Redis.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from catalogue.models import DocumentPreview, ResourcePage, School, TopicPage
from tests import factories

from .test_query_counts import QueueRecorder, public_pages

pytestmark = pytest.mark.django_db


def unmasked(html: str) -> str:
    """The page without its CSRF token, which Django masks afresh for every response."""
    return re.sub(r'(csrf-token|csrfmiddlewaretoken" value)="[^"]+"', r'\1=""', html)


@pytest.fixture
def kept(settings):
    settings.CATALOGUE_CONTENT_CACHE = True


@pytest.fixture
def queue(monkeypatch):
    from indicators import recording

    recorder = QueueRecorder()
    monkeypatch.setattr(recording, "get_recorder", lambda: recorder)
    return recorder


def test_a_warm_visitor_page_runs_one_query_and_shows_what_the_database_would(
    client, catalogue_site, kept, queue, settings, django_assert_num_queries, django_assert_max_num_queries
):
    pages = public_pages(catalogue_site)
    for name, url in pages.items():
        if name in ("search", "login"):
            continue  # search answers from its own engine's state; the login page runs none anyway
        assert client.get(url).status_code == 200, name  # cold: builds and keeps
        if name == "campaign":
            # the version, then its open themes and review's public notices (read each time)
            with django_assert_max_num_queries(3, info=name):
                kept_html = client.get(url).content.decode()
        else:
            with django_assert_num_queries(1, info=name):  # the content version
                kept_html = client.get(url).content.decode()
        settings.CATALOGUE_CONTENT_CACHE = False
        read_html = client.get(url).content.decode()
        settings.CATALOGUE_CONTENT_CACHE = True
        assert unmasked(kept_html) == unmasked(read_html), name  # the same page, byte for byte
    viewed = [e["resource_id"] for e in queue.events if e["action"] == "view"]
    assert viewed.count(catalogue_site["resource"].pk) == 3  # every view still counted, kept or not


def test_a_resource_unpublished_in_the_admin_is_gone_at_once(admin_client, client, catalogue_site, kept):
    resource = catalogue_site["resource"]
    topic_url = TopicPage.objects.get(topic__name="嵖岈山").url
    for url in ("/", topic_url, resource.url):
        assert resource.title in client.get(url).content.decode()  # kept now
    response = admin_client.post(f"/admin/pages/{resource.pk}/unpublish/")
    assert response.status_code == 302
    assert client.get(resource.url).status_code == 404
    assert resource.title not in client.get("/").content.decode()
    assert resource.title not in client.get(topic_url).content.decode()


def test_a_resource_republished_shows_its_new_title_and_files_at_once(client, catalogue_site, kept):
    resource = catalogue_site["resource"]
    design = resource.files.get(kind="document")
    design_link = reverse("catalogue:resource_file", args=[design.pk, "x"])[:-1]  # /files/<id>/
    html = client.get(resource.url).content.decode()
    assert design_link in html  # the document, kept with the page
    page = ResourcePage.objects.get(pk=resource.pk).get_latest_revision_as_object()
    page.title = "嵖岈山｜花岗岩地貌（修订）"
    page.files = [f for f in page.files.all() if f.kind == "video"]  # the document withdrawn
    page.save_revision().publish()
    html = client.get(resource.url).content.decode()
    assert "嵖岈山｜花岗岩地貌（修订）" in html
    assert design_link not in html  # no link to a file the resource no longer has
    assert "嵖岈山｜花岗岩地貌（修订）" in client.get("/").content.decode()


def test_a_draft_saved_over_a_kept_page_stays_unpublished(client, catalogue_site, kept):
    resource = catalogue_site["resource"]
    assert client.get(resource.url).status_code == 200  # kept now
    page = ResourcePage.objects.get(pk=resource.pk).get_latest_revision_as_object()
    page.title = "草稿：尚未发布的新标题"
    page.save_revision()  # saves the live row too (draft title, has unpublished changes)
    for url in ("/", resource.url, TopicPage.objects.get(topic__name="嵖岈山").url):
        html = client.get(url).content.decode()
        assert "尚未发布的新标题" not in html, url
        assert resource.title in html, url


def test_a_reading_copy_made_after_publication_shows_at_once(client, site_pages, kept):
    document = factories.document("任务单", name="renwudan.docx", data=b"PK\x03\x04" + bytes(500))
    resource = factories.resource(title="嵖岈山｜研学任务单", files=[(document, "document")])
    file_id = resource.files.get().pk
    html = client.get(resource.url).content.decode()
    assert "data-pdf=" not in html  # no reading copy yet: download only
    DocumentPreview.objects.create(
        document=document,
        status=DocumentPreview.Status.READY,
        file=ContentFile(b"%PDF-1.4\n" * 20, name="renwudan.pdf"),
    )
    reader = reverse("catalogue:document_preview", args=[file_id])
    assert f'data-pdf="{reader}"' in client.get(resource.url).content.decode()


def test_counts_written_by_the_roll_up_show_at_once(client, catalogue_site, kept):
    """The roll-ups write new totals onto the resource (indicators.services.resource_counts_sync, as
    the scheduled refresh does): the kept page and the home page's 最受欢迎 show them at once."""
    import datetime

    from indicators.models import DailyResourceRollup
    from indicators.services import resource_counts_sync

    resource = catalogue_site["resource"]
    assert 'class="count-views">12<' in client.get(resource.url).content.decode()  # kept now
    assert "浏览 4321" not in client.get("/").content.decode()  # the home page's cards, kept now
    DailyResourceRollup.objects.create(
        day=datetime.date(2026, 11, 1), resource_id=resource.pk, action="view", total=4321
    )
    assert resource_counts_sync(resource_ids=[resource.pk]) == [resource.pk]
    assert 'class="count-views">4321<' in client.get(resource.url).content.decode()
    home = client.get("/").content.decode()
    # 最受欢迎 now opens with it (13 was the most any other resource had)
    assert "浏览 4321" in home
    popular = home[home.index("最受欢迎") :]
    assert popular.index("浏览 4321") < popular.index("浏览 13")


def test_a_school_renamed_shows_at_once(client, catalogue_site, kept):
    resource = catalogue_site["resource"]
    assert "遂平县第一初级中学" in client.get(resource.url).content.decode()
    school = School.objects.get(name="遂平县第一初级中学")
    school.name = "遂平县第一中学"
    school.save()
    html = client.get(resource.url).content.decode()
    assert "遂平县第一中学" in html and "遂平县第一初级中学" not in html


def test_filters_no_one_offers_are_not_kept(client, catalogue_site, kept):
    """A visitor cannot fill the cache with listings for ids the filters do not offer."""
    from django.core.cache import cache

    def kept_listings():
        return sorted(k for k in cache._cache if ":catalogue:listing" in k)

    topic_url = TopicPage.objects.get(topic__name="杨靖宇将军纪念馆").url
    client.get(topic_url)
    before = kept_listings()
    assert before  # the unfiltered listing is kept
    for n in range(5):
        assert client.get(f"{topic_url}?subject={987650 + n}&page={n}").status_code == 200
    assert kept_listings() == before
    site = catalogue_site["resource"]
    both = f"{topic_url}?stage={site.stage_id}&type={site.resource_type_id}"
    assert client.get(both).status_code == 200  # two filters at once: answered, not kept
    assert kept_listings() == before
    assert client.get(f"{topic_url}?page=99999").status_code == 200  # the last page, kept as that number
    assert len(kept_listings()) == len(before) + 1


def _download(client, resource_file):
    url = reverse("catalogue:resource_file", args=[resource_file.pk, "x.pdf"]) + "?download=1"
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_a_warm_download_runs_one_query_and_is_still_counted(
    client, catalogue_site, kept, queue, django_assert_num_queries
):
    design = catalogue_site["resource"].files.get(kind="document")
    expected = design.document.file.open("rb").read()
    assert _download(client, design) == (200, expected)  # cold: kept now
    with django_assert_num_queries(1):  # the content version
        assert _download(client, design) == (200, expected)
    downloads = [e for e in queue.events if e["action"] == "download"]
    assert [e["file_id"] for e in downloads] == [design.pk, design.pk]


def test_a_kept_file_follows_its_resource_and_its_document_at_once(admin_client, client, catalogue_site, kept):
    resource = catalogue_site["resource"]
    design = resource.files.get(kind="document")
    assert _download(client, design)[0] == 200  # kept now
    document = design.document
    document.file.save("设计-修订.pdf", ContentFile(b"%PDF-1.4 revised\n" * 40), save=False)
    document.save()  # the admin's "replace file"
    assert _download(client, design) == (200, b"%PDF-1.4 revised\n" * 40)
    assert admin_client.post(f"/admin/pages/{resource.pk}/unpublish/").status_code == 302
    assert _download(client, design)[0] == 404  # a visitor: the resource is no longer public
    assert _download(admin_client, design)[0] == 200  # its editors still may


def test_a_withdrawn_resource_stays_withdrawn_when_redis_loses_the_news(
    admin_client, client, catalogue_site, kept, monkeypatch
):
    """Redis failing while a resource is unpublished (its cache calls are tolerated: the version
    tokens kept there are not replaced) must not leave the kept page or its file served: the
    content version is in the database, raised in the unpublish's own transaction."""
    from catalogue import caching

    resource = catalogue_site["resource"]
    design = resource.files.get(kind="document")
    assert client.get(resource.url).status_code == 200 and _download(client, design)[0] == 200  # kept
    monkeypatch.setattr(caching, "version_bump", lambda name: None)  # every token write lost
    assert admin_client.post(f"/admin/pages/{resource.pk}/unpublish/").status_code == 302
    assert client.get(resource.url).status_code == 404
    assert _download(client, design)[0] == 404
    assert resource.title not in client.get("/").content.decode()


def test_drafts_and_new_uploads_leave_kept_pages_kept(client, catalogue_site, kept, queue, django_assert_num_queries):
    """During a campaign teachers save drafts and upload files all day: none of that is shown to
    visitors, so kept pages stay kept."""
    resource = catalogue_site["resource"]
    client.get(resource.url)
    draft = factories.resource(title="未发布的草稿", publish=False)
    draft.save_revision()
    factories.image("新上传的封面")
    factories.document("新上传的教案", name="jiaoan.pdf")
    with django_assert_num_queries(1):
        assert client.get(resource.url).status_code == 200


def test_a_filter_value_that_only_looks_like_a_number_is_ignored(client, catalogue_site, kept):
    topic_url = TopicPage.objects.get(topic__name="杨靖宇将军纪念馆").url
    response = client.get(topic_url + "?subject=%C2%B2&stage=%EF%BC%91")  # "²" and a full-width "１"
    assert response.status_code == 200
    assert "杨靖宇｜第13课" in response.content.decode()  # the unfiltered listing
