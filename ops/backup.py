"""Backup and restore of the database and the media files, in one tar archive.

The database goes through Django's serializers (dumpdata / loaddata, JSON Lines, gzip), so one
archive restores on SQLite or PostgreSQL alike and into a newer release after `migrate`. Media
files go through the storage API, so the same commands work when object storage replaces the
local disk. Layout of the archive:

    manifest.json          format, date, database vendor, applied migrations, row counts, files
    database.jsonl.gz      every row except derived or transient ones (EXCLUDED_MODELS)
    media/<path>           every file in the default storage
"""

import gzip
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .audit import BACKUP, RESTORE, audit, audit_suspended

FORMAT = "zmd-backup/1"
# Rebuilt by migrate/flush (content types, permissions), rebuilt from the content (search index),
# or transient (sessions, login-failure counters, task queue).
EXCLUDED_MODELS = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "wagtailsearch",
    "axes",
    "django_tasks_db",
]


class BackupError(Exception):
    """A backup archive that cannot be restored here (wrong format, newer migrations, damage)."""


@dataclass
class RestoreResult:
    counts: dict[str, int]
    files: int
    mismatches: dict[str, tuple[int, int | None]]


def _installed_exclusions() -> list[str]:
    return [
        e for e in EXCLUDED_MODELS if "." in e or apps.is_installed(e) or e in {a.label for a in apps.get_app_configs()}
    ]


def _excluded(label: str) -> bool:
    app_label, model = label.split(".")
    return app_label in EXCLUDED_MODELS or label in EXCLUDED_MODELS


def _models():
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.managed and not model._meta.proxy and not _excluded(label):
            yield label, model


def row_counts() -> dict[str, int]:
    return {label: model._default_manager.count() for label, model in sorted(_models())}


def _media_files(storage=default_storage, path=""):
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for d in sorted(dirs):
        yield from _media_files(storage, f"{path}/{d}" if path else d)


def _applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if app_label not in latest or name > latest[app_label]:
            latest[app_label] = name
    return latest


def backup_create(*, path: str, user=None) -> dict:
    """Write the archive to `path` (written to a temporary name first, then renamed)."""
    audit(_site(), BACKUP, user=user, data={"path": os.path.basename(path)})
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "migrations": _applied_migrations(),
        "counts": row_counts(),
        "files": [],
    }
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as work:
        dump = os.path.join(work, "database.jsonl.gz")
        call_command(
            "dumpdata",
            format="jsonl",
            natural_foreign=True,
            exclude=_installed_exclusions(),
            output=dump,
            verbosity=0,
        )
        partial = os.path.join(work, "backup.tar")
        with tarfile.open(partial, "w") as tar:
            tar.add(dump, arcname="database.jsonl.gz")
            for name in _media_files():
                with default_storage.open(name, "rb") as f:
                    info = tarfile.TarInfo(f"media/{name}")
                    info.size = default_storage.size(name)
                    info.mtime = int(timezone.now().timestamp())
                    tar.addfile(info, f)
                manifest["files"].append(name)
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    return manifest


def backup_read_manifest(path: str) -> dict:
    try:
        with tarfile.open(path, "r") as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
    except (tarfile.TarError, KeyError, OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"不是有效的备份文件：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 不受支持（需要 {FORMAT}）。")
    return manifest


def _check_migrations(manifest: dict):
    """A backup from a newer release cannot load into older code."""
    here = _applied_migrations()
    ahead = [
        f"{app}.{name}" for app, name in manifest.get("migrations", {}).items() if app not in here or name > here[app]
    ]
    if ahead:
        raise BackupError("备份来自更新的程序版本，请先升级程序再恢复：" + "、".join(sorted(ahead)[:5]))


def _site():
    from wagtail.models import Site

    return Site.objects.filter(is_default_site=True).first()


def backup_restore(*, path: str, user=None) -> RestoreResult:
    """Replace the database content and the media files with those of the archive.

    The database part is one transaction: a failure leaves the old data in place. Media files
    are replaced after the database commits.
    """
    manifest = backup_read_manifest(path)
    call_command("migrate", interactive=False, verbosity=0)
    _check_migrations(manifest)
    with tarfile.open(path, "r") as tar, tempfile.TemporaryDirectory() as work:
        dump = os.path.join(work, "database.jsonl.gz")
        with tar.extractfile("database.jsonl.gz") as src, open(dump, "wb") as dst:
            while chunk := src.read(1024 * 1024):
                dst.write(chunk)
        with gzip.open(dump, "rb") as check:  # damaged archives fail here, before anything is wiped
            while check.read(1024 * 1024):
                pass
        with audit_suspended(), transaction.atomic():
            _wipe_database()
            call_command("loaddata", dump, verbosity=0)
        for name in list(_media_files()):
            default_storage.delete(name)
        files = 0
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("media/"):
                continue
            name = member.name[len("media/") :]
            if not name or name.startswith("/") or ".." in name.split("/"):
                raise BackupError(f"备份中的文件路径不安全：{member.name}")
            with tar.extractfile(member) as src:
                saved = default_storage.save(name, File(src, name=os.path.basename(name)))
            if saved != name:
                raise BackupError(f"媒体文件 {name} 未能按原路径恢复（得到 {saved}）。")
            files += 1
    counts = row_counts()
    call_command("update_index", verbosity=0)  # the search index is rebuilt, not restored
    audit(_site(), RESTORE, user=user, data={"path": os.path.basename(path), "created_at": manifest["created_at"]})
    mismatches = {
        label: (expected, counts.get(label))
        for label, expected in manifest["counts"].items()
        if counts.get(label) != expected
    }
    return RestoreResult(counts=counts, files=files, mismatches=mismatches)


def _wipe_database():
    """Empty every table the backup covers (children first), inside the caller's transaction.

    Content types and permissions stay: loaddata resolves them by natural key. Plain SQL, not
    Django's deletion collector, so no delete signal fires for rows about to come back.
    """
    tables = [model._meta.db_table for _label, model in _models()]
    through = [
        f.remote_field.through._meta.db_table
        for _label, model in _models()
        for f in model._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables + through)
            # Deferred foreign-key checks still pending in this transaction must run before
            # TRUNCATE; afterwards they are deferred again so loaddata may insert in any order.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            with connection.constraint_checks_disabled():
                for table in through + tables:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
