from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, using="default", verbosity=1, stdout=None, **kwargs):
    """After `migrate` (once, after the last app's permissions exist): the role groups follow
    catalogue.permissions.ROLE_GROUPS."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if not with_models or sender.label != with_models[-1].label:
        return
    from django.db import router

    from .models import UserProfile
    from .services import role_groups_sync

    if not router.allow_migrate_model(using, UserProfile):
        return
    role_groups_sync(verbosity=max(0, verbosity - 1), stdout=stdout)


class CatalogueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalogue"
    verbose_name = "资源目录"

    def ready(self):
        post_migrate.connect(_sync_role_groups, dispatch_uid="catalogue_role_groups_sync")
        from . import caching

        caching.connect()
        from . import receivers  # noqa: F401  (connects the page_published receiver)
