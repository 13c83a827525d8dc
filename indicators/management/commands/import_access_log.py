from django.core.management.base import BaseCommand, CommandError

from catalogue.importing import ImportFileError
from indicators.imports import AlreadyImported, access_log_import


class Command(BaseCommand):
    help = (
        "导入历史访问日志（CSV 或 JSON Lines），列：time, username, resource, action, user_agent, ip, session。"
        "经过与实时访问相同的 COUNTER 处理；任一行有误则全部不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            count, errors = access_log_import(path=path)
        except (ImportFileError, AlreadyImported) as exc:
            raise CommandError(str(exc)) from exc
        if errors:
            raise CommandError(f"发现 {len(errors.errors)} 处错误，未导入任何记录：\n{errors.report()}")
        self.stdout.write(self.style.SUCCESS(f"导入完成：{count} 条访问记录，相关日汇总已重新计算。"))
