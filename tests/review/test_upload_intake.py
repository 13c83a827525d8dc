"""Uploads checked while they arrive, against a running server (gunicorn), with the multipart bodies
and field names the submission form's browser script sends. Each hostile file is refused with its
Chinese message beside its field, and nothing is left: no draft, page, revision, document, image,
fingerprint or check row, no file under MEDIA_ROOT, no temporary file."""

import contextlib
import threading
import time

import pytest

from tests.review import hostile, live, media

MP4 = "video/mp4"


@pytest.fixture(scope="module")
def site(live_template, tmp_path_factory):
    site = live.LiveSite(live_template, tmp_path_factory.mktemp("intake-site"), UPLOAD_MAX_MB_DOCUMENT=20)
    site.start()
    yield site
    site.close()


@pytest.fixture(scope="module")
def teacher(site):
    return site.login("teacher01")


def cover_part():
    return live.upload("cover", "封面.png", media.png(), "image/png")


HOSTILE = [
    # (id, field, file name, bytes, the message the teacher reads beside the field)
    ("exe-as-mp4", "main_file", "微课.mp4", media.windows_exe(), "《微课.mp4》是可执行文件或脚本，不允许上传。"),
    ("elf-as-pdf", "main_file", "教案.pdf", hostile.elf(), "《教案.pdf》是可执行文件或脚本，不允许上传。"),
    ("script-as-jpg", "cover", "封面.jpg", hostile.shell_script(), "《封面.jpg》是可执行文件或脚本，不允许上传。"),
    ("pdf-zip-polyglot", "extra_file", "学习单.pdf", hostile.pdf_zip_polyglot(), "同时是PDF 文档和 ZIP 压缩包"),
    ("jpeg-html-polyglot", "cover", "封面.jpg", hostile.jpeg_html_polyglot(), "其中夹带了网页或脚本代码"),
    ("truncated-mp4", "main_file", "微课.mp4", hostile.truncated_mp4(), "不完整"),
    ("header-lying-mp4", "main_file", "微课.mp4", hostile.lying_mp4(), "文件头声称时长 10分0秒，实际内容只有 0分4秒"),
    ("pixel-bomb", "cover", "封面.png", hostile.pixel_bomb(), "10000×10000，约 100 百万像素），上限为 64 百万像素"),
    ("zip-bomb-docx", "extra_file", "教学设计.docx", hostile.zip_bomb_docx(), "疑似“压缩炸弹”"),
    (
        "rlo-name",
        "extra_file",
        "学习单\u202efdp.exe",
        media.pdf(),
        "《学习单fdp.exe》的内容是PDF 文档，与扩展名 .exe 不符",
    ),
    ("double-suffix", "extra_file", "a.pdf.exe", media.pdf(), "与扩展名 .exe 不符"),
    ("pdf-as-html", "extra_file", "学习单.html", media.pdf(), "与扩展名 .html 不符"),
    ("pdf-as-js", "extra_file", "学习单.js", media.pdf(), "与扩展名 .js 不符"),
    ("traversal", "extra_file", "../../../etc/cron.d/evil.sh", hostile.shell_script(), "不允许上传"),
    ("control-chars", "extra_file", "学\x07习\x1b单.exe", media.pdf(), "《学习单.exe》的内容是PDF 文档"),
    ("very-long-name", "extra_file", "长" * 300 + ".exe", media.pdf(), "与扩展名 .exe 不符"),
    ("empty", "main_file", "微课.mp4", b"", "是空文件（0 字节）"),
    (
        "web-page",
        "main_file",
        "微课.mp4",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "网页或 SVG 等标记文件",
    ),
    ("pdf-for-video", "main_file", "微课.mp4", media.pdf(), "与扩展名 .mp4 不符"),
    ("mp4-for-cover", "cover", "封面.png", media.mp4(seconds=6), "的实际内容是MP4 视频"),
    ("unknown-bytes", "main_file", "微课.mp4", b"\x00\x01\x02" * 5000, "这里只能上传"),
]


