from django.core.management.base import BaseCommand

from interop.push import push_send_what_is_due


class Command(BaseCommand):
    help = "月度数据上报：为已结账的月份生成各县（区）和学校的上报，并发送到期的上报（可重复运行）。"

    def handle(self, *args, **options):
        result = push_send_what_is_due()
        if not result["configured"]:
            self.stdout.write("未配置 INTEROP_PUSH_URL / INTEROP_PUSH_SECRET，未上报。")
            return
        self.stdout.write(
            f"新生成 {result['prepared']} 条上报；本次送达 {result['sent']} 条，失败 {result['failed']} 条（将按退避时间重试）。"
        )
