"""Every file door, in both ways of sending the bytes: Django streams them (the embedded default) or
Django answers with an X-Accel-Redirect for nginx (MEDIA_ACCEL_REDIRECT=true, docker-compose).

Visibility and counting are decided before either; the headers a browser relies on (type, the
download name, nosniff, the CSP of files) are the same. test_nginx.py runs the X-Accel-Redirect
responses through a real nginx.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse

from catalogue.models import Role
from indicators.models import AccessEvent
from tests import factories
from tests.review import media

pytestmark = pytest.mark.django_db

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64
CHINESE_NAME = "嵖岈山花岗岩地貌教学设计.pdf"
# What the reader's browser saves it as: the resource's title and the file's label (catalogue.naming).
DOWNLOAD_NAME = "嵖岈山｜花岗岩地貌-配套材料.pdf"


@pytest.fixture(params=["django", "nginx"])
def mode(request, settings):
    settings.MEDIA_ACCEL_REDIRECT = request.param == "nginx"
    if settings.MEDIA_ACCEL_REDIRECT:  # as config/settings/base.py does from the environment
        settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_ROOT = settings.MEDIA_ROOT
    return request.param


@pytest.fixture
def files(site_pages):
    video = factories.document("微课", name="嵖岈山微课.mp4", data=VIDEO)
    design = factories.document("教学设计", name=CHINESE_NAME)
    public = factories.resource(files=[(video, "video"), (design, "document")])
    draft_doc = factories.document("草稿课件", name="draft-lesson.pdf")
    draft = factories.resource(title="未发布的资源", files=[(draft_doc, "document")], publish=False)
    by_doc = {f.document_id: f for f in public.files.all()}
    return {
        "video": by_doc[video.pk],
        "design": by_doc[design.pk],
        "draft": draft.files.get(),
    }


def url(resource_file, download=False):
    return reverse("catalogue:resource_file", args=[resource_file.pk, resource_file.filename]) + (
        "?download=1" if download else ""
    )


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def accel_target(document) -> str:
    return "/internal-media/" + quote(document.file.name)


def test_a_public_video_plays_in_both_modes(client, files, mode):
    response = client.get(url(files["video"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response or "default-src 'none'" not in response["Content-Security-Policy"]
    if mode == "django":
        assert body(response) == VIDEO and response["Accept-Ranges"] == "bytes"
        assert "X-Accel-Redirect" not in response
    else:
        # Headers only: nginx reads the file (and answers Range) from its internal location.
        assert response["X-Accel-Redirect"] == accel_target(files["video"].document)
        assert body(response) == b""
        assert response.get("Content-Length", "0") == "0"


def test_a_range_request_in_django_mode_and_its_hand_over_in_nginx_mode(client, files, mode):
    response = client.get(url(files["video"]), HTTP_RANGE="bytes=100-199")
    if mode == "django":
        assert response.status_code == 206 and body(response) == VIDEO[100:200]
    else:
        assert response.status_code == 200 and "X-Accel-Redirect" in response  # nginx makes the 206


def test_a_download_keeps_its_chinese_name_and_file_csp_in_both_modes(client, files, mode):
    before = AccessEvent.objects.filter(action="download").count()
    response = client.get(url(files["design"], download=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(DOWNLOAD_NAME)}" in disposition
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AccessEvent.objects.filter(action="download").count() == before + 1  # counted before the hand-over
    if mode == "nginx":
        assert response["X-Accel-Redirect"] == accel_target(files["design"].document)
        assert "Content-Encoding" not in response


def test_a_drafts_file_is_refused_in_both_modes(client, files, mode):
    response = client.get(url(files["draft"], download=True))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
    document = files["draft"].document
    wagtail = client.get(reverse("wagtaildocs_serve", args=[document.pk, document.filename]))
    assert wagtail.status_code == 403 and "X-Accel-Redirect" not in wagtail
    assert client.get(f"/media/{document.file.name}").status_code == 404


def test_the_editor_of_a_draft_gets_its_file_in_both_modes(client, files, mode):
    admin = factories.user(Role.RESOURCE_ADMIN, region=None)
    client.force_login(admin)
    response = client.get(url(files["draft"]))
    assert response.status_code == 200
    if mode == "nginx":
        assert response["X-Accel-Redirect"] == accel_target(files["draft"].document)
    else:
        assert body(response) == files["draft"].document.file.open("rb").read()


def test_wagtails_document_url_in_both_modes(client, files, mode):
    document = files["design"].document
    response = client.get(reverse("wagtaildocs_serve", args=[document.pk, document.filename]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert quote(CHINESE_NAME) in response["Content-Disposition"]
    if mode == "nginx":
        assert response["X-Accel-Redirect"] == accel_target(document)
        assert body(response) == b""
    else:  # Wagtail's own view streams it
        assert "X-Accel-Redirect" not in response
        assert body(response) == document.file.open("rb").read()


def test_a_submissions_file_for_its_teacher_only_in_both_modes(client, mode, site_pages):
    factories.campaign(open_now=True)
    teacher = factories.user(Role.TEACHER, username="wangjing")
    other = factories.user(Role.TEACHER, username="lihua", region="驿城区")
    draft = factories.submission(
        teacher=teacher,
        resource_type="design",
        files={"main_file": factories.upload("教学设计.docx", media.docx())},
    )
    document = draft.page.get_latest_revision_as_object().files.get().document
    path = reverse("review:file", args=[draft.pk, document.pk]) + "?download=1"
    client.force_login(other)
    assert client.get(path).status_code == 403
    client.force_login(teacher)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    if mode == "nginx":
        assert response["X-Accel-Redirect"] == accel_target(document)
    else:
        assert body(response) == document.file.open("rb").read()


def test_renditions_are_public_media_in_both_modes(client, files, mode):
    cover = files["video"].page.cover_image
    rendition = cover.get_rendition("fill-480x270")
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    if mode == "nginx":
        assert response["X-Accel-Redirect"] == "/internal-media/" + quote(rendition.file.name)
        assert "Content-Disposition" not in response
    else:
        assert body(response) == rendition.file.open("rb").read()
    assert client.get(f"/media/{cover.file.name}").status_code == 404  # the original stays private
