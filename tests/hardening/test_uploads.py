"""Uploads are checked by content, limited in size per kind, stripped of unsafe names, and a
refused upload leaves nothing behind — on every Wagtail upload path."""

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from catalogue.models import Role
from ops.uploads import bytes_file, sanitize_filename, validate_document_upload
from tests import factories
from tests.review import media

pytestmark = pytest.mark.django_db

Document = get_document_model()
Image = get_image_model()
PDF = media.pdf("嵖岈山课件")


def office(kind="docx", *, macro=False) -> bytes:
    part = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml", "xlsx": "xl/workbook.xml"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<doc/>")
        if macro:
            z.writestr(part.split("/")[0] + "/vbaProject.bin", b"\x00" * 10)
    return buffer.getvalue()


def zip_with(*names) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, b"x")
    return buffer.getvalue()


def png_header(width, height) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb's calling card)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def stored_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def admin_client(client):
    client.force_login(factories.user(Role.RESOURCE_ADMIN, username="uploader", region="", is_superuser=True))
    return client


def post_document(client, name, data, title="测试"):
    return client.post(
        reverse("wagtaildocs:add"), {"title": title, "file": SimpleUploadedFile(name, data), "collection": 1}
    )


def post_image(client, name, data):
    return client.post(
        reverse("wagtailimages:add"), {"title": "图", "file": SimpleUploadedFile(name, data), "collection": 1}
    )


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("lesson.pdf", b"<html><script>alert(1)</script></html>", "不符"),
        ("lesson.docx", b"MZ\x90\x00" + b"\x00" * 100, "可执行文件"),
        ("macro.docx", office(macro=True), "含宏"),
        ("fake.pptx", zip_with("readme.txt"), "不是有效的 .pptx"),
        ("page.txt", b"<!DOCTYPE html><html><body onload=alert(1)>", "标记文件"),
        ("evil.zip", zip_with("../../etc/cron.d/x"), "不安全的路径"),
        ("tools.zip", zip_with("setup.exe"), "可执行文件"),
        ("clip.mp4", b"\x00" * 200, "不符"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "不支持的文件类型"),
        ("page.html", b"<html></html>", "不支持的文件类型"),
    ],
)
def test_bad_documents_are_refused_and_leave_nothing_behind(admin_client, name, data, message):
    response = post_document(admin_client, name, data)
    assert response.status_code == 200  # the form again, with the error
    errors = " ".join(str(e) for e in response.context["form"].errors.get("file", []))
    assert message in errors
    assert not Document.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    "name, data",
    [
        ("嵖岈山课件.pdf", PDF),
        ("教学设计.docx", office("docx")),
        ("课件.pptx", office("pptx")),
        ("学案.txt", "嵖岈山位于遂平县。\n".encode() * 10),
        ("资料包.zip", zip_with("images/1.jpg", "课件/说明.txt", "h5/index.html")),
    ],
)
def test_good_documents_are_accepted(admin_client, name, data):
    response = post_document(admin_client, name, data)
    assert response.status_code == 302
    doc = Document.objects.get()
    assert doc.file.name.startswith("documents/") and doc.file.read() == data


def test_real_media_files_are_accepted(admin_client):
    from catalogue.demo.media import SAMPLE_AUDIO, SAMPLE_VIDEO

    assert post_document(admin_client, "微课.mp4", SAMPLE_VIDEO.read_bytes()).status_code == 302
    assert post_document(admin_client, "朗读.mp3", SAMPLE_AUDIO.read_bytes()).status_code == 302
    assert Document.objects.count() == 2


def test_size_limits_are_per_kind(admin_client, settings):
    from catalogue.demo.media import SAMPLE_VIDEO

    video = SAMPLE_VIDEO.read_bytes()
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "document": 1024, "video": len(video) + 1}
    response = post_document(admin_client, "大文件.pdf", PDF)
    assert "文档文件不能超过 1.0\xa0KB" in str(response.context["form"].errors["file"])
    assert post_document(admin_client, "微课.mp4", video).status_code == 302  # videos have their own limit
    assert Document.objects.count() == 1


def test_multiple_upload_path_is_checked_too(admin_client):
    response = admin_client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("lesson.pdf", b"<html>not a pdf</html>")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert not Document.objects.exists() and stored_files() == []


def test_chooser_upload_path_is_checked_too(admin_client):
    response = admin_client.post(
        reverse("wagtaildocs_chooser:create"),
        {
            "document-chooser-upload-title": "x",
            "document-chooser-upload-file": SimpleUploadedFile("a.pdf", b"MZ..."),
            "document-chooser-upload-collection": 1,
        },
    )
    assert response.status_code == 200
    assert not Document.objects.exists() and stored_files() == []


