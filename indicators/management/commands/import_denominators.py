from django.core.management.base import BaseCommand, CommandError

from catalogue.importing import ImportFileError
from indicators.imports import denominators_import


class Command(BaseCommand):
    help = "导入师生基数（CSV 或 .xlsx），列：year, region, school, teachers, students（school 留空为县区合计）。任一行有误则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            count, errors = denominators_import(path=path)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if errors:
            raise CommandError(f"发现 {len(errors.errors)} 处错误，未导入任何基数：\n{errors.report()}")
        self.stdout.write(self.style.SUCCESS(f"导入完成：{count} 行师生基数。"))
