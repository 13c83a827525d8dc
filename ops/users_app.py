"""Used in INSTALLED_APPS in place of "wagtail.users", so that group saves are audited and user
screens follow catalogue.permissions (Wagtail's documented way to swap the user and group viewsets).
Kept out of ops/apps.py so that "ops" has one AppConfig."""

from wagtail.users.apps import WagtailUsersAppConfig


class AuditedWagtailUsersConfig(WagtailUsersAppConfig):
    group_viewset = "ops.admin_views.GroupViewSet"
    user_viewset = "ops.admin_views.UserViewSet"
