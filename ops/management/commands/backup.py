from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库和媒体文件到一个 tar 文件，例如：python manage.py backup /backups/zmd-2026-11-22.tar"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件路径（.tar）")

    def handle(self, *args, path, **options):
        try:
            manifest = backup_create(path=path)
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(f"备份完成：{path}（{rows} 条数据记录，{len(manifest['files'])} 个媒体文件）")
        )
