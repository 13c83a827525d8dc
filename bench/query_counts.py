"""SQL queries per warm public page on the demo site, as a visitor and as a signed-in student.

    .venv/bin/python bench/query_counts.py [--database-url URL] [--redis-url URL]

A scratch demo database (`seed_demo`; SQLite unless --database-url names an empty PostgreSQL
database), the settings of the embedded default (`config.settings.dev`; with --redis-url, Redis for
the cache, the sessions and the access-event queue, as in production). Each page is requested twice
through Django's test client; the second request's queries are counted (renditions made, caches
warm), on the request's own connection: access events are written later, by another thread or
process, as in production. Prints one line per page, and the queries of the slowest page in full
with --verbose. tests/catalogue/test_query_counts.py holds the limit (8) as a test.

Runs against any checkout of the project (it uses only the page models and `profile_set`), so the
same script measures before and after a change: `cp bench/query_counts.py /other/checkout/bench/`.
"""

import argparse
import atexit
import contextlib
import datetime
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: scratch SQLite)")
    parser.add_argument("--redis-url", default="", help="Redis for cache, sessions and access events")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    scratch = Path(tempfile.mkdtemp(prefix="zmd-queries-"))
    atexit.register(shutil.rmtree, scratch, True)  # last: after the recorder's own flush at exit
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": args.database_url or f"sqlite:///{scratch / 'db.sqlite3'}",
            "MEDIA_ROOT": str(scratch / "media"),
            "REDIS_URL": args.redis_url,
        }
    )
    os.chdir(ROOT)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("migrate", "--noinput", verbosity=0)
        call_command("seed_demo")

    from catalogue.models import CampaignPage, ResourceIndexPage, ResourcePage, Role, ThemePage, TopicPage
    from catalogue.services import profile_set

    live = ResourcePage.objects.live().public()
    video = live.filter(files__kind="video").first()
    gallery = live.filter(resource_type__code="gallery").first()
    topic = TopicPage.objects.live().first()
    pages = {
        "home": "/",
        "theme": ThemePage.objects.live().first().url,
        "topic": topic.url,
        "topic, filtered": topic.url + f"?stage={video.stage_id}",
        "campaign": CampaignPage.objects.live().order_by("-year").first().url,
        "resource (video, downloads)": video.url,
        "search": "/search/?q=嵖岈山",
        "login": "/accounts/login/",
    }
    if gallery is not None:
        pages["resource (gallery)"] = gallery.url
    national = ResourceIndexPage.objects.live().filter(slug="national").first()
    if national is not None:
        pages["national index"] = national.url

    student = get_user_model().objects.create_user(username="bench-student", password="Bench#pass2026")
    profile_set(user=student, role=Role.STUDENT, display_name="bench-student")

    print(f"date: {started}  load average (1/5/15 min): {load()}")
    print(
        f"database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"sessions: {settings.SESSION_ENGINE.rsplit('.', 1)[-1]}; demo site ({live.count()} public resources)"
    )
    print(f"{'page':<30} {'visitor':>8} {'student':>8}")
    worst = (0, "", [])
    visitor, signed_in = Client(), Client()
    signed_in.force_login(student)
    totals = []
    for name, url in pages.items():
        row = []
        for who, client in (("visitor", visitor), ("student", signed_in)):
            if who == "student" and name == "login":
                row.append("—")  # a signed-in visitor is sent on from the login page
                continue
            first = client.get(url)
            assert first.status_code == 200, (name, who, first.status_code)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (name, who, response.status_code)
            row.append(str(len(queries)))
            totals.append(len(queries))
            if len(queries) > worst[0]:
                worst = (len(queries), f"{name} ({who})", [q["sql"] for q in queries.captured_queries])
        print(f"{name:<30} {row[0]:>8} {row[1]:>8}", flush=True)
    print(f"most: {max(totals)} queries ({worst[1]})")
    if args.verbose:
        for sql in worst[2]:
            print("  ", sql[:300])


if __name__ == "__main__":
    main()
