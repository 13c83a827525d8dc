import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ops.personal_data import personal_data_erase, personal_data_export


class Command(BaseCommand):
    help = (
        "导出或删除一个用户的个人信息。\n"
        "  python manage.py personal_data export 用户名 [--output 文件.json]\n"
        "  python manage.py personal_data delete 用户名 --noinput"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "delete"])
        parser.add_argument("username")
        parser.add_argument("--output", "-o", help="导出到文件（默认输出到屏幕）")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, action, username, output=None, interactive=True, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        if action == "export":
            text = json.dumps(personal_data_export(user=user), ensure_ascii=False, indent=2, default=str)
            if output:
                with open(output, "w", encoding="utf-8") as f:
                    f.write(text + "\n")
                self.stdout.write(self.style.SUCCESS(f"已导出 {username} 的个人信息到 {output}"))
            else:
                self.stdout.write(text)
            return
        if interactive:
            answer = input(f"将删除 {username} 的个人信息并停用账号（不可恢复）。确认请输入 yes：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消。")
        summary = personal_data_erase(user=user)
        details = "，".join(f"{k}: {v}" for k, v in summary.items())
        self.stdout.write(
            self.style.SUCCESS(f"已删除 {username} 的个人信息，账号改为 {user.get_username()}（{details}）")
        )
