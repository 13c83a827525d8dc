from django.core.management.base import BaseCommand, CommandError

from catalogue.importing import ImportFileError, read_rows
from catalogue.imports import resources_import


class Command(BaseCommand):
    help = "导入资源（JSON Lines、JSON 数组或 .xlsx）。任一行有误则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            rows = read_rows(path)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        result, errors = resources_import(rows)
        if errors:
            raise CommandError(f"发现 {len(errors.errors)} 处错误，未导入任何资源：\n{errors.report()}")
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，未变化 {result.unchanged} 条。"
            )
        )
