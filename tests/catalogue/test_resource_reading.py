"""What a reader meets on a resource page: plain file labels, downloads named after the resource,
readable addresses (old ones redirect), 收藏, 学习记录 that resumes a video, share card and QR code."""

import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from catalogue.models import Favourite, LearningRecord, ResourceFile, ResourcePage, Role
from tests import factories

pytestmark = pytest.mark.django_db


def _pdf() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(buffer, format="PDF")
    return buffer.getvalue()


@pytest.fixture
def design(site_pages):
    """A 教学设计 as review publishes it: the files carry the reviewers' captions 主文件 / 配套材料."""
    main = factories.document("jiaoxuesheji", name="jiaoxuesheji.pdf", data=_pdf())
    extra = factories.document("good_X6J3nop", name="good_X6J3nop.pdf", data=_pdf())
    page = factories.resource(title="嵖岈山地质探秘", resource_type="design", publish=False)
    page.files = [
        ResourceFile(document=main, kind="document", caption="主文件"),
        ResourceFile(document=extra, kind="document", caption="配套材料"),
    ]
    page.save_revision().publish()
    return ResourcePage.objects.get(pk=page.pk)


def test_files_get_plain_labels_and_downloads_are_named_after_the_resource(client, design):
    html = client.get(design.url).content.decode()
    assert "主文件" not in html and "jiaoxuesheji" not in html and "good_X6J3nop" not in html
    assert "教学设计" in html and "配套材料" in html
    main = design.files.get(caption="主文件")
    url = reverse("catalogue:resource_file", args=[main.pk, "嵖岈山地质探秘-教学设计.pdf"])
    assert url + "?download=1" in html
    response = client.get(url + "?download=1")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "嵖岈山地质探秘-教学设计.pdf"
    ascii_name = re.search(r'filename="([^"]*)"', disposition).group(1)
    assert ascii_name == "cha-ya-shan-di-zhi-tan-mi-jiao-xue-she-ji.pdf"
    assert ascii_name.isascii()


def test_download_name_is_safe_for_every_file_system(client, site_pages):
    from catalogue.naming import download_name

    assert download_name('嫘祖/养蚕:"丝绸"?', "课件", "x.PPTX") == "嫘祖-养蚕-丝绸-课件.pptx"
    doc = factories.document("x", name="x.pdf", data=_pdf())
    page = factories.resource(title='a\r\nb;c"d', resource_type="courseware", files=[(doc, "document")])
    f = page.files.get()
    response = client.get(reverse("catalogue:resource_file", args=[f.pk, "x.pdf"]) + "?download=1")
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and header.count('"') == 2


def test_a_resource_published_under_a_draft_slug_gets_a_pinyin_address_and_the_old_one_redirects(
    client, site_pages, django_capture_on_commit_callbacks
):
    page = factories.resource(title="嵖岈山｜花岗岩地貌的形成", publish=False)
    page.slug = "s2026-75bdb814add5"
    page.save()
    old_url = page.get_parent().url + "s2026-75bdb814add5/"
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail creates redirects on commit
        page.save_revision().publish()
    page.refresh_from_db()
    assert page.slug == "cha-ya-shan-hua-gang-yan-di-mao-de-xing-cheng"
    assert client.get(page.url).status_code == 200
    response = client.get(old_url)
    assert response.status_code in (301, 302) and response["Location"].endswith(page.url)
    # A second work with the same title in the campaign gets its own address.
    twin = factories.resource(title="嵖岈山｜花岗岩地貌的形成", publish=False)
    twin.slug = "s2026-0123456789ab"
    twin.save()
    twin.save_revision().publish()
    twin.refresh_from_db()
    assert twin.slug == page.slug + "-2"
    # Republishing (an edit after publication) keeps the address.
    page.get_latest_revision_as_object().save_revision().publish()
    page.refresh_from_db()
    assert page.slug == "cha-ya-shan-hua-gang-yan-di-mao-de-xing-cheng"


