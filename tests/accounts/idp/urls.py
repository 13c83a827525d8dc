from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    # The national platform's shape: plain OAuth 2.0 and a JSON userinfo wrapped in {"code", "data"}.
    path("api/user/info", views.national_userinfo, name="national-userinfo"),
]
