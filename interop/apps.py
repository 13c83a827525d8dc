from django.apps import AppConfig


class InteropConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interop"
    verbose_name = "平台互联"

    def ready(self):
        from . import signals

        signals.connect()
