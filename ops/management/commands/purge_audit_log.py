from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.services import AUDIT_LOG_MIN_DAYS as MIN_DAYS  # six months: 网络安全法 第二十一条
from ops.services import audit_log_purge


class Command(BaseCommand):
    help = "删除早于保留期限的审计日志（默认 AUDIT_LOG_RETENTION_DAYS 天，最少 183 天，不会删除更新的记录）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="保留天数（不少于 183）")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.AUDIT_LOG_RETENTION_DAYS if days is None else days
        if days < MIN_DAYS:
            raise CommandError(f"审计日志至少保留 {MIN_DAYS} 天（六个月），不能设为 {days} 天。")
        result = audit_log_purge(older_than_days=days, dry_run=dry_run)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result['cutoff']:%Y-%m-%d %H:%M} 之前的审计日志：页面日志 {result['page']} 条，其他日志 {result['model']} 条。"
            )
        )
