from django.core.management.base import BaseCommand

from indicators.scheduling import refresh_round, refresh_schedule_ensure


class Command(BaseCommand):
    help = (
        "立即执行一轮统计刷新：把缓冲中的访问记录（Redis 队列或本进程缓冲）写入数据库，重算待更新的日汇总；"
        "生产环境中还会确认 worker 的定时刷新任务在排队。平时由定时刷新自动执行，无需手动运行。"
    )

    def handle(self, *args, **options):
        result = refresh_round()
        queued = refresh_schedule_ensure()
        self.stdout.write(
            f"写入 {result['events_written']} 条访问记录；重算 {result['days_refreshed']} 天的日汇总。"
            + ("已重新排入定时刷新任务。" if queued else "")
        )
