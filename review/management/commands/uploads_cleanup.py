"""Tidy up after uploads and re-queue checks that could not run (run by cron or the worker).

- temporary uploads and half-written media parts left by a killed process;
- resumable (chunked) uploads that expired unfinished, with their partial files
  (review.services.resumable);
- original files under documents/ and original_images/ that no row refers to (a process killed
  between storing a file and committing its row), once older than --grace-minutes;
- files whose technical check is still 待检测 (ffprobe was missing, a timeout): measured again.
"""

import os
import time

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from ops.storage import PART_PREFIX, AtomicFileSystemStorage
from ops.upload_handler import leftovers_remove
from review.models import FileIntake, ResumableUpload
from review.services.files import pending_checks_enqueue
from review.services.resumable import resumable_uploads_expire

ORIGINALS = ("documents", "original_images")


class Command(BaseCommand):
    help = "删除上传残留（临时文件、写了一半的文件、没有记录的原始文件），并重新检测“待检测”的文件。"

    def add_arguments(self, parser):
        parser.add_argument("--grace-minutes", type=int, default=60, help="没有记录的文件至少存在这么久才删除")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除也不排队")

    def handle(self, *args, grace_minutes, dry_run, **options):
        removed = [] if dry_run else leftovers_remove()
        if dry_run:
            expired = ResumableUpload.objects.filter(expires_at__lte=timezone.now(), claimed_at__isnull=True).count()
        else:
            partials = resumable_uploads_expire()
            expired, removed = len(partials), removed + partials
        orphans = self._orphans(grace_minutes * 60)
        if not dry_run:
            for path in orphans:
                default_storage.delete(path)
        pending = list(FileIntake.objects.filter(status=FileIntake.Status.PENDING).values_list("pk", flat=True))
        if pending and not dry_run:
            pending_checks_enqueue(pending)
        self.stdout.write(
            f"临时文件和残留部分：{len(removed)}；过期的续传上传：{expired}；"
            f"无记录的原始文件：{len(orphans)}；重新排队检测：{len(pending)}"
        )
        for path in removed + orphans:
            self.stdout.write(f"  {path}")

    def _orphans(self, grace_seconds: int) -> list[str]:
        if not isinstance(default_storage, AtomicFileSystemStorage):
            return []  # object storage: files are written whole or not at all
        known = set(get_document_model().objects.values_list("file", flat=True))
        known |= set(get_image_model().objects.values_list("file", flat=True))
        now, orphans = time.time(), []
        for folder in ORIGINALS:
            root = os.path.join(default_storage.location, folder)
            for directory, _dirs, files in os.walk(root):
                for name in files:
                    path = os.path.join(directory, name)
                    relative = os.path.relpath(path, default_storage.location).replace(os.sep, "/")
                    if name.startswith(PART_PREFIX) or relative in known:
                        continue
                    if now - os.stat(path).st_mtime >= grace_seconds:
                        orphans.append(relative)
        return orphans
