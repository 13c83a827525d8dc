"""The stack's entrance, for real: Debian's nginx running deploy/nginx/zmd.conf (only its ports,
upstream and volume paths changed) in front of gunicorn with the production settings, on loopback.

What a visitor or an attacker does is done over HTTPS against nginx, and what the product recorded
(the audit log, the access events, the bytes of files) is read back from its database. Skipped with
the reason when nginx or openssl is missing (`make test` installs both as root).
"""

import json
import os
import re
import socket
import ssl
import time
import uuid
from urllib.parse import quote

import pytest
import requests

from .conftest import Gunicorn, Nginx, manage, production_env

VIDEO_SIZE = 3 * 1024 * 1024 + 123
DESIGN_NAME = "嵖岈山花岗岩地貌教学设计.pdf"
# A resource file is saved under the resource's title and the file's label (catalogue.naming).
DOWNLOAD_NAME = "嵖岈山｜花岗岩地貌的形成-配套材料.pdf"
FORGED = "203.0.113.77"

SETUP = """
import json, os
from django.urls import reverse
from catalogue.services import taxonomy_pages_sync
from tests import factories

taxonomy_pages_sync()
video = factories.document("微课", name="嵖岈山微课.mp4", data=open(os.environ["ZMD_VIDEO"], "rb").read())
design = factories.document("教学设计", name=os.environ["ZMD_DESIGN_NAME"])
page = factories.resource(title="嵖岈山｜花岗岩地貌的形成", files=[(video, "video"), (design, "document")])
files = {f.document_id: f for f in page.files.all()}
draft_doc = factories.document("草稿课件", name="未发布课件.pdf")
draft = factories.resource(title="未发布的资源", files=[(draft_doc, "document")], publish=False)
rendition = page.cover_image.get_rendition("fill-480x270")

def file_url(f, download=False):
    return reverse("catalogue:resource_file", args=[f.pk, f.filename]) + ("?download=1" if download else "")

print(json.dumps({
    "resource": page.url,
    "video": file_url(files[video.pk]),
    "design": file_url(files[design.pk], download=True),
    "draft": file_url(draft.files.get(), download=True),
    "draft_document": reverse("wagtaildocs_serve", args=[draft_doc.pk, draft_doc.filename]),
    "draft_media": "/media/" + draft_doc.file.name,
    "public_document": reverse("wagtaildocs_serve", args=[design.pk, design.filename]),
    "rendition": rendition.url,
    "cover_original": "/media/" + page.cover_image.file.name,
}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, static_root):
    """The production settings on a SQLite file of their own, with media served as in compose."""
    base = tmp_path_factory.mktemp("nginx-site")
    media = base / "media"
    video = base / "video.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(VIDEO_SIZE - 12))
    env = production_env(
        DATABASE_URL=f"sqlite:///{base / 'db.sqlite3'}",
        MEDIA_ROOT=media,
        STATIC_ROOT=static_root,
        MEDIA_ACCEL_REDIRECT="true",
        TASKS_BACKEND="immediate",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        ZMD_VIDEO=video,
        ZMD_DESIGN_NAME=DESIGN_NAME,
    )
    result = manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    result = manage("shell", "-c", SETUP, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    urls = json.loads(result.stdout.strip().splitlines()[-1])
    return {"env": env, "media": media, "video": video.read_bytes(), "urls": urls, "base": base}


@pytest.fixture(scope="module")
def stack(site, static_root):
    server = Gunicorn(site["env"]).start()  # one sync worker: anything holding it would show
    proxy = Nginx(site["base"], upstream=server.url, static_root=static_root, media_root=site["media"])
    try:
        proxy.start()
    except BaseException:
        server.stop()
        raise
    yield proxy
    proxy.stop()
    server.stop()


def get(stack, path, **kwargs):
    kwargs.setdefault("allow_redirects", False)
    kwargs.setdefault("timeout", 20)
    return requests.get(stack.https + path, verify=stack.cert, **kwargs)


def shell(site, code) -> str:
    result = manage("shell", "-c", code, env=site["env"])
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_the_project_file_passes_nginx_t_as_is(stack):
    assert "syntax is ok" in stack.config_test_output and "[emerg]" not in stack.config_test_output


def test_pages_serve_over_https_and_http_is_redirected(stack):
    home = get(stack, "/")
    assert home.status_code == 200 and "驻马店特色数字资源库" in home.text
    assert home.headers["Server"] == "nginx"
    assert home.headers["Strict-Transport-Security"].startswith("max-age=31536000")  # Django saw https
    plain = requests.get(stack.http + "/national/?page=2", timeout=10, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"] == "https://127.0.0.1/national/?page=2"


def test_static_files_are_sent_by_nginx_with_long_lifetimes(stack):
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', get(stack, "/").text).group(1)
    response = get(stack, css, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "text/css" in response.headers["Content-Type"]
    # The map in zmd.conf, not WhiteNoise's header ("max-age=315360000, public, immutable").
    assert response.headers["Cache-Control"] == "public, max-age=315360000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"  # gzip_static: collectstatic's .gz
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_forged_client_address_never_reaches_the_app(stack, site):
    """The audit log's address of a failed login and the access event's IP hash are those of the
    connection nginx saw (127.0.0.1), whatever X-Forwarded-For / X-Real-IP the client sends."""
    forged = {"X-Forwarded-For": f"{FORGED}, 198.51.100.1", "X-Real-IP": FORGED}
    session = requests.Session()
    login = stack.https + "/accounts/login/"
    page = session.get(login, headers=forged, timeout=10, verify=stack.cert)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    username = f"forger-{uuid.uuid4().hex[:8]}"
    response = session.post(
        login,
        data={"csrfmiddlewaretoken": token, "username": username, "password": "wrong-password"},
        headers={**forged, "Referer": login},
        timeout=10,
        verify=stack.cert,
    )
    assert response.status_code == 200 and "用户名或密码不正确" in response.text
    recorded_ip = shell(
        site,
        "from wagtail.models import ModelLogEntry;"
        f"print(ModelLogEntry.objects.get(action='ops.login_failed', data__username='{username}').data['ip'])",
    )
    assert recorded_ip == "127.0.0.1"

    agent = f"Mozilla/5.0 (X11; Linux x86_64) nginx-test/{uuid.uuid4().hex[:8]}"
    assert get(stack, site["urls"]["resource"], headers={**forged, "User-Agent": agent}).status_code == 200
    check = (
        "import json, time\n"
        "from indicators.identity import _digest, salt_day, salt_for\n"
        "from indicators.models import AccessEvent\n"
        "event = None\n"
        "for _ in range(60):\n"
        f"    event = AccessEvent.objects.filter(user_agent={agent!r}).first()\n"
        "    if event: break\n"
        "    time.sleep(0.25)\n"
        "salt = salt_for(salt_day(event.time))\n"
        f"print(json.dumps([event.ip_hash, _digest(salt, '127.0.0.1'), _digest(salt, {FORGED!r})]))"
    )
    # The web process writes its buffer of events every two seconds.
    deadline = time.monotonic() + 30
    while True:
        result = manage("shell", "-c", check, env=site["env"])
        if result.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert result.returncode == 0, result.stderr[-2000:]
    stored, loopback, forged_hash = json.loads(result.stdout.strip().splitlines()[-1])
    assert stored == loopback and stored != forged_hash


def test_a_slow_upload_holds_no_gunicorn_worker(stack):
    """Half a request body, then silence: with nginx buffering the body, the only gunicorn worker
    is free and the site answers at once; then the rest of the body arrives and is answered."""
    context = ssl.create_default_context(cafile=stack.cert)
    body = b"x" * 2_000_000
    raw = socket.create_connection(("127.0.0.1", stack.https_port), timeout=30)
    upload = context.wrap_socket(raw, server_hostname="127.0.0.1")
    try:
        upload.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[: len(body) // 2]
        )
        time.sleep(0.5)
        started = time.monotonic()
        assert get(stack, "/", timeout=10).status_code == 200
        assert time.monotonic() - started < 5
        upload.sendall(body[len(body) // 2 :])
        reply = upload.recv(4096)
        assert reply.startswith(b"HTTP/1.1 403")  # Django answers it (no CSRF token): it got the body
    finally:
        upload.close()


def test_an_upload_over_the_limit_gets_the_chinese_page_before_any_byte(stack):
    from deploy.nginx.local import body_limit

    too_big = int(body_limit()[:-1]) * 1024 * 1024 + 1  # what the stack's nginx was given, and a byte
    response = requests.post(
        stack.https + "/submit/",
        data=b"",
        headers={"Content-Length": str(too_big)},
        verify=stack.cert,
        timeout=10,
    )
    assert response.status_code == 413
    assert "上传的文件太大" in response.content.decode()


def test_video_bytes_come_from_nginx_with_ranges(stack, site):
    url, video = site["urls"]["video"], site["video"]
    whole = get(stack, url)
    assert whole.status_code == 200 and whole.content == video
    assert whole.headers["Content-Type"] == "video/mp4"
    assert whole.headers["Content-Length"] == str(len(video))
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert "ETag" in whole.headers and "Last-Modified" in whole.headers  # nginx's static handler
    assert whole.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in whole.headers  # the player plays it
    assert whole.headers["Content-Disposition"].startswith("inline;")
    assert "X-Accel-Redirect" not in whole.headers

    seek = get(stack, url, headers={"Range": "bytes=1048576-1049599"})
    assert seek.status_code == 206
    assert seek.headers["Content-Range"] == f"bytes 1048576-1049599/{len(video)}"
    assert seek.content == video[1048576:1049600]
    tail = get(stack, url, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == video[-100:]
    rest = get(stack, url, headers={"Range": f"bytes={len(video) - 10}-"})
    assert rest.status_code == 206 and rest.content == video[-10:]
    assert get(stack, url, headers={"Range": f"bytes={len(video) + 5}-"}).status_code == 416


def test_a_download_keeps_its_chinese_name_and_the_file_csp(stack, site):
    response = get(stack, site["urls"]["design"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF-1.4")
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(DOWNLOAD_NAME)}" in disposition
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    document = get(stack, site["urls"]["public_document"])
    assert document.status_code == 200 and document.content == response.content
    assert quote(DESIGN_NAME) in document.headers["Content-Disposition"]


def test_a_drafts_file_is_refused_at_every_door(stack, site):
    urls = site["urls"]
    assert get(stack, urls["draft"]).status_code == 404
    assert get(stack, urls["draft_document"]).status_code == 403
    assert get(stack, urls["draft_media"]).status_code == 404
    # nginx's internal location cannot be asked for directly, nor reached around Django.
    internal = urls["draft_media"].replace("/media/", "/internal-media/", 1)
    assert get(stack, internal).status_code == 404
    assert get(stack, "/media/images/../" + urls["draft_media"].split("/media/", 1)[1]).status_code == 404
    assert get(stack, "/media/images/..%2f" + urls["draft_media"].split("/media/", 1)[1]).status_code == 404
    assert get(stack, urls["cover_original"]).status_code == 404


def test_renditions_are_sent_by_nginx(stack, site):
    response = get(stack, site["urls"]["rendition"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=604800"
    assert response.content.startswith(b"\x89PNG")
