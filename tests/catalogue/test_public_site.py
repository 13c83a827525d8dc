"""What a student sees: theme, topic, campaign and resource pages, filters, and nothing unpublished."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def chayashan_video(site_pages):
    video = factories.document("微课视频", name="clip.mp4", data=b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    return factories.resource(title="嵖岈山｜花岗岩地貌的形成", files=[(video, "video")])


def test_home_lists_every_theme_and_latest_resource(client, chayashan_video):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for theme in ("红色文化", "传统文化", "自然风貌"):
        assert theme in html
    assert "嵖岈山｜花岗岩地貌的形成" in html


def test_topic_page_lists_its_resources_with_filters(client, chayashan_video):
    factories.resource(title="嵖岈山｜奇石图集", resource_type="gallery", subjects=("美术",), stage="小学")
    factories.resource(title="嫘祖｜养蚕", topic="嫘祖文化")
    html = client.get("/natural-scenery/chayashan/").content.decode()
    assert "嵖岈山｜花岗岩地貌的形成" in html and "嵖岈山｜奇石图集" in html
    assert "嫘祖｜养蚕" not in html  # another topic's resource is not listed here

    from catalogue.models import Subject

    art = Subject.objects.get(name="美术")
    filtered = client.get(f"/natural-scenery/chayashan/?subject={art.pk}").content.decode()
    assert "嵖岈山｜奇石图集" in filtered
    assert "嵖岈山｜花岗岩地貌的形成" not in filtered
    assert "共 1 个资源" in filtered


def test_listing_paginates_twelve_per_page_and_keeps_filters(client, site_pages):
    for i in range(14):
        factories.resource(title=f"嵖岈山｜第{i}课", with_cover=False)
    first = client.get("/natural-scenery/chayashan/?stage=&page=1").content.decode()
    second = client.get("/natural-scenery/chayashan/?page=2").content.decode()
    assert first.count('class="card"') == 12
    assert second.count('class="card"') == 2
    assert "第 2 / 2 页" in second


def test_resource_detail_shows_title_cover_player_and_download(client, chayashan_video):
    response = client.get(chayashan_video.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>嵖岈山｜花岗岩地貌的形成</h1>" in html
    assert "<video" in html and 'poster="/media/images/' in html
    file = chayashan_video.files.get()
    # Downloads are named after the resource and the file's role, not the uploader's file name.
    named = reverse("catalogue:resource_file", args=[file.pk, "嵖岈山｜花岗岩地貌的形成-作品视频.mp4"])
    assert named + "?download=1" in html
    assert "clip.mp4" not in html


def test_draft_resource_is_invisible_to_the_public(client, site_pages):
    doc = factories.document("草稿课件")
    draft = factories.resource(title="嵖岈山｜未发布草稿", publish=False, files=[(doc, "document")])
    assert client.get(draft.url_path.replace("/home", "", 1)).status_code == 404
    assert "未发布草稿" not in client.get("/natural-scenery/chayashan/").content.decode()
    assert "未发布草稿" not in client.get("/").content.decode()
    file = draft.files.get()
    assert client.get(reverse("catalogue:resource_file", args=[file.pk, file.filename])).status_code == 404
    # Wagtail's own document URL and the raw media path are closed too.
    assert client.get(doc.url).status_code in (403, 404)
    assert client.get(f"/media/{doc.file.name}").status_code == 404


def test_unpublished_resource_disappears(client, chayashan_video):
    assert client.get(chayashan_video.url).status_code == 200
    url = chayashan_video.url
    chayashan_video.unpublish()
    assert client.get(url).status_code == 404
    assert "花岗岩地貌的形成" not in client.get("/natural-scenery/chayashan/").content.decode()


def test_national_resources_are_shown_beside_local_ones(client, site_pages):
    from catalogue.services import national_index_ensure

    factories.resource(
        title="国家平台：地理专题",
        parent=national_index_ensure(),
        source="national",
        external_url="https://basic.smartedu.cn/",
        resource_type="link",
    )
    html = client.get("/").content.decode()
    assert "国家平台：地理专题" in html and "国家优质资源" in html
    detail = client.get("/national/").content.decode()
    assert "国家平台：地理专题" in detail


def test_campaign_page_shows_dates_and_status(client, site_pages):
    open_campaign = factories.campaign(year=2026, open_now=True)
    html = client.get(open_campaign.url).content.decode()
    assert "征集中" in html and "征集时间" in html
    closed = factories.campaign(year=2024, open_now=False)
    assert "已截止" in client.get(closed.url).content.decode()


def test_pages_are_in_chinese(client, site_pages):
    response = client.get("/")
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans">' in response.content.decode()
