"""Accounts without admin access (teachers, students, parents) who open an /admin/ URL are sent to
their own place in the product with a Chinese explanation, instead of Wagtail's login form, which
would only confuse someone who is already signed in."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class AdminAccessRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and not request.path.startswith(("/admin/login/", "/admin/logout/", "/admin/jsi18n/"))
            and user is not None
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            profile = getattr(user, "profile", None)
            landing = settings.NON_ADMIN_LANDING.get(getattr(profile, "role", ""), "/")
            messages.info(request, _("管理后台只供评审和管理人员使用，已为您转到您的页面。"))
            return redirect(landing)
        return self.get_response(request)
