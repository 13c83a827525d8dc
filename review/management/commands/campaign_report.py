"""Export a campaign's submissions with region, school, authors, stage reached, per-criterion
scores, final score and award, with the review history and the expert comments:
`manage.py campaign_report 2026 --format xlsx [--output FILE]` (xlsx and json hold all three tables;
`csv`, `history.csv` and `comments.csv` one each)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.models import CampaignPage
from review import exports


class Command(BaseCommand):
    help = "导出某年度征集活动的评审结果、评审记录和专家评语（xlsx / json / csv / history.csv / comments.csv）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--format", dest="fmt", choices=sorted(exports.FORMATS), default="xlsx")
        parser.add_argument(
            "--output", "-o", help="输出文件（默认 campaign-YEAR-report.FORMAT；用 - 输出到屏幕，仅 csv/json）"
        )

    def handle(self, *args, year, fmt, output=None, **options):
        campaign = CampaignPage.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(f"没有 {year} 年的征集活动。")
        content, _type, filename = exports.campaign_report(campaign, fmt)
        if output == "-":
            if fmt == "xlsx":  # binary
                raise CommandError("xlsx 不能输出到屏幕，请用 --output 指定文件。")
            self.stdout.write(content.decode("utf-8-sig"))
            return
        path = Path(output or filename)
        path.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"已导出 {path}（{len(content)} 字节）"))
