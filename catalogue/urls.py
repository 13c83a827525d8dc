from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("reader/<int:file_id>.pdf", views.document_preview, name="document_preview"),
    path("files/<int:file_id>/<str:filename>", views.resource_file, name="resource_file"),
    path("me/", views.my_library, name="my_library"),
    path("me/favourites/<int:resource_id>/", views.favourite_toggle, name="favourite"),
    path("me/progress/", views.learning_progress, name="learning_progress"),
    path("qr/<int:page_id>.png", views.page_qr, name="page_qr"),
]
