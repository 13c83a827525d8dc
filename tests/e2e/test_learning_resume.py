"""A pupil watches part of a video, leaves, comes back: the video continues where they stopped,
and the resource is in their 学习记录. Another pupil starts from the beginning."""

import shutil
import subprocess
import time

import pytest
from django.db import OperationalError

from catalogue.models import LearningRecord, Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _video(tmp_path, seconds=40) -> bytes:
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg); `make test` installs it as root.")
    out = tmp_path / "long.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=c=green:s=320x180:d={seconds}:r=10",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Pass#word123")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_video_resumes_where_the_pupil_stopped(live_server, browser, site_pages, tmp_path):
    doc = factories.document("微课", name="long.mp4", data=_video(tmp_path))
    resource = factories.resource(title="嵖岈山｜长一点的微课", files=[(doc, "video")])
    pupil = factories.user(Role.STUDENT, username="resume-pupil")
    factories.user(Role.STUDENT, username="other-pupil")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(20000)
    _login(page, live_server.url, "resume-pupil")
    page.goto(live_server.url + resource.url)
    video = page.locator("video").first
    video.evaluate(
        "v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', () => r(true), {once: true}))"
    )
    video.evaluate("v => { v.muted = true; return v.play(); }")
    video.evaluate(
        "v => new Promise(r => { v.addEventListener('seeked', () => r(true), {once: true}); v.currentTime = 17; })"
    )
    video.evaluate("v => v.pause()")
    deadline = time.time() + 10
    record = None
    while time.time() < deadline:
        try:
            record = LearningRecord.objects.filter(user=pupil, resource=resource).first()
        except OperationalError:  # the in-memory test database's table lock while the server writes
            record = None
        if record and record.position >= 16:
            break
        time.sleep(0.2)
    assert record and 16 <= record.position <= 19 and 39 <= record.duration <= 41, record and record.position

    page.goto(live_server.url + "/")  # leave
    page.goto(live_server.url + resource.url)  # come back
    video = page.locator("video").first
    video.evaluate(
        "v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', () => r(true), {once: true}))"
    )
    page.locator(".resume-note").wait_for(state="visible")
    assert 16 <= video.evaluate("v => v.currentTime") <= 19
    assert "上次看到 0:1" in page.locator(".resume-note").inner_text()
    page.goto(live_server.url + "/me/?tab=history")
    assert "嵖岈山｜长一点的微课" in page.locator("main").inner_text()
    context.close()

    other = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = other.new_page()
    _login(page, live_server.url, "other-pupil")
    page.goto(live_server.url + resource.url)
    assert page.locator("video").first.get_attribute("data-resume") is None
    assert page.locator("video").first.evaluate("v => v.currentTime") == 0
    other.close()