@pytest.mark.parametrize(
    "name, data",
    [
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("drawing.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("photo.png", factories.png_bytes((32, 32))[:40]),  # truncated
        ("photo.jpg", factories.png_bytes((32, 32))),  # a PNG named .jpg
        ("bomb.png", png_header(20000, 20000)),  # 400 megapixels claimed in a few bytes
    ],
)
def test_bad_images_are_refused_and_leave_nothing_behind(admin_client, name, data):
    response = post_image(admin_client, name, data)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Image.objects.exists()
    assert stored_files() == []


def test_decompression_bomb_guard_is_pillow_wide():
    from PIL import Image as PILImage

    assert PILImage.MAX_IMAGE_PIXELS == django_settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    with pytest.raises(PILImage.DecompressionBombError):
        PILImage.open(io.BytesIO(png_header(20000, 20000))).load()


def test_good_image_is_accepted_with_a_safe_name(admin_client):
    response = post_image(admin_client, "..封面 图\x07.PNG", factories.png_bytes((64, 48)))
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.startswith("original_images/")
    assert os.path.basename(image.file.name).endswith(".png") and "\x07" not in image.file.name


@pytest.mark.parametrize(
    "raw, safe",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\课件.PDF", "课件.pdf"),
        (".htaccess", "htaccess"),
        ("a\x00b\x1fc.txt", "abc.txt"),
        ("  空 格  名.docx", "空_格_名.docx"),
        ("<script>.pdf", "script.pdf"),
        ("长" * 200 + ".mp4", "长" * 76 + ".mp4"),
        ("", "file"),
    ],
)
def test_filenames_are_sanitised(raw, safe):
    assert sanitize_filename(raw) == safe


def test_validator_applies_outside_forms_too():
    assert validate_document_upload(bytes_file(PDF, "a.pdf")) == "document"
    with pytest.raises(Exception, match="不符"):
        validate_document_upload(bytes_file(b"GIF89a", "a.pdf"))


def test_resource_file_view_never_serves_office_or_archives_inline(client, site_pages):
    docx = factories.document("设计", name="design.docx", data=office("docx"))
    pdf = factories.document("课件", name="slides.pdf", data=PDF)
    page = factories.resource(files=[(docx, "document"), (pdf, "document")])
    f_docx, f_pdf = page.files.order_by("sort_order", "pk")
    response = client.get(reverse("catalogue:resource_file", args=[f_docx.pk, f_docx.filename]))
    assert response["Content-Disposition"].startswith("attachment;")
    response = client.get(reverse("catalogue:resource_file", args=[f_pdf.pk, f_pdf.filename]))
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("bomb.png", png_header(10_000, 10_000), "64 百万像素"),  # 100 Mpx: under Pillow's own hard stop
        ("photo.jpg", media.jpeg() + b"<script>alert(1)</script>", "夹带了网页或脚本代码"),
    ],
)
def test_admin_images_follow_the_teachers_rules(admin_client, name, data, message):
    response = post_image(admin_client, name, data)
    assert response.status_code == 200
    assert message in " ".join(str(e) for e in response.context["form"].errors["file"])
    assert not Image.objects.exists() and stored_files() == []


def test_admin_documents_follow_the_teachers_rules(admin_client):
    from tests.review import hostile

    for name, data, message in (
        ("课件.pdf", hostile.pdf_zip_polyglot(), "伪装的多格式文件"),
        ("微课.mp4", hostile.truncated_mp4(), "不完整"),
        ("设计.docx", hostile.zip_bomb_docx(), "压缩炸弹"),
    ):
        response = post_document(admin_client, name, data)
        assert message in " ".join(str(e) for e in response.context["form"].errors["file"]), name
    assert not Document.objects.exists() and stored_files() == []


def test_storage_links_whole_files_into_place_and_removes_dead_parts(tmp_path):
    import fcntl
    import time

    from django.core.files.base import ContentFile

    from ops.storage import PART_PREFIX, AtomicFileSystemStorage, stale_parts_remove

    storage = AtomicFileSystemStorage(location=str(tmp_path))
    assert storage.save("documents/a.pdf", ContentFile(PDF)) == "documents/a.pdf"
    second = storage.save("documents/a.pdf", ContentFile(b"other"))  # never over an existing file
    assert second != "documents/a.pdf" and (tmp_path / "documents/a.pdf").read_bytes() == PDF
    assert not [p for p in (tmp_path / "documents").iterdir() if p.name.startswith(PART_PREFIX)]
    dead = tmp_path / "documents" / f"{PART_PREFIX}dead"
    live = tmp_path / "documents" / f"{PART_PREFIX}live"
    dead.write_bytes(b"half")
    live.write_bytes(b"half")
    old = time.time() - 60
    os.utime(dead, (old, old))
    os.utime(live, (old, old))
    with open(live, "rb") as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)  # a writer still at work
        assert stale_parts_remove(str(tmp_path)) == [str(dead)]
    assert live.exists() and not dead.exists()


def test_temporary_uploads_of_dead_processes_are_removed(settings, tmp_path):
    import fcntl
    import time

    from ops.upload_handler import TEMP_PREFIX, stale_uploads_remove

    settings.UPLOAD_TEMP_DIR = str(tmp_path)
    dead, live = tmp_path / f"{TEMP_PREFIX}dead.upload", tmp_path / f"{TEMP_PREFIX}live.upload"
    for path in (dead, live):
        path.write_bytes(b"x" * 1000)
        os.utime(path, (time.time() - 10, time.time() - 10))
    with open(live, "rb") as upload:
        fcntl.flock(upload, fcntl.LOCK_EX)
        assert stale_uploads_remove() == [str(dead)]
    assert live.exists()


def test_cleanup_command_removes_originals_without_a_row(settings):
    import time

    from django.core.management import call_command

    kept = factories.document("有记录", name="kept.pdf", data=PDF)
    root = Path(django_settings.MEDIA_ROOT)
    orphan = root / "documents" / "orphan.pdf"
    orphan.write_bytes(PDF)
    fresh = root / "documents" / "fresh.pdf"
    fresh.write_bytes(PDF)
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))
    out = io.StringIO()
    call_command("uploads_cleanup", stdout=out)
    assert "无记录的原始文件：1" in out.getvalue()
    assert not orphan.exists() and fresh.exists() and (root / kept.file.name).exists()
