"""Resumable (tus) uploads of a teacher's main file, over raw HTTP against a real gunicorn: what a
browser's tus client sends (POST to create, PATCH chunks, HEAD after a dropped connection), then the
normal form save naming the finished upload. Every case asserts on the rows and files the server kept,
before and after; the hostile ones (another teacher, wrong offsets, an executable, lengths over the
limits, an unfinished or reused upload) change nothing they should not."""

import base64
import hashlib
import http.client
import os
import shutil
import socket
import time
import uuid
from pathlib import Path

import pytest

from tests.review import live, media

TUS = {"Tus-Resumable": "1.0.0"}
PDF = media.pdf("嵖岈山教学设计", padding=200_000)


def _metadata(**values) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


class Client:
    """One signed-in teacher's tus client (what tus-js-client sends from the form page)."""

    def __init__(self, site, username):
        self.site = site
        self.session = site.login(username)
        self.csrf = site.form_page(self.session, "/submit/new/")["csrfmiddlewaretoken"]

    def headers(self, **extra):
        return {**TUS, "X-CSRFToken": self.csrf, **extra}

    def create(self, length, *, filename="教学设计.pdf", resource_type="design"):
        meta = _metadata(filename=filename, field="main_file", resource_type=resource_type)
        return self.session.post(
            self.site.url + "/submit/uploads/",
            headers=self.headers(**{"Upload-Length": str(length), "Upload-Metadata": meta}),
            timeout=30,
        )

    def head(self, url):
        return self.session.head(url, headers=self.headers(), timeout=30)

    def patch(self, url, offset, data, *, length=None):
        return self.session.patch(
            url,
            data=data,
            headers=self.headers(
                **{
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                    **({"Content-Length": str(length)} if length is not None else {}),
                }
            ),
            timeout=60,
        )

    def _raw_patch(self, url, offset, length):
        path = url.split(str(self.site.port), 1)[1]
        conn = http.client.HTTPConnection("127.0.0.1", self.site.port, timeout=30)
        conn.putrequest("PATCH", path)
        for name, value in self.headers(
            **{
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(length),
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.session.cookies.items()),
            }
        ).items():
            conn.putheader(name, value)
        conn.endheaders()
        return conn

    def patch_announced(self, url, offset, length) -> int:
        """A PATCH announcing `length` bytes; the server answers before any is sent (its status)."""
        conn = self._raw_patch(url, offset, length)
        status = conn.getresponse().status
        conn.close()
        return status

    def patch_cut_off(self, url, offset, data, *, after):
        """A PATCH whose connection drops after `after` of its bytes (a phone losing its signal)."""
        conn = self._raw_patch(url, offset, len(data))
        conn.sock.sendall(data[:after])
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()

    def delete(self, url):
        return self.session.delete(url, headers=self.headers(), timeout=30)

    def save(self, upload_id, **overrides):
        parts = live.fields(
            live.form_data(
                self.site,
                self.session,
                "/submit/new/",
                resource_type="教学设计",
                main_file_upload=upload_id,
                **overrides,
            )
        )
        parts.append(live.upload("cover", "封面.png", media.png(), "image/png"))
        return live.post(self.site, self.session, "/submit/new/", parts)


@pytest.fixture(scope="module")
def site(live_template, tmp_path_factory):
    site = live.LiveSite(live_template, tmp_path_factory.mktemp("resumable") / "site", workers=2, threads=4)
    site.start()
    yield site
    site.close()


def partials(site) -> dict:
    directory = site.incoming / "resumable"
    return {p.name: p.stat().st_size for p in directory.iterdir()} if directory.exists() else {}


def uploads(site) -> list:
    return site.query('SELECT id, owner_id, length, "offset", kind, claimed_at FROM review_resumableupload')


def _wait_for_offset(client, url, at_least):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        head = client.head(url)
        if int(head.headers["Upload-Offset"]) >= at_least:
            return int(head.headers["Upload-Offset"])
        time.sleep(0.05)
    raise AssertionError("the server did not keep the bytes of the cut-off chunk")


