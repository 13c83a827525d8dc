"""Login lockout (django-axes) for every login form: the public one and Wagtail's admin login."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses locked-out clients before any password is checked.

    `authenticate()` without a request (management commands, the test client's `login()`)
    comes from code on the server, not from a form a stranger can hammer: it is let through to
    the next backend instead of raising, as plain AxesStandaloneBackend would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, *args, **kwargs):
    """The page a locked-out client sees (HTTP 429), in Chinese, on both login forms."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME or 0) * 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": minutes}
    return render(request, "ops/lockout.html", context, status=429)
