"""A request guard that follows a signed-in account's state.

TwoFactorMiddleware: an account with an authenticator must verify it after signing in; where
TWO_FACTOR_REQUIRED is on, resource admins, reviewers, experts and superusers must also enrol one
before anything else (catalogue.permissions.needs_two_factor). Runs after django_otp's OTPMiddleware.

(A teacher whose school the county has not confirmed yet may browse but not submit: the teacher's
desk itself asks `can(user, Ability.SUBMIT)` and sends them to the page that explains why,
review.views.teacher.submitter_required.)
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from catalogue.permissions import needs_two_factor

# Reachable before the second factor: signing out, the 2FA pages themselves, assets.
OPEN_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/admin/logout/",
    "/admin/jsi18n/",
    "/static/",
    "/captcha/",
    "/healthz/",
)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            response = self._guard(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _guard(self, request, user):
        from django_otp import user_has_device

        if user.is_verified():
            return None
        if user_has_device(user, confirmed=True):
            target = "accounts:two_factor_verify"
        elif settings.TWO_FACTOR_REQUIRED and needs_two_factor(user):
            target = "accounts:two_factor_setup"
        else:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
