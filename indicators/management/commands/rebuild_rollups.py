import datetime

from django.core.management.base import BaseCommand, CommandError

from indicators.services import RawEventsPurged, rollups_rebuild


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = "从原始访问记录重新计算日汇总（含资源浏览/下载/播放计数），并报告与原汇总的差异。"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD（北京时间）")
        parser.add_argument("--to", dest="date_to", required=True, help="结束日期 YYYY-MM-DD（含）")

    def handle(self, *args, date_from, date_to, **options):
        start, end = _date(date_from), _date(date_to)
        if end < start:
            raise CommandError("结束日期早于起始日期。")
        try:
            differences = rollups_rebuild(date_from=start, date_to=end)
        except RawEventsPurged as exc:
            raise CommandError(
                f"{exc.args[0]} 之前的原始访问记录已按保留期删除，这些日期的日汇总不能重算（保留的汇总不变）。"
            ) from exc
        days = (end - start).days + 1
        if not differences:
            self.stdout.write(self.style.SUCCESS(f"已重算 {days} 天，日汇总与原始记录一致，无差异。"))
            return
        for diff in differences:
            line = (
                f"{diff['day']}：{len(diff['changed_rows'])} 个汇总行不同，"
                f"访问量 {diff['before_total']} → {diff['after_total']}"
            )
            if diff["activity_changed"]:
                line += "，活跃用户记录不同"
            self.stdout.write(self.style.WARNING(line))
        self.stdout.write(f"已重算 {days} 天，其中 {len(differences)} 天有差异，已按原始记录更正。")
