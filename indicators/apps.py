from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = "访问统计与指标"

    def ready(self):
        from catalogue.signals import resource_accessed

        from .recording import on_resource_accessed

        resource_accessed.connect(on_resource_accessed, dispatch_uid="indicators.record_access")
