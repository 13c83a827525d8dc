"""Media is served with HTTP range support so a student can seek in a long video."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

DATA = bytes(range(256)) * 16  # 4096 bytes


@pytest.fixture
def video_url(site_pages):
    doc = factories.document("微课", name="lesson.mp4", data=DATA)
    page = factories.resource(files=[(doc, "video")])
    f = page.files.get()
    return reverse("catalogue:resource_file", args=[f.pk, f.filename])


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_whole_file_advertises_ranges(client, video_url):
    response = client.get(video_url)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert body(response) == DATA


def test_byte_range_returns_partial_content(client, video_url):
    response = client.get(video_url, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 100-199/4096"
    assert body(response) == DATA[100:200]


def test_open_ended_and_suffix_ranges(client, video_url):
    tail = client.get(video_url, HTTP_RANGE="bytes=4000-")
    assert tail.status_code == 206 and body(tail) == DATA[4000:]
    suffix = client.get(video_url, HTTP_RANGE="bytes=-10")
    assert suffix["Content-Range"] == "bytes 4086-4095/4096" and body(suffix) == DATA[-10:]


def test_unsatisfiable_range_is_416(client, video_url):
    response = client.get(video_url, HTTP_RANGE="bytes=5000-6000")
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */4096"


def test_download_is_an_attachment_with_chinese_filename(client, site_pages):
    doc = factories.document("课件", name="嵖岈山课件.pdf")
    page = factories.resource(files=[(doc, "document")])
    f = page.files.get()
    response = client.get(reverse("catalogue:resource_file", args=[f.pk, f.filename]) + "?download=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "UTF-8''" in response["Content-Disposition"]


def test_media_path_traversal_is_refused(client, db):
    assert client.get("/media/../config/settings/base.py").status_code == 404
    assert client.get("/media/%2e%2e/manage.py").status_code == 404
