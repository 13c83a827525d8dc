import time

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with two policies: the strict public one, and one for Wagtail's admin.

    Our own templates carry no inline script or style, so the public site runs without
    'unsafe-inline'. Wagtail 8's admin still renders inline initialisation scripts (choosers,
    InlinePanel, date pickers), so /admin/ alone gets CONTENT_SECURITY_POLICY_ADMIN.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        admin_policy = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None)
        if (
            not report_only
            and parts.config is None
            and admin_policy
            and request.path_info.startswith(admin_policy.get("PATH_PREFIX", "/admin/"))
        ):
            parts.config = default_config(admin_policy["DIRECTIVES"])
        return parts


class SessionIdleTimeoutMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without a request (an idle timeout).

    Each request of a signed-in user pushes the expiry forward, but the session is re-saved at
    most once a minute so that busy pages do not write the session store on every request.
    """

    REFRESH_EVERY = 60
    KEY = "_ops_last_refresh"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.REFRESH_EVERY:
                session[self.KEY] = now  # marks the session modified: saved with a new expiry
        return response
