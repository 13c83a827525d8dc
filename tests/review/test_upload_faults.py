"""Faults a teacher's upload meets on a real server, each made for real: ffprobe missing from the
server's PATH, MEDIA_ROOT read-only (a read-only bind mount), the disk full (a small tmpfs), the
SQLite database write-locked by another connection. The teacher reads a clear Chinese message, the
draft is saved once (a retried POST carries the same form token and updates the same draft), and
nothing is half-written: no file without its row, no row without its file."""

import contextlib
import re
import shutil
import sqlite3
import subprocess

import pytest

from tests.review import live, media

MP4 = "video/mp4"


def _draft_parts(site, teacher, *, extra=None):
    parts = live.fields(live.form_data(site, teacher, "/submit/new/"))
    parts += [
        live.upload("main_file", "微课.mp4", media.mp4(colour="a0b0c0"), MP4),
        live.upload("cover", "封面.png", media.png(), "image/png"),
    ]
    if extra is not None:
        parts.append(live.upload("extra_file", "学习单.pdf", extra, "application/pdf"))
    return parts


def _saved_once(site, teacher, parts):
    """The retry succeeds, and retrying again updates the same draft."""
    first = live.post(site, teacher, "/submit/new/", parts)
    assert first.status == 200 and first.json()["ok"], first.text[:500]
    again = live.post(site, teacher, "/submit/new/", parts)
    assert again.json() == first.json()
    assert site.counts()["review_submission"] == 1
    documents = site.query("SELECT file FROM wagtaildocs_document")
    assert {f"documents/{p.name}" for p in (site.media / "documents").iterdir()} == {d for (d,) in documents}
    return first


@contextlib.contextmanager
def mounted(*args, target):
    if shutil.which("mount") is None:
        pytest.skip("mount is not available")
    result = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here (needs root with CAP_SYS_ADMIN): {result.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], check=True)


def test_missing_ffprobe_saves_the_draft_with_checks_pending_then_the_worker_measures(live_site, tmp_path):
    empty = tmp_path / "bin-without-ffprobe"
    empty.mkdir()
    site = live_site.start(PATH=str(empty))
    teacher = site.login("teacher06")
    first = _saved_once(site, teacher, _draft_parts(site, teacher))
    pk = int(first.json()["redirect"].strip("/").split("/")[-1])
    assert site.query("SELECT status, error FROM review_fileintake WHERE content = 'mp4'") == [
        ("pending", "ffprobe is not installed or not on PATH (apt-get install ffmpeg)")
    ]
    assert site.query("SELECT role, state FROM review_filecheck ORDER BY role") == [
        ("cover", "passed"),
        ("video", "pending"),
    ]
    detail = teacher.get(f"{site.url}/submit/{pk}/").text
    assert "暂时无法检测（待检测），系统会自动重新检测，检测通过后才能提交评审" in detail  # the flash after saving
    assert re.search(r"<td>待检测</td>\s*<td>《微课[^》]*\.mp4》待检测：检测暂时无法进行，系统会自动重新检测", detail)
    # A pending check never counts as passed: the work does not reach a reviewer.
    token = site.form_page(teacher, f"/submit/{pk}/")["csrfmiddlewaretoken"]
    teacher.post(f"{site.url}/submit/{pk}/submit/", data={"csrfmiddlewaretoken": token}, headers={"Referer": site.url})
    assert site.query("SELECT status FROM review_submission")[0][0] not in ("county_review", "expert_review")
    # The worker's clean-up run, with ffprobe back, measures it.
    result = site.manage("uploads_cleanup")
    assert result.returncode == 0, result.stderr[-2000:]
    assert site.query("SELECT status FROM review_fileintake WHERE content = 'mp4'") == [("measured",)]
    assert ("video", "passed") in site.query("SELECT role, state FROM review_filecheck")


def test_read_only_storage_saves_nothing_and_says_so(live_site):
    site = live_site.start()
    teacher = site.login("teacher07")
    parts = _draft_parts(site, teacher)
    before = site.snapshot()
    with mounted("--bind", str(site.media), target=site.media):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(site.media)], check=True)
        response = live.post(site, teacher, "/submit/new/", parts)
        assert response.status == 503
        assert "服务器存储暂时无法写入（只读或没有权限），文件没有保存，草稿也没有保存" in response.json()["errors"][0]
        assert site.snapshot() == before
    _saved_once(site, teacher, parts)


def test_full_storage_saves_nothing_and_says_so(live_site):
    site = live_site.start()
    teacher = site.login("teacher08")
    # The video (stored first) fits; the 3 MB supporting PDF does not: the video must go too.
    parts = _draft_parts(site, teacher, extra=media.pdf(padding=3 * 1024 * 1024))
    before = site.snapshot()
    with mounted("-t", "tmpfs", "-o", "size=2m", "tmpfs", target=site.media):
        response = live.post(site, teacher, "/submit/new/", parts)
        assert response.status == 503
        assert "服务器存储空间已满，文件没有保存，草稿也没有保存" in response.json()["errors"][0]
        assert site.snapshot() == before  # the tmpfs is empty again: no part, no video
    _saved_once(site, teacher, parts)


def test_locked_database_saves_nothing_and_the_retry_saves_once(live_site):
    if live.postgres_url():
        pytest.skip("the write lock of the embedded default is SQLite's")
    site = live_site.start(SQLITE_BUSY_TIMEOUT=2)
    teacher = site.login("teacher09")
    parts = _draft_parts(site, teacher)
    before = site.snapshot()
    lock = sqlite3.connect(site.sqlite_path, isolation_level=None, timeout=5)
    try:
        lock.execute("BEGIN IMMEDIATE")  # another writer holds the database
        response = live.post(site, teacher, "/submit/new/", parts)
        assert response.status == 503
        assert "系统正忙（数据库暂时无法写入），草稿没有保存" in response.json()["errors"][0]
        assert site.snapshot() == before
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    _saved_once(site, teacher, parts)
