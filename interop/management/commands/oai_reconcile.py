from django.core.management.base import BaseCommand

from interop.services import oai_records_sync


class Command(BaseCommand):
    help = "核对 OAI-PMH 记录与公开资源：补登新公开的资源，为不再公开的资源写入删除记录。"

    def handle(self, *args, **options):
        result = oai_records_sync()
        self.stdout.write(
            f"新增 {result['created']} 条，更新 {result['updated']} 条，标记删除 {result['deleted']} 条。"
        )
