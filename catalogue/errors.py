"""The site's error pages (config.urls handler400/403/404/500 and CSRF_FAILURE_VIEW): Chinese,
inside the site's layout, each saying what happened and offering a way back.

The 500 page is rendered without the request's context processors: it must render when the
database is down (the header then shows the signed-out state)."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from .denied import LOGIN_FIRST, Denied


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    reason = ""
    if isinstance(exception, Denied):
        reason = str(exception.reason)
    elif not request.user.is_authenticated:
        reason = str(LOGIN_FIRST)
    return render(request, "403.html", {"reason": reason}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"error_path": request.path if request else ""}))


@requires_csrf_token
def csrf_failure(request, reason=""):
    """A form posted without a valid security token: most often a page left open too long."""
    return render(
        request,
        "403_csrf.html",
        {"reason": _("页面停留时间过长或浏览器禁用了 Cookie，提交没有成功。")},
        status=403,
    )
