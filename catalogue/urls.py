from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("files/<int:file_id>/<str:filename>", views.resource_file, name="resource_file"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
