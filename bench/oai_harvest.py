"""Harvest time of the OAI-PMH interface for 10,000 public resources, with a real harvester.

    .venv/bin/python bench/oai_harvest.py                 # scratch SQLite, 10,000 resources
    .venv/bin/python bench/oai_harvest.py --count 2000    # smaller
    DATABASE_URL=postgres://… .venv/bin/python bench/oai_harvest.py --database-url "$DATABASE_URL"

Builds (once) a scratch catalogue of N live resources, each with a cover, a video and a document
file, so every record carries the full metadata and its links. Then serves it with gunicorn (2
workers, config.settings.dev, DEBUG off) and harvests it with Sickle, as a provincial harvester
would: ListIdentifiers, ListRecords in oai_dc and in zmd_resource (pages of 100 records), and an
incremental ListRecords from a moment after the build (a few changed records). Prints the total
and per-page times with the machine and its load.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, gunicorn, machine, manage  # noqa: E402


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def populate(count: int) -> None:
    """In-process: the scratch catalogue, made the way an import makes it (live pages). One page
    per topic goes through Wagtail's add_child; the rest are copies of it written in bulk (tree
    paths computed as treebeard does), since add_child costs about a second per page on a busy
    two-core machine and what is measured here is the harvest, not the build."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime
    import io
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.images import ImageFile
    from django.db import connection, transaction
    from PIL import Image
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page

    from catalogue.models import ResourceFile, ResourcePage, ResourceType, Stage, Subject, Topic
    from catalogue.services import campaign_ensure, taxonomy_pages_sync

    existing = ResourcePage.objects.live().count()
    if existing >= count:
        return
    taxonomy_pages_sync()
    campaign = campaign_ensure(year=2026)
    campaign.save_revision().publish()
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 720), (40, 120, 80)).save(buffer, format="PNG")
    cover = get_image_model().objects.create(title="封面", file=ImageFile(buffer, name="cover.png"))
    documents = []
    for name, data in (("lesson.mp4", b"\x00" * 2048), ("worksheet.pdf", b"%PDF-1.4 bench\n" * 100)):
        doc = get_document_model()(title=name)
        doc.file.save(name, ContentFile(data), save=False)
        doc.save()
        documents.append(doc)
    topics = list(Topic.objects.select_related("theme"))
    stages, kinds, subjects = list(Stage.objects.all()), list(ResourceType.objects.all()), list(Subject.objects.all())
    published = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    templates = []
    for n, topic in enumerate(topics):
        page = ResourcePage(
            title=f"{topic.name}｜资源模板",
            slug=f"bench-template-{n}",
            description=f"<p>{topic.description}</p>",
            theme=topic.theme,
            topic=topic,
            stage=stages[n % len(stages)],
            resource_type=kinds[n % len(kinds)],
            authors="张敏、李华",
            co_authors="王静",
            year=2024 + n % 3,
            licence_confirmed=True,
            cover_image=cover,
            live=True,
            first_published_at=published,
            last_published_at=published,
        )
        page.subjects = subjects[n % len(subjects) : n % len(subjects) + 2]
        campaign.add_child(instance=page)
        templates.append(page)
    campaign.refresh_from_db()
    alphabet, steplen = Page.alphabet, Page.steplen

    def encode(number: int) -> str:
        digits = ""
        while number:
            number, rest = divmod(number, len(alphabet))
            digits = alphabet[rest] + digits
        return digits.rjust(steplen, alphabet[0])

    todo = count - ResourcePage.objects.count()
    started = time.perf_counter()
    with transaction.atomic():
        first_child = campaign.numchild + 1
        pages = []
        for i in range(todo):
            template = templates[i % len(templates)]
            pages.append(
                Page(
                    title=f"{template.topic.name}｜资源 {i:05d}",
                    draft_title=f"{template.topic.name}｜资源 {i:05d}",
                    slug=f"bench-{i}",
                    content_type_id=template.content_type_id,
                    path=campaign.path + encode(first_child + i),
                    depth=campaign.depth + 1,
                    numchild=0,
                    url_path=f"{campaign.url_path}bench-{i}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published,
                    last_published_at=published,
                    locale_id=template.locale_id,
                    translation_key=uuid.uuid4(),
                )
            )
        Page.objects.bulk_create(pages, batch_size=1000)
        Page.objects.filter(pk=campaign.pk).update(numchild=campaign.numchild + todo)
        table = ResourcePage._meta.db_table
        columns = [
            f.column for f in ResourcePage._meta.local_concrete_fields if f.column not in ("page_ptr_id", "external_id")
        ]
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            for i, page in enumerate(pages):
                template = templates[i % len(templates)]
                cursor.execute(
                    f"INSERT INTO {table} (page_ptr_id, {names}) SELECT %s, {names} FROM {table} WHERE page_ptr_id = %s",
                    [page.pk, template.pk],
                )
        through = ResourcePage.subjects.through
        links, files = [], []
        for i, page in enumerate(pages):
            template = templates[i % len(templates)]
            links += [through(resourcepage_id=page.pk, subject_id=s.pk) for s in template.subjects.all()]
            files += [
                ResourceFile(page_id=page.pk, document=documents[0], kind="video", sort_order=0),
                ResourceFile(page_id=page.pk, document=documents[1], kind="document", sort_order=1),
            ]
        through.objects.bulk_create(links, batch_size=2000)
        ResourceFile.objects.bulk_create(files, batch_size=2000)
    print(f"  built {todo} resources in bulk ({time.perf_counter() - started:.0f} s)", flush=True)


