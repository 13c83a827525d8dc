from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("files/<int:file_id>/<str:filename>", views.resource_file, name="resource_file"),
]
