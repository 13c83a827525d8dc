"""The per-process cache layers of the production shape (ops.cache: version tokens read once per
request, the local layer, LocalFrontCache for renditions) against a real Redis and gunicorn with
two worker processes: an edit made anywhere shows at once on every page every worker serves.

The edits are made by another process (`manage.py shell`), as the admin's would be."""

import re

import pytest
import requests

from .conftest import Gunicorn, manage, production_env

SETUP = """
import json
from catalogue.models import Theme
from catalogue.services import taxonomy_pages_sync
from tests import factories
import itertools, uuid
taxonomy_pages_sync()
factories._seq = itertools.count(uuid.uuid4().int % 10**9)  # the database outlives a run: a slug of its own
resource = factories.resource(title='缓存层测试资源')
print(json.dumps({'id': resource.pk, 'title': resource.title, 'url': resource.url, 'image': resource.cover_image_id, 'theme': resource.theme_id, 'name': resource.theme.name}))
"""

RENAME = """
from catalogue.models import Theme
theme = Theme.objects.get(pk={pk})
theme.name = {name!r}
theme.save()
"""

PURGE = """
from wagtail.images import get_image_model
image = get_image_model().objects.get(pk={pk})
for rendition in image.renditions.all():
    rendition.delete()  # Wagtail's own post_delete purges the rendition cache
"""

UNPUBLISH = """
from catalogue.models import ResourcePage
ResourcePage.objects.get(pk={pk}).unpublish()
"""

REPUBLISH = """
from catalogue.models import ResourcePage
ResourcePage.objects.get(pk={pk}).get_latest_revision().publish()
"""

RENDITIONS = """
from wagtail.images import get_image_model
for rendition in get_image_model().objects.get(pk={pk}).renditions.all():
    print(rendition.file.name)
"""


class TwoWorkers(Gunicorn):
    """gunicorn with the project's gunicorn.conf.py and two worker processes."""

    def start(self):
        import subprocess
        import sys
        from pathlib import Path

        from .conftest import ROOT, wait_for

        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, "config.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py")]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "2"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL)
        assert wait_for(lambda: requests.get(self.url + "/healthz/", timeout=2).status_code == 200, timeout=60)
        return self


def shell(env, code) -> str:
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def site(production_database, redis_server, static_root, tmp_path_factory):
    import json

    media = tmp_path_factory.mktemp("media")
    env = production_env(
        DATABASE_URL=production_database,
        REDIS_URL=redis_server.url,
        STATIC_ROOT=static_root,
        MEDIA_ROOT=media,
    )  # TASKS_BACKEND=database: a purged rendition's file stays until the worker runs, so a new one gets a new name
    created = json.loads(shell(env, SETUP).strip().splitlines()[-1])

    server = TwoWorkers(env).start()
    yield server, env, created
    server.stop()


def many(server, path, times=12) -> list[str]:
    """The page, asked often enough that both workers (and their threads) answer it."""
    pages = []
    for _ in range(times):
        response = server.get(path)
        assert response.status_code == 200
        pages.append(response.text)
    return pages


def test_a_theme_renamed_shows_at_once_on_every_page_of_every_worker(site):
    server, env, created = site
    name, renamed = created["name"], created["name"] + "（改）"
    for text in many(server, "/") + many(server, created["url"]):
        assert name in text  # warm: the header and the resource page come from the caches
    shell(env, RENAME.format(pk=created["theme"], name=renamed))
    try:
        for text in many(server, "/"):
            assert renamed in text  # the header's theme menu, on every worker
        for text in many(server, created["url"]):
            # the resource's own theme (attached from the cached structure, not joined)
            assert f"<dd>{renamed}</dd>" in text
    finally:
        shell(env, RENAME.format(pk=created["theme"], name=name))


def test_a_purged_rendition_is_never_shown_again_by_any_worker(site):
    server, env, created = site
    before = set(re.findall(r"/media/(images/[^\"']+)", "".join(many(server, created["url"]))))
    assert before  # the cover's renditions, now held by both workers
    shell(env, PURGE.format(pk=created["image"]))
    shown = set(re.findall(r"/media/(images/[^\"']+)", "".join(many(server, created["url"]))))
    existing = set(shell(env, RENDITIONS.format(pk=created["image"])).split())
    assert shown and shown <= existing  # made again, and every worker shows the new files
    assert not shown & before  # the old files are still on disk (the worker deletes them): new names


def test_a_resource_unpublished_elsewhere_is_gone_at_once_from_every_worker(site):
    """Production keeps whole pages (catalogue.caching.content): unpublishing must drop them in
    every worker at their next request, the page and its cards alike."""
    server, env, created = site
    for text in many(server, "/"):
        assert created["title"] in text  # kept by both workers now
    many(server, created["url"])
    shell(env, UNPUBLISH.format(pk=created["id"]))
    try:
        for _ in range(12):
            assert server.get(created["url"]).status_code == 404
        for text in many(server, "/"):
            assert created["title"] not in text
    finally:
        shell(env, REPUBLISH.format(pk=created["id"]))
    for text in many(server, created["url"]):
        assert created["title"] in text


def test_pages_need_one_redis_round_trip_when_warm(site, redis_server):
    """The production shape's warm page asks Redis once (all version tokens in one MGET). Counted
    with Redis's own statistics; the workers' background drain of the event queue (LPOP) aside."""
    import redis

    server, env, created = site
    client = redis.Redis.from_url(redis_server.url)
    many(server, "/", 6)
    many(server, created["url"], 6)
    before = client.info("commandstats")
    many(server, "/", 10)
    after = client.info("commandstats")

    def calls(stats):
        return sum(v["calls"] for k, v in stats.items() if k not in ("cmdstat_info", "cmdstat_lpop"))

    # One MGET a page; the slack is the structure's 30-second refresh in each worker (a GET each).
    assert calls(after) - calls(before) <= 10 + 2
