from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = "访问统计与指标"

    def ready(self):
        from django.core.signals import request_started
        from django.db.models.signals import post_migrate

        from catalogue.signals import resource_accessed

        from .recording import on_resource_accessed
        from .robots import warm_up
        from .scheduling import on_post_migrate, on_request_started

        resource_accessed.connect(on_resource_accessed, dispatch_uid="indicators.record_access")
        request_started.connect(on_request_started, dispatch_uid="indicators.refresh_thread")
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="indicators.refresh_schedule")
        warm_up()  # compile the robot patterns once, before the first request