@pytest.mark.parametrize("field, filename, data, message", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_refused_beside_its_field_and_leaves_nothing(site, teacher, field, filename, data, message):
    before = site.snapshot()
    parts = live.fields(live.form_data(site, teacher, "/submit/new/"))
    parts.append(live.upload(field, filename, data))
    if field != "cover":
        parts.append(cover_part())
    response = live.post(site, teacher, "/submit/new/", parts)
    assert response.status == 400, response.text[:500]
    body = response.json()
    assert body["ok"] is False
    assert any(message in m for m in body["field_errors"][field]), body
    assert site.snapshot() == before


def test_without_javascript_the_refusal_is_shown_beside_the_field(site, teacher):
    before = site.snapshot()
    parts = live.fields(live.form_data(site, teacher, "/submit/new/"))
    parts += [live.upload("main_file", "微课.mp4", media.windows_exe()), cover_part()]
    response = live.post(site, teacher, "/submit/new/", parts, xhr=False)
    assert response.status == 400
    from bs4 import BeautifulSoup

    field = (
        BeautifulSoup(response.text, "html.parser")
        .find("input", attrs={"name": "main_file"})
        .find_parent(class_="field")
    )
    assert "has-error" in field["class"]
    assert (
        field.find(class_="error")
        .get_text()
        .startswith("《微课.mp4》是可执行文件或脚本，不允许上传。请选择作品本身的文件（")
    )
    assert site.snapshot() == before


def test_over_the_limit_stops_at_the_limit_while_streaming(site, teacher):
    """A 30 MB "PDF" (limit 20 MB here) is dropped once 20 MB have arrived: never written whole,
    never stored; the teacher reads the limit beside the field."""
    before = site.snapshot()
    size = 30 * 1024 * 1024
    head = media.pdf()

    def chunks():
        yield head
        left = size - len(head)
        while left:
            piece = min(left, 1024 * 1024)
            yield b"%" * piece
            left -= piece

    parts = live.fields(live.form_data(site, teacher, "/submit/new/", resource_type="课件"))
    parts += [live.upload("main_file", "课件.pdf", chunks, size=size), cover_part()]
    response = live.post(site, teacher, "/submit/new/", parts)
    assert response.status == 400
    assert body_has(response, "main_file", "超过了这类文件 20.0\xa0MB 的大小上限，服务器已停止接收")
    assert site.snapshot() == before


def test_request_over_the_cap_is_refused_before_its_body_is_read(site, teacher):
    before = site.snapshot()
    size = 3 * 1024**3  # 3 GB announced; only the headers are sent

    def chunks():
        yield b"\0" * 1024
        raise AssertionError("the server should have answered before the body")

    parts = live.fields(live.form_data(site, teacher, "/submit/new/")) + [
        live.upload("main_file", "微课.mp4", chunks, size=size)
    ]
    response = live.post(site, teacher, "/submit/new/", parts, early=True)
    assert response.status == 413
    assert "超过了一次最多" in response.json()["errors"][0]
    assert site.snapshot() == before


def body_has(response, field, text) -> bool:
    return any(text in m for m in response.json()["field_errors"][field])


def test_a_refused_file_in_an_edit_changes_nothing(site, teacher):
    parts = live.fields(live.form_data(site, teacher, "/submit/new/"))
    parts += [live.upload("main_file", "微课.mp4", media.mp4(colour="224466"), MP4), cover_part()]
    created = live.post(site, teacher, "/submit/new/", parts)
    assert created.status == 200 and created.json()["ok"], created.text[:500]
    pk = created.json()["redirect"].strip("/").split("/")[-1]
    before = site.snapshot()
    parts = live.fields(live.form_data(site, teacher, f"/submit/{pk}/edit/", title="改过的标题"))
    parts.append(live.upload("main_file", "新版微课.mp4", hostile.truncated_mp4(), MP4))
    response = live.post(site, teacher, f"/submit/{pk}/edit/", parts)
    assert response.status == 400 and body_has(response, "main_file", "不完整")
    assert site.snapshot() == before
    title = "SELECT p.title FROM wagtailcore_page p JOIN review_submission s ON s.page_id = p.id WHERE s.id = ?"
    assert site.query(title, (int(pk),)) == [("嵖岈山｜奇石的故事",)]


def test_an_interrupted_upload_leaves_nothing(site, teacher):
    before = site.snapshot()
    parts = live.fields(live.form_data(site, teacher, "/submit/new/"))
    parts += [live.upload("main_file", "微课.mp4", hostile.padded_mp4("5566aa", 8), MP4), cover_part()]
    assert live.post(site, teacher, "/submit/new/", parts, stop_after=4 * 1024 * 1024) is None
    deadline = time.monotonic() + 20
    while site.snapshot() != before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert site.snapshot() == before


def test_a_killed_server_leaves_nothing_once_it_is_back(live_site):
    site = live_site.start()
    teacher = site.login("teacher02")
    before = site.snapshot()
    parts = live.fields(live.form_data(site, teacher, "/submit/new/"))
    parts += [live.upload("main_file", "微课.mp4", hostile.padded_mp4("6677bb", 64), MP4), cover_part()]

    def upload():
        with contextlib.suppress(OSError):  # the server dies under it
            live.post(site, teacher, "/submit/new/", parts, pace=0.05)

    worker = threading.Thread(target=upload, daemon=True)
    worker.start()
    deadline = time.monotonic() + 60
    while not site.temp_files() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert site.temp_files(), "the upload never started streaming"
    time.sleep(0.5)
    site.kill()  # mid-upload: SIGKILL to the master and its workers
    worker.join(timeout=60)
    assert site.temp_files(), "a killed process cannot clean up after itself"
    time.sleep(2.5)
    site.start()  # the web process removes what a dead process left behind
    assert site.snapshot() == before


def test_a_replaced_file_is_deleted_and_a_reviewed_one_kept(live_site):
    site = live_site.start()
    teacher = site.login("teacher03")
    first = media.mp4(colour="10aa20")
    parts = live.fields(live.form_data(site, teacher, "/submit/new/"))
    parts += [live.upload("main_file", "第一版.mp4", first, MP4), cover_part()]
    pk = int(live.post(site, teacher, "/submit/new/", parts).json()["redirect"].strip("/").split("/")[-1])
    (first_doc,) = site.files() - {f for f in site.files() if f.startswith("original_images/")}
    # A new main file replaces the old one: the old document, its rows and its file are gone.
    parts = live.fields(live.form_data(site, teacher, f"/submit/{pk}/edit/"))
    parts.append(live.upload("main_file", "第二版.mp4", media.mp4(colour="10aa30"), MP4))
    assert live.post(site, teacher, f"/submit/{pk}/edit/", parts).json()["ok"]
    documents = {f for f in site.files() if f.startswith("documents/")}
    assert first_doc not in documents and len(documents) == 1
    assert site.counts()["wagtaildocs_document"] == 1 and site.counts()["review_fileintake"] == 2  # video + cover
    # Submitted, returned by the county, replaced: the reviewed version stays on record.
    token = site.form_page(teacher, f"/submit/{pk}/")["csrfmiddlewaretoken"]
    submitted = teacher.post(
        f"{site.url}/submit/{pk}/submit/", data={"csrfmiddlewaretoken": token}, headers={"Referer": site.url}
    )
    assert submitted.status_code == 200
    status = site.query("SELECT status FROM review_submission WHERE id = ?", (pk,))[0][0]
    assert status != "draft", submitted.text[:300]
    site.query("UPDATE review_submission SET status = 'returned' WHERE id = ?", (pk,))  # as a county return leaves it
    reviewed = {f for f in site.files() if f.startswith("documents/")}
    parts = live.fields(live.form_data(site, teacher, f"/submit/{pk}/edit/"))
    parts.append(live.upload("main_file", "第三版.mp4", media.mp4(colour="10aa40"), MP4))
    assert live.post(site, teacher, f"/submit/{pk}/edit/", parts).json()["ok"]
    documents = {f for f in site.files() if f.startswith("documents/")}
    assert reviewed < documents and len(documents) == 2


def test_a_gallery_of_several_images_is_saved_and_submitted(live_site):
    site = live_site.start()
    teacher = site.login("teacher04")
    parts = live.fields(live.form_data(site, teacher, "/submit/new/", resource_type="图片图集", action="submit"))
    parts += [
        live.upload("gallery", f"嵖岈山{n}.png", media.png(colour=(n * 40, 80, 120)), "image/png") for n in range(1, 5)
    ]
    parts.append(cover_part())
    response = live.post(site, teacher, "/submit/new/", parts)
    assert response.json()["ok"] is True, response.text[:500]
    assert site.query("SELECT status FROM review_submission")[0][0] == "county_review"
    assert site.query("SELECT COUNT(*) FROM catalogue_resourcegalleryimage")[0][0] == 4
    assert len([f for f in site.files() if f.startswith("original_images/")]) == 5  # four images and the cover
