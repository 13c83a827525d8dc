from django.core.management.base import BaseCommand

from catalogue.services import role_groups_sync


class Command(BaseCommand):
    help = "Make the role groups hold exactly the permissions catalogue.permissions.ROLE_GROUPS names (migrate runs it too)."

    def handle(self, *args, **options):
        changes = role_groups_sync(verbosity=1, stdout=self.stdout)
        if not changes:
            self.stdout.write("角色用户组权限已是最新。")
