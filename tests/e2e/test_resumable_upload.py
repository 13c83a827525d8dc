"""A teacher's large main file goes up in resumable chunks (tus): the connection drops halfway, the
page says so and waits, and once the network is back it continues from where it stopped, says so
("已从 xx% 处继续上传"), and the saved draft holds the complete file (same SHA-256). Then, as after a
closed tab: a file left half-sent continues after the page is opened again and the same file picked.
Screenshots at 390×844 and 1366×768 when cut off and after resuming go to /tmp/shots/resumable/."""

import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from wagtail.documents import get_document_model

from review.models import FileIntake, ResumableUpload, Submission
from review.services.resumable import partial_dir
from tests.e2e.signin import fill_the_form, teacher_at_the_form
from tests.review import media

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/resumable")
SIZES = {"phone": (390, 844), "desktop": (1366, 768)}
CHUNK = 256 * 1024


def _fill(page, path):
    fill_the_form(
        page, title="嵖岈山｜奇石的故事（教学设计）", resource_type="教学设计", description="认识嵖岈山的花岗岩奇石。"
    )
    page.set_input_files("#id_main_file", str(path))
    page.set_input_files("#id_cover", {"name": "封面.png", "mimeType": "image/png", "buffer": media.png()})


def _shots(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#upload-progress").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1366, "height": 768})


@pytest.fixture
def big_pdf(tmp_path, settings):
    """A 3 MB teaching design, sent in 256 KB chunks (the threshold lowered to 1 MB for the test)."""
    settings.UPLOAD_RESUMABLE_THRESHOLD_BYTES = 1024 * 1024
    settings.UPLOAD_RESUMABLE_CHUNK_BYTES = CHUNK
    settings.UPLOAD_RESUMABLE_DIR = str(tmp_path / "partials")
    path = tmp_path / "嵖岈山教学设计.pdf"
    path.write_bytes(media.pdf("嵖岈山教学设计", padding=3_000_000))
    return path


def _percent(offset, path) -> int:
    return offset * 100 // path.stat().st_size


def _saved_file_matches(path):
    submission = Submission.objects.get()
    draft = submission.page.get_latest_revision_as_object()
    (main,) = [f.document for f in draft.files.all()]
    stored = Path(get_document_model().objects.get(pk=main.pk).file.path).read_bytes()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert hashlib.sha256(stored).hexdigest() == digest
    assert FileIntake.objects.get(document=main).sha256 == digest
    assert not ResumableUpload.objects.exists() and list(Path(partial_dir()).iterdir()) == []


def test_an_upload_cut_off_halfway_continues_after_reconnecting(live_server, browser, big_pdf):
    page = teacher_at_the_form(browser, live_server)
    context = page.context
    _fill(page, big_pdf)
    state = {"patches": 0, "hold": False, "held": []}

    def chunks(route):
        if route.request.method == "PATCH":
            state["patches"] += 1
            if state["patches"] == 6:  # halfway through the 12 chunks: the network goes
                context.set_offline(True)
                route.abort("internetdisconnected")
                return
            if state["hold"]:
                state["held"].append(route)
                return
        route.continue_()

    page.route(re.compile(r".*/submit/uploads/.*"), chunks)
    page.get_by_role("button", name="保存草稿").click()
    note = page.locator("#upload-note")
    note.filter(has_text="网络已断开").wait_for()
    assert "已上传的部分会在服务器保留 24 小时，网络恢复后会自动继续" in note.inner_text()
    assert page.get_by_role("button", name="保存草稿").is_disabled()
    upload = ResumableUpload.objects.get()
    assert upload.offset == 5 * CHUNK and not Submission.objects.exists()
    _shots(page, "cut-off")

    state["hold"] = True  # keep the first chunk after the reconnection, to look at the page
    context.set_offline(False)
    note.filter(has_text=f"已从 {_percent(upload.offset, big_pdf)}% 处继续上传，之前已传的部分不用重传").wait_for()
    _shots(page, "resumed")
    state["hold"] = False
    for route in state["held"]:
        route.continue_()
    page.wait_for_url(re.compile(r".*/submit/\d+/$"))
    assert "草稿已保存" in page.content()
    _saved_file_matches(big_pdf)
    context.close()


def test_a_half_sent_file_continues_after_the_tab_is_closed_and_opened_again(live_server, browser, big_pdf):
    page = teacher_at_the_form(browser, live_server)
    context = page.context
    _fill(page, big_pdf)
    sent = {"patches": 0}

    def close_after_four(route):
        if route.request.method == "PATCH":
            sent["patches"] += 1
            if sent["patches"] > 4:
                route.abort("connectionclosed")  # the connection is lost; the tab is closed meanwhile
                return
        route.continue_()

    page.route(re.compile(r".*/submit/uploads/.*"), close_after_four)
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('tus::'))")
    for _wait in range(600):  # the fifth chunk is sent once the fourth was stored and answered
        if sent["patches"] > 4:
            break
        page.wait_for_timeout(50)
    # The tab is closed (the context keeps localStorage, like the browser). The browser goes offline
    # first: closing a page releases the requests its route still holds (the client's retry of the
    # fifth chunk), and that one must not reach the server either.
    context.set_offline(True)
    page.close()
    context.set_offline(False)
    offset = ResumableUpload.objects.get().offset
    assert offset == 4 * CHUNK

    page = context.new_page()
    page.set_default_timeout(30000)
    page.goto(f"{live_server.url}/submit/new/")
    _fill(page, big_pdf)
    seen, held = [], []

    def record(route):
        request = route.request
        seen.append((request.method, request.headers.get("upload-offset")))
        if request.method == "PATCH" and not held:
            held.append(route)  # the first chunk waits until the page has said where it continues
            return
        route.continue_()

    page.route(re.compile(r".*/submit/uploads/.*"), record)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#upload-note")).to_contain_text(f"已从 {_percent(offset, big_pdf)}% 处继续上传")
    for _wait in range(600):
        if held:
            break
        page.wait_for_timeout(50)
    held[0].continue_()
    page.wait_for_url(re.compile(r".*/submit/\d+/$"))
    # No new upload was created: the page asked where the old one stood and sent only the rest.
    assert seen[0] == ("HEAD", None) and seen[1] == ("PATCH", str(offset))
    assert "POST" not in [method for method, _offset in seen]
    _saved_file_matches(big_pdf)
    context.close()
