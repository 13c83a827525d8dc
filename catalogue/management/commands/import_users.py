from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.importing import ImportFileError, read_rows
from catalogue.imports import users_import, write_passwords


class Command(BaseCommand):
    help = "导入用户（CSV 或 .xlsx）。未填写密码的账号会生成随机密码并写入输出文件。任一行有误则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--passwords-out",
            help="随机密码的输出文件（CSV），默认为与输入文件同目录的 <文件名>.passwords.csv",
        )

    def handle(self, *args, path, passwords_out=None, **options):
        try:
            rows = read_rows(path)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        result, errors = users_import(rows)
        if errors:
            raise CommandError(f"发现 {len(errors.errors)} 处错误，未导入任何用户：\n{errors.report()}")
        created, updated, generated = result
        self.stdout.write(self.style.SUCCESS(f"导入完成：新增 {created} 个账号，更新 {updated} 个账号。"))
        if generated:
            out = Path(passwords_out) if passwords_out else Path(path).with_suffix(".passwords.csv")
            write_passwords(out, generated)
            out.chmod(0o600)
            self.stdout.write(f"{len(generated)} 个账号的随机密码已写入 {out}，请妥善分发后删除该文件。")
