from django.core.management.base import BaseCommand

from indicators.conf import RAW_EVENT_RETENTION_MONTHS
from indicators.retention import access_events_purge


class Command(BaseCommand):
    help = (
        f"删除超过保留期（{RAW_EVENT_RETENTION_MONTHS} 个整月）的原始访问记录，日汇总与已发布的数字保留不变；"
        "整季度超出保留期的每日活跃记录改为不可还原的匿名编号。定时刷新每月自动执行一次，也可手动运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, dry_run, **options):
        result = access_events_purge(dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"保留 {result['horizon']} 及以后的原始访问记录；将删除 {result['events']} 条，"
                f"匿名化 {result['activity_quarters']} 个季度的活跃记录（未执行）。"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已删除 {result['horizon']} 之前的原始访问记录 {result['events']} 条，"
                f"匿名化活跃记录 {result['activity_rows']} 行；日汇总保留不变。"
            )
        )