def test_favourite_and_my_library(client, design):
    student = factories.user(Role.STUDENT)
    # Anonymous: the button asks to sign in, and posting stores nothing.
    assert "登录后收藏" in client.get(design.url).content.decode()
    response = client.post(reverse("catalogue:favourite", args=[design.pk]), {"on": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Favourite.objects.count() == 0

    client.force_login(student)
    for _ in range(2):  # a double click stores one favourite
        client.post(reverse("catalogue:favourite", args=[design.pk]), {"on": "1", "next": design.url})
    assert Favourite.objects.filter(user=student, resource=design).count() == 1
    assert "已收藏" in client.get(design.url).content.decode()
    library = client.get("/me/").content.decode()
    assert "嵖岈山地质探秘" in library
    history = client.get("/me/?tab=history").content.decode()
    assert "嵖岈山地质探秘" in history  # opened above
    # An unpublished resource drops out of the library.
    design.unpublish()
    assert "嵖岈山地质探秘" not in client.get("/me/").content.decode()
    # Nobody can favourite a draft they may not see.
    response = client.post(reverse("catalogue:favourite", args=[design.pk]), {"on": "1"})
    assert response.status_code == 404

    client.post(reverse("catalogue:favourite", args=[design.pk]), {"on": "0"})
    assert not Favourite.objects.filter(user=student).exists()


@pytest.fixture
def video(site_pages):
    from catalogue.demo.media import SAMPLE_VIDEO

    doc = factories.document("微课", name="clip.mp4", data=SAMPLE_VIDEO.read_bytes())
    return factories.resource(title="嵖岈山｜微课", files=[(doc, "video")])


def test_learning_progress_is_kept_per_user_and_resumes(client, video):
    student = factories.user(Role.STUDENT)
    other = factories.user(Role.STUDENT)
    f = video.files.get()
    endpoint = reverse("catalogue:learning_progress")
    # Anonymous readers are told to sign in; nothing is stored.
    assert client.post(endpoint, {"resource": video.pk, "file": f.pk, "position": "3"}).status_code == 401
    client.force_login(student)
    client.get(video.url)
    response = client.post(endpoint, {"resource": video.pk, "file": f.pk, "position": "42.5", "duration": "120"})
    assert response.status_code == 204
    record = LearningRecord.objects.get(user=student, resource=video)
    assert (record.position, record.duration, record.file_id) == (42.5, 120.0, f.pk)
    assert 'data-resume="42.5"' in client.get(video.url).content.decode()
    # Hostile values: not a number, infinity, another resource's file.
    for bad in ({"position": "abc"}, {"position": "inf"}, {"position": "nan"}):
        response = client.post(endpoint, {"resource": video.pk, "file": f.pk, "duration": "120", **bad})
        assert response.status_code == 400
    doc = factories.document("另一个", name="b.mp4", data=b"\x00" * 100)
    foreign = factories.resource(title="另一个资源", files=[(doc, "video")]).files.get()
    response = client.post(endpoint, {"resource": video.pk, "file": foreign.pk, "position": "5", "duration": "9"})
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.position == 42.5
    # Another reader starts from the beginning.
    client.force_login(other)
    assert "data-resume" not in client.get(video.url).content.decode()
    # Watched to the end: the next visit starts over.
    client.force_login(student)
    client.post(endpoint, {"resource": video.pk, "file": f.pk, "position": "119", "duration": "120"})
    assert "data-resume" not in client.get(video.url).content.decode()


def test_share_card_meta_and_qr_code_decodes_to_the_page_url(client, video):
    import zxingcpp
    from PIL import Image

    html = client.get(video.url).content.decode()
    page_url = "http://testserver" + video.url
    assert '<meta property="og:title" content="嵖岈山｜微课">' in html
    assert '<meta property="og:description" content="测试资源简介。">' in html
    assert f'<meta property="og:url" content="{page_url}">' in html
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert image.startswith("http://testserver/media/images/")
    qr = re.search(r'<img class="qr" src="([^"]+)"', html).group(1)
    response = client.get(qr)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [d.text for d in decoded] == [page_url]
    # No QR code of a draft (its address must not leak).
    draft = factories.resource(title="草稿", publish=False)
    assert client.get(reverse("catalogue:page_qr", args=[draft.pk])).status_code == 404


def test_favicon_and_touch_icon_are_linked_and_exist(client, site_pages):
    from django.contrib.staticfiles import finders
    from PIL import Image

    html = client.get("/").content.decode()
    hrefs = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="/static/([^"]+)"', html)
    assert len(hrefs) == 3 and 'rel="apple-touch-icon"' in html
    for href in hrefs:
        path = finders.find(href)
        assert path, href
        Image.open(path).verify()


def test_unread_count_in_the_header_costs_anonymous_pages_no_query(client, site_pages, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review.models import Notification

    teacher = factories.user(Role.TEACHER)
    Notification.objects.create(user=teacher, kind="approved", message="通过", link="/submit/")
    Notification.objects.create(user=teacher, kind="approved", message="通过", link="/submit/")
    with CaptureQueriesContext(connection) as anonymous:
        client.get("/")
    assert not any("notification" in q["sql"].lower() for q in anonymous.captured_queries)
    client.force_login(teacher)
    html = client.get("/").content.decode()
    assert 'aria-label="2 条未读"' in html


def test_favourites_and_history_are_in_the_personal_data_export_and_erased(client, video):
    from ops.personal_data import personal_data_erase, personal_data_export

    student = factories.user(Role.STUDENT)
    client.force_login(student)
    client.get(video.url)
    client.post(reverse("catalogue:favourite", args=[video.pk]), {"on": "1"})
    data = personal_data_export(user=student)
    assert data["favourites"][0]["resource"] == "嵖岈山｜微课"
    assert data["learning_history"][0]["visits"] == 1
    summary = personal_data_erase(user=student)
    assert (summary["favourites"], summary["learning_history"]) == (1, 1)
    assert not Favourite.objects.filter(user=student).exists()
    assert not LearningRecord.objects.filter(user=student).exists()
