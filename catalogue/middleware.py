"""Accounts without admin access (teachers, students, parents) who open an /admin/ URL are sent to
their own place in the product with a Chinese explanation, instead of Wagtail's login form, which
would only confuse someone who is already signed in. Reviewers and experts reach only the admin
views catalogue.permissions.LIMITED_ADMIN_VIEWS names; any other sends them to the dashboard."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .permissions import Ability, admin_view_allowed, can, landing_url

OPEN_ADMIN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/jsi18n/", "/admin/password_reset/")


class AdminAccessRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and not request.path.startswith(OPEN_ADMIN_PATHS)
            and user is not None
            and user.is_authenticated
        ):
            if not can(user, Ability.ACCESS_ADMIN):
                messages.info(request, _("管理后台只供评审和管理人员使用，已为您转到您的页面。"))
                return redirect(landing_url(user))
            if not can(user, Ability.SEE_ALL_DRAFTS) and not self._allowed(user, request.path_info):
                messages.error(request, _("该功能只供资源管理员使用。"))
                return redirect("wagtailadmin_home")
        return self.get_response(request)

    @staticmethod
    def _allowed(user, path: str) -> bool:
        try:
            match = resolve(path)
        except Resolver404:
            return True  # Django answers 404 as usual
        return admin_view_allowed(user, match.view_name)
