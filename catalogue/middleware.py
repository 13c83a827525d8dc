"""Accounts without admin access (teachers, students, parents) who open an /admin/ URL are sent to
their own place in the product with a Chinese explanation, instead of Wagtail's login form, which
would only confuse someone who is already signed in."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .permissions import Ability, can, landing_url


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
            and not can(user, Ability.ACCESS_ADMIN)
        ):
            messages.info(request, _("管理后台只供评审和管理人员使用，已为您转到您的页面。"))
            return redirect(landing_url(user))
        return self.get_response(request)