def harvest(base: str, verb: str, **params) -> tuple[int, float, list[float]]:
    from sickle import Sickle
    from sickle.iterator import OAIResponseIterator

    pages = []
    sickle = Sickle(base + "/oai/", iterator=OAIResponseIterator, timeout=300)
    started = last = time.perf_counter()
    items = 0
    responses = getattr(sickle, verb)(**params)  # fetches the first page
    try:
        for response in responses:
            now = time.perf_counter()
            pages.append((now - last) * 1000)
            last = now
            tag = "record" if verb == "ListRecords" else "header"
            items += len(response.xml.findall(f".//{{http://www.openarchives.org/OAI/2.0/}}{tag}"))
    except Exception as exc:  # noqa: BLE001 — noRecordsMatch for an empty incremental window
        if type(exc).__name__ != "NoRecordsMatch":
            raise
    return items, time.perf_counter() - started, pages


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))] if values else 0.0


def report(rows) -> None:
    print()
    print(f"date: {time.strftime('%Y-%m-%d')}")
    print("| harvest | items | total | per page p50 | per page p95 | load (1/5/15 min) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, items, seconds, p50, page_p95, avg in rows:
        print(f"| {label} | {items} | {seconds:.1f} s | {p50:.0f} ms | {page_p95:.0f} ms | {avg} |", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    db = "/tmp/zmd-oai-bench.sqlite3"
    media = "/tmp/zmd-oai-bench-media"
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": args.database_url or f"sqlite:///{db}",
            "MEDIA_ROOT": media,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        }
    )
    os.environ.update(env)
    manage("migrate", "--noinput", env=env)
    print(f"building {args.count} resources (once; reused on later runs) …", flush=True)
    populate(args.count)
    print(f"machine: {machine()}")
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}")
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    with gunicorn(env, workers=2) as base:
        # A few records change after `since`: what an incremental harvest picks up.
        manage(
            "shell",
            "-c",
            "from catalogue.models import ResourcePage as R; [p.save_revision().publish() for p in R.objects.live()[:25]]",
            env=env,
        )
        rows = []
        for label, verb, params in (
            ("ListIdentifiers oai_dc", "ListIdentifiers", {"metadataPrefix": "oai_dc"}),
            ("ListRecords oai_dc", "ListRecords", {"metadataPrefix": "oai_dc"}),
            ("ListRecords zmd_resource", "ListRecords", {"metadataPrefix": "zmd_resource"}),
            ("ListRecords zmd_resource from=<build>", "ListRecords", {"metadataPrefix": "zmd_resource", "from": since}),
        ):
            items, seconds, pages = harvest(base, verb, **params)
            rows.append((label, items, seconds, statistics.median(pages) if pages else 0, p95(pages), load()))
        report(rows)  # before gunicorn's graceful stop, which may take its time on a busy machine


if __name__ == "__main__":
    main()
