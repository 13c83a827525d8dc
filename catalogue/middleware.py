"""Accounts without admin access (teachers, students, parents) who open an /admin/ URL are sent to
their own place in the product with a Chinese explanation, instead of Wagtail's login form, which
would only confuse someone who is already signed in. Reviewers and experts reach only the admin
views catalogue.permissions.LIMITED_ADMIN_VIEWS names; any other sends them to the dashboard."""

from django.contrib import messages
from django.db import DatabaseError
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


class CachedSiteMiddleware:
    """Wagtail finds the request's Site and fetches its home page on every request (two queries
    before routing starts). catalogue.caching keeps both; this hands them to Wagtail where it keeps
    them for the request (`request._wagtail_site`, as Site.find_for_request documents). The admin is
    left to Wagtail's own lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            from . import caching

            try:
                request._wagtail_site = caching.site_for_request(request)
            except DatabaseError:  # the database is down: let the view answer (/healthz/ says so)
                pass
        return self.get_response(request)