def test_a_cut_off_upload_continues_from_the_offset_and_the_draft_gets_the_checked_file(site):
    teacher = Client(site, "teacher01")
    before = site.snapshot()
    created = teacher.create(len(PDF))
    assert created.status_code == 201, created.text
    assert created.headers["Tus-Resumable"] == "1.0.0" and "GMT" in created.headers["Upload-Expires"]
    url = created.headers["Location"]
    upload_id = url.rstrip("/").split("/")[-1]
    assert partials(site) == {f"{upload_id.replace('-', '')}.part": 0}

    half = len(PDF) // 2
    first = teacher.patch(url, 0, PDF[:half])
    assert first.status_code == 204 and first.headers["Upload-Offset"] == str(half)
    # The connection drops in the middle of the second chunk: what arrived is kept.
    teacher.patch_cut_off(url, half, PDF[half:], after=40_000)
    offset = _wait_for_offset(teacher, url, half + 40_000)
    assert offset <= len(PDF) and partials(site)[f"{upload_id.replace('-', '')}.part"] == offset
    head = teacher.head(url)
    assert head.status_code == 200 and head.headers["Upload-Length"] == str(len(PDF))
    assert "no-store" in head.headers["Cache-Control"]
    rest = teacher.patch(url, offset, PDF[offset:])
    assert rest.status_code == 204 and rest.headers["Upload-Offset"] == str(len(PDF))
    assert uploads(site)[0][2:5] == (len(PDF), len(PDF), "pdf")
    # Nothing reached media storage or the review tables yet.
    assert site.files() == before["files"] and site.counts() == before["rows"]

    saved = teacher.save(upload_id)
    assert saved.status == 200 and saved.json()["ok"], saved.text[:800]
    digest = hashlib.sha256(PDF).hexdigest()
    (stored,) = site.query("SELECT file FROM wagtaildocs_document")
    assert hashlib.sha256((site.media / stored[0]).read_bytes()).hexdigest() == digest
    assert site.query("SELECT sha256, size, content FROM review_fileintake WHERE content = 'pdf'") == [
        (digest, len(PDF), "pdf")
    ]
    assert site.query("SELECT role, sha256 FROM review_filecheck WHERE role = 'document'") == [("document", digest)]
    assert site.query("SELECT sha256 FROM review_documentfingerprint") == [(digest,)]
    assert uploads(site) == [] and partials(site) == {}
    assert teacher.head(url).status_code == 404

    # The same upload cannot be used twice: a second draft naming it is refused, nothing saved.
    rows = site.counts()
    again = teacher.save(upload_id)
    assert again.status == 400
    assert "找不到已上传的作品文件" in " ".join(again.json()["field_errors"]["main_file"])
    assert site.counts() == rows


def test_another_teacher_cannot_see_continue_cancel_or_use_an_upload(site):
    owner, other = Client(site, "teacher02"), Client(site, "teacher03")
    url = owner.create(len(PDF)).headers["Location"]
    upload_id = url.rstrip("/").split("/")[-1]
    assert owner.patch(url, 0, PDF).status_code == 204
    state = (uploads(site), partials(site), site.counts())

    assert other.head(url).status_code == 404
    assert other.patch(url, len(PDF), b"x").status_code == 404
    assert other.delete(url).status_code == 404
    saved = other.save(upload_id)
    assert saved.status == 400 and "找不到已上传的作品文件" in " ".join(saved.json()["field_errors"]["main_file"])
    assert (uploads(site), partials(site), site.counts()) == state
    anonymous = Client.__new__(Client)
    anonymous.site, anonymous.csrf = site, ""
    anonymous.session = live.requests.Session()
    assert anonymous.create(100).status_code == 403
    assert anonymous.head(url).status_code == 403
    # A request without the CSRF token is refused too.
    assert owner.session.delete(url, headers=TUS, timeout=30).status_code == 403
    assert (uploads(site), partials(site)) == state[:2]
    # The owner may cancel it (tus termination): row and bytes go.
    assert owner.delete(url).status_code == 204
    assert not [u for u in uploads(site) if u[0].replace("-", "") == upload_id.replace("-", "")]
    assert f"{upload_id.replace('-', '')}.part" not in partials(site)


def test_wrong_offsets_and_bytes_past_the_length_are_refused(site):
    teacher = Client(site, "teacher04")
    url = teacher.create(len(PDF)).headers["Location"]
    name = url.rstrip("/").split("/")[-1].replace("-", "") + ".part"
    assert teacher.patch(url, 0, PDF[:10_000]).status_code == 204
    assert teacher.patch(url, 0, PDF[:10_000]).status_code == 409  # sent twice
    assert teacher.patch(url, 20_000, PDF[20_000:30_000]).status_code == 409  # a gap
    assert teacher.patch_announced(url, 10_000, len(PDF) - 10_000 + 1) == 413  # past Upload-Length
    no_type = teacher.session.patch(url, data=b"x", headers=teacher.headers(**{"Upload-Offset": "10000"}), timeout=30)
    assert no_type.status_code == 415
    assert partials(site)[name] == 10_000
    assert teacher.head(url).headers["Upload-Offset"] == "10000"
    assert teacher.patch(url, 10_000, PDF[10_000:]).status_code == 204


