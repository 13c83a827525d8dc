from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.models import Region
from indicators.exports import as_csv, as_json, export_filename, workbook_bytes
from indicators.periods import PeriodError, parse_period
from indicators.services import rollups_refresh_dirty


class Command(BaseCommand):
    help = "输出指定周期的应用成效指标：--period 2026-03|2026-Q1 --level city|region|school --format json|csv|xlsx"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument("--level", choices=["city", "region", "school"], default="region")
        parser.add_argument("--region", default="", help="县（区）名称或代码（可选）")
        parser.add_argument("--format", dest="fmt", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument(
            "--output", "-o", default="", help="输出文件；xlsx 默认写入 <月度监测|季度通报>-<周期>.xlsx"
        )

    def handle(self, *args, period, level, region, fmt, output, **options):
        try:
            period_obj = parse_period(period)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        region_obj = None
        if region:
            region_obj = Region.objects.filter(code=region).first() or Region.objects.filter(name=region).first()
            if region_obj is None:
                raise CommandError(f"找不到县（区）：{region}")
        rollups_refresh_dirty()  # the figures as of now, whoever runs the scheduled refresh
        if fmt == "xlsx":
            target = Path(output or export_filename(period_obj))
            target.write_bytes(workbook_bytes(period_obj, region=region_obj))
            self.stdout.write(self.style.SUCCESS(f"已写入 {target}"))
            return
        text = as_json(period_obj, level, region_obj) if fmt == "json" else as_csv(period_obj, level, region_obj)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"已写入 {output}"))
        else:
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
