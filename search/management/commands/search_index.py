from django.core.management.base import BaseCommand, CommandError

from search.services import search_index_rebuild, search_popularity_refresh


class Command(BaseCommand):
    help = "Rebuild the search index of whichever engine is configured (the embedded one always)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Rebuild the index from the live resources.")
        parser.add_argument(
            "--refresh-counts", action="store_true", help="Copy visit counts into the index (for sort=popular)."
        )

    def handle(self, *args, rebuild=False, refresh_counts=False, **options):
        if not rebuild and not refresh_counts:
            raise CommandError("请指定 --rebuild 或 --refresh-counts。")
        if rebuild:
            counts = search_index_rebuild()
            for engine, count in counts.items():
                self.stdout.write(self.style.SUCCESS(f"{engine}: indexed {count} resources"))
        if refresh_counts:
            updated = search_popularity_refresh()
            self.stdout.write(self.style.SUCCESS(f"visit counts refreshed for {updated} resources"))