def test_wrong_content_and_sizes_are_refused_before_they_are_stored(site):
    teacher = Client(site, "teacher05")
    before = (uploads(site), partials(site))
    # Over the largest limit (1 GB video) and the request cap: refused before a byte is sent.
    huge = teacher.create(2 * 1024**3, filename="微课.mp4", resource_type="video")
    assert huge.status_code == 413 and "超过了这类文件" in huge.text
    # A 150 MB file announced for a teaching design (documents: 100 MB).
    big = teacher.create(150 * 1024**2)
    assert big.status_code == 413 and "超过了这类文件 100.0\xa0MB 的大小上限" in big.text
    assert (uploads(site), partials(site)) == before

    # An executable's first chunk: refused, the partial and its row removed.
    exe = media.windows_exe() + b"\0" * 8000
    url = teacher.create(len(exe), filename="教学设计.pdf").headers["Location"]
    refused = teacher.patch(url, 0, exe)
    assert refused.status_code == 415 and "是可执行文件或脚本，不允许上传" in refused.text
    assert (uploads(site), partials(site)) == before and teacher.head(url).status_code == 404
    # A video's bytes announced as a teaching design: refused on the first chunk.
    mp4 = media.mp4(seconds=10)
    url = teacher.create(len(mp4), filename="教学设计.pdf").headers["Location"]
    wrong = teacher.patch(url, 0, mp4)
    assert wrong.status_code == 415 and "MP4 视频" in wrong.text
    # A PDF that says it weighs 120 MB, for a field that would take a 1 GB video: the first chunk
    # shows a document, whose limit is 100 MB.
    url = teacher.create(120 * 1024**2, resource_type="").headers["Location"]
    assert teacher.patch(url, 0, PDF[:8192]).status_code == 413
    assert (uploads(site), partials(site)) == before


def test_an_unfinished_upload_cannot_be_saved_and_stays_to_be_finished(site):
    teacher = Client(site, "teacher06")
    url = teacher.create(len(PDF)).headers["Location"]
    upload_id = url.rstrip("/").split("/")[-1]
    assert teacher.patch(url, 0, PDF[:50_000]).status_code == 204
    rows, files = site.counts(), site.files()
    saved = teacher.save(upload_id)
    assert saved.status == 400
    assert "作品文件还没有上传完（已上传 24%），没有保存" in " ".join(saved.json()["field_errors"]["main_file"])
    assert site.counts() == rows and site.files() == files
    assert teacher.head(url).headers["Upload-Offset"] == "50000"  # still there, not claimed
    assert teacher.patch(url, 50_000, PDF[50_000:]).status_code == 204
    # A form refused for another reason (no title) leaves the finished upload usable.
    refused = teacher.save(upload_id, title="")
    assert refused.status == 400 and site.counts() == rows
    assert teacher.save(upload_id).json()["ok"]


def test_expired_uploads_and_orphan_parts_are_removed_by_the_cleanup(site):
    teacher = Client(site, "teacher07")
    old = teacher.create(len(PDF)).headers["Location"]
    fresh = teacher.create(len(PDF)).headers["Location"]
    assert teacher.patch(old, 0, PDF[:20_000]).status_code == 204
    old_id = old.rstrip("/").split("/")[-1].replace("-", "")
    fresh_id = fresh.rstrip("/").split("/")[-1].replace("-", "")
    site.query("UPDATE review_resumableupload SET expires_at = '2000-01-01 00:00:00+00:00' WHERE id = ?", (old_id,))
    orphan = site.incoming / "resumable" / ("0" * 32 + ".part")
    orphan.write_bytes(b"left by a killed process")
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))
    result = site.manage("uploads_cleanup")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "过期的续传上传：2" in result.stdout
    names = partials(site)
    assert f"{old_id}.part" not in names and orphan.name not in names and f"{fresh_id}.part" in names
    assert teacher.head(old).status_code == 404 and teacher.head(fresh).status_code == 200


