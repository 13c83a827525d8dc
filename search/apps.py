from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = "资源检索"

    def ready(self):
        from . import signals

        signals.connect()
