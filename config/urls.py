from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from catalogue import views as catalogue_views
from catalogue.api import api_router

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("", include("catalogue.urls")),
    path("accounts/", include("accounts.urls")),
    path("captcha/", include("captcha.urls")),
    path("", include("ops.urls")),
    path("", include("search.urls")),
    path("", include("indicators.urls")),
    path("", include("interop.urls")),
    path("", include("review.urls")),
    path("", include("certificates.urls")),
    re_path(r"^media/(?P<path>.+)$", catalogue_views.media, name="media"),
    path("", include(wagtail_urls)),
]

# Chinese error pages inside the site's layout (catalogue/errors.py); CSRF failures: settings.
handler400 = "catalogue.errors.bad_request"
handler403 = "catalogue.errors.permission_denied"
handler404 = "catalogue.errors.page_not_found"
handler500 = "catalogue.errors.server_error"