def test_an_upload_copied_across_file_systems_is_used_up_all_the_same(live_site, tmp_path):
    """With the partials on another file system than MEDIA_ROOT (their own volume in compose),
    storage copies instead of moving: the upload must still be used once, and its bytes removed."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on another file system than the test's temporary directory")
    partial_root = shm / f"zmd-resumable-{uuid.uuid4().hex}"
    site = live_site.start(UPLOAD_RESUMABLE_DIR=str(partial_root))
    try:
        teacher = Client(site, "teacher08")
        url = teacher.create(len(PDF)).headers["Location"]
        upload_id = url.rstrip("/").split("/")[-1]
        assert teacher.patch(url, 0, PDF).status_code == 204
        assert teacher.save(upload_id).json()["ok"]
        assert list(partial_root.iterdir()) == [] and uploads(site) == []
        rows = site.counts()
        again = teacher.save(upload_id)
        assert again.status == 400 and site.counts() == rows
    finally:
        shutil.rmtree(partial_root, ignore_errors=True)


def test_header_numbers_that_are_not_ascii_digits_are_refused_not_crashed(site):
    """`"²".isdigit()` is true but int("²") fails: a forged Upload-Length or Upload-Offset of such
    characters must get a 400, not a server error, and store nothing."""
    teacher = Client(site, "teacher09")
    before = (uploads(site), partials(site))
    for value in ("\xb2", "\xb9\xb3", "-1", "1e3", "12.0", ""):
        created = teacher.session.post(
            site.url + "/submit/uploads/",
            headers=teacher.headers(**{"Upload-Length": value, "Upload-Metadata": _metadata(filename="a.pdf")}),
            timeout=30,
        )
        assert created.status_code == 400, (value, created.status_code)
    assert (uploads(site), partials(site)) == before
    url = teacher.create(len(PDF)).headers["Location"]
    forged = teacher.session.patch(
        url,
        data=PDF[:10],
        headers=teacher.headers(**{"Upload-Offset": "\xb2", "Content-Type": "application/offset+octet-stream"}),
        timeout=30,
    )
    assert forged.status_code == 400
    assert teacher.head(url).headers["Upload-Offset"] == "0"
    assert teacher.delete(url).status_code == 204


def test_after_a_killed_server_the_upload_continues_from_the_bytes_on_disk(site):
    """The server dies (SIGKILL, the OOM killer) in the middle of a chunk: the bytes written so far
    are in the partial file but the row was never updated. HEAD must report what is stored, so the
    client's next PATCH at that offset is accepted instead of 409 forever."""
    teacher = Client(site, "teacher10")
    big = media.pdf("嵖岈山教学设计", padding=1_000_000)
    url = teacher.create(len(big)).headers["Location"]
    name = url.rstrip("/").split("/")[-1].replace("-", "") + ".part"
    conn = teacher._raw_patch(url, 0, len(big))
    conn.sock.sendall(big[:700_000])
    deadline = time.monotonic() + 20
    while partials(site).get(name, 0) < 500_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    site.kill()
    conn.close()
    site.start()
    url = site.url + "/submit/" + url.split("/submit/", 1)[1]
    stored = partials(site)[name]
    assert stored >= 500_000
    head = teacher.head(url)
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(stored)
    rest = teacher.patch(url, stored, big[stored:])
    assert rest.status_code == 204 and rest.headers["Upload-Offset"] == str(len(big))
    saved = teacher.save(url.rstrip("/").split("/")[-1])
    assert saved.status == 200 and saved.json()["ok"], saved.text[:800]
    assert hashlib.sha256(big).hexdigest() in {
        row[0] for row in site.query("SELECT sha256 FROM review_fileintake WHERE content = 'pdf'")
    }


def test_two_saves_racing_for_one_upload_store_it_once(site):
    """A double click (or two tabs) posts two new drafts naming the same finished upload at the same
    moment: one draft gets the file, the other is refused and stores nothing."""
    import threading

    teacher = Client(site, "teacher12")
    url = teacher.create(len(PDF)).headers["Location"]
    upload_id = url.rstrip("/").split("/")[-1]
    assert teacher.patch(url, 0, PDF).status_code == 204
    documents = site.query("SELECT COUNT(*) FROM wagtaildocs_document")[0][0]
    results, start = [], threading.Barrier(2)

    def save():
        start.wait()
        results.append(teacher.save(upload_id))

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status for r in results) in ([200, 400], [200, 409])
    assert site.query("SELECT COUNT(*) FROM wagtaildocs_document")[0][0] == documents + 1
    assert upload_id.replace("-", "") not in {str(u[0]).replace("-", "") for u in uploads(site)}
