from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_read_manifest, backup_restore


class Command(BaseCommand):
    help = "从 backup 生成的 tar 文件恢复数据库和媒体文件（会覆盖当前全部数据）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件路径（.tar）")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="不询问，直接恢复"
        )

    def handle(self, *args, path, interactive=True, **options):
        try:
            manifest = backup_read_manifest(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"备份时间：{manifest['created_at']}，数据库：{manifest['database_vendor']}，"
            f"{sum(manifest['counts'].values())} 条记录，{len(manifest['files'])} 个媒体文件。"
        )
        if interactive:
            answer = input("恢复将覆盖当前的全部数据和媒体文件。确认请输入 yes：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消恢复。")
        try:
            result = backup_restore(path=path)
        except (BackupError, OSError) as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        if result.mismatches:
            for label, (expected, got) in sorted(result.mismatches.items()):
                self.stderr.write(f"  {label}: 备份中 {expected} 条，恢复后 {got} 条")
            raise CommandError("恢复后的记录数与备份不一致，请检查上面列出的数据表。")
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：{sum(result.counts.values())} 条记录，{result.files} 个媒体文件，记录数与备份一致。"
            )
        )
