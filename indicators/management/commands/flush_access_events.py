from django.core.management.base import BaseCommand

from indicators.recording import get_recorder
from indicators.services import rollups_refresh_dirty


class Command(BaseCommand):
    help = "把缓冲中的访问记录（Redis 队列或本进程缓冲）写入数据库，并重算待更新的日汇总。可由定时任务每分钟运行。"

    def handle(self, *args, **options):
        written = get_recorder().flush()
        days = rollups_refresh_dirty()
        self.stdout.write(f"写入 {written} 条访问记录；重算 {len(days)} 天的日汇总。")
