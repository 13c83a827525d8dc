from django.core.management.base import BaseCommand

from .seed_demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "列出演示账号。"

    def handle(self, *args, **options):
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, name, role, region, school, _superuser in DEMO_ACCOUNTS:
            where = " / ".join(x for x in (region, school) if x)
            self.stdout.write(f"  {username:<10} {role.label:<8} {name}{'  ' + where if where else ''}")
        self.stdout.write("网站：http://127.0.0.1:8000/    管理后台：http://127.0.0.1:8000/admin/")
