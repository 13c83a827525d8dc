"""Races on a running server (gunicorn, several workers and threads, real multipart POSTs).

- Editing a draft with a slow, large upload while the same draft is submitted: the edit decides
  under a lock on the submission row, after the upload arrived, so it never lands in a submission
  that is under review; the stored files and check rows stay those that were checked.
- Twenty teachers saving drafts at the same moment on the embedded default (SQLite in WAL mode, a
  busy timeout, immediate write transactions): no error, twenty drafts.
"""

import contextlib
import threading
import time

import pytest

from tests.review import hostile, live, media

MP4 = "video/mp4"


def _create_draft(site, teacher, colour):
    parts = live.fields(live.form_data(site, teacher, "/submit/new/"))
    parts += [
        live.upload("main_file", "微课.mp4", media.mp4(colour=colour), MP4),
        live.upload("cover", "封面.png", media.png(), "image/png"),
    ]
    response = live.post(site, teacher, "/submit/new/", parts)
    assert response.status == 200 and response.json()["ok"], response.text[:500]
    return int(response.json()["redirect"].strip("/").split("/")[-1])


def _stored_checks(site, pk):
    page = site.query("SELECT page_id FROM review_submission WHERE id = ?", (pk,))[0][0]
    files = site.query("SELECT document_id FROM catalogue_resourcefile WHERE page_id = ?", (page,))
    checks = site.query(
        "SELECT i.stored_name, i.sha256, c.role, c.state FROM review_filecheck c "
        "JOIN review_fileintake i ON i.id = c.intake_id ORDER BY c.id"
    )
    return files, checks


EDITS = {
    "a different video": lambda n: ("新版微课.mp4", hostile.padded_mp4(f"9{n}9{n}9{n}", 24)),
    "a renamed executable": lambda n: ("新版微课.mp4", media.windows_exe() + b"\0" * (24 * 1024 * 1024)),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_racing_a_submit_of_the_same_draft_never_lands(live_site, edit):
    site = live_site.start(workers=2, threads=4)
    teacher = site.login("teacher05")
    successes = 0
    for round_ in range(3):
        pk = _create_draft(site, teacher, f"20{round_}0a0")
        name, data = EDITS[edit](round_)
        parts = live.fields(live.form_data(site, teacher, f"/submit/{pk}/edit/", title="偷换的版本"))
        parts.append(live.upload("main_file", name, data, MP4))
        answer, progress = {}, {"sent": 0}

        def slow_edit(parts=parts, pk=pk, answer=answer, progress=progress):
            answer["response"] = live.post(
                site, teacher, f"/submit/{pk}/edit/", parts, pace=0.02, chunk=128 * 1024, progress=progress
            )

        editor = threading.Thread(target=slow_edit)
        editor.start()
        deadline = time.monotonic() + 60
        while progress["sent"] < 2 * 1024 * 1024 and time.monotonic() < deadline:  # the edit's file is arriving
            time.sleep(0.05)
        assert progress["sent"] >= 2 * 1024 * 1024, "the edit's upload never started"
        token = site.form_page(teacher, f"/submit/{pk}/")["csrfmiddlewaretoken"]
        submitted = teacher.post(
            f"{site.url}/submit/{pk}/submit/", data={"csrfmiddlewaretoken": token}, headers={"Referer": site.url}
        )
        assert submitted.status_code == 200
        status = site.query("SELECT status FROM review_submission WHERE id = ?", (pk,))[0][0]
        assert status not in ("draft", "returned"), "the submit itself must go through"
        assert editor.is_alive(), "the edit's upload must still be arriving when the draft is submitted"
        after_submit = site.snapshot()
        stored = _stored_checks(site, pk)
        editor.join(timeout=240)
        response = answer["response"]
        if response.status == 200 and response.json().get("ok"):
            successes += 1
        assert response.status in (400, 409), response.text[:500]
        # Nothing of the edit was kept: rows, stored files and check rows are those that were checked.
        final = site.snapshot()
        assert final["rows"] == after_submit["rows"] and final["files"] == after_submit["files"]
        assert final["temp"] == set()
        assert _stored_checks(site, pk) == stored
        title = "SELECT p.title FROM wagtailcore_page p JOIN review_submission s ON s.page_id = p.id WHERE s.id = ?"
        assert site.query(title, (pk,)) == [("嵖岈山｜奇石的故事",)]
        if edit == "a different video":
            assert "作品已提交评审，不能再修改" in response.json()["errors"][0]
    assert successes == 0


def test_twenty_teachers_save_drafts_at_the_same_moment(live_site):
    site = live_site.start(workers=4, threads=5)
    sessions = {name: site.login(name) for name in live.TEACHERS}
    bodies = {}
    for n, (name, session) in enumerate(sessions.items()):
        parts = live.fields(live.form_data(site, session, "/submit/new/", title=f"嵖岈山｜{name} 的微课"))
        parts += [
            live.upload("main_file", "微课.mp4", media.mp4(seconds=6, colour=f"{n:02d}4080"), MP4),
            live.upload("cover", "封面.png", media.png(colour=(n * 10, 90, 90)), "image/png"),
        ]
        bodies[name] = parts
    barrier = threading.Barrier(len(sessions))
    results = {}

    def save(name):
        barrier.wait()
        try:
            results[name] = live.post(site, sessions[name], "/submit/new/", bodies[name])
        except OSError as exc:
            results[name] = exc

    threads = [threading.Thread(target=save, args=(name,)) for name in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    errors = {
        name: (r if isinstance(r, Exception) else (r.status, r.text[:200]))
        for name, r in results.items()
        if isinstance(r, Exception) or r.status != 200 or not r.json().get("ok")
    }
    assert errors == {}
    per_teacher = site.query(
        "SELECT u.username, COUNT(*) FROM review_submission s JOIN auth_user u ON u.id = s.teacher_id GROUP BY u.username"
    )
    assert dict(per_teacher) == {name: 1 for name in live.TEACHERS}
    assert site.counts()["wagtaildocs_document"] == 20 and site.counts()["wagtailimages_image"] == 20
    with contextlib.suppress(FileNotFoundError):
        assert "database is locked" not in site.server_log()
