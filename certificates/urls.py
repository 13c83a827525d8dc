from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("submit/<int:submission_id>/certificate.pdf", views.certificate_download, name="download"),
    path("certificates/<str:number>/", views.certificate_verify, name="verify"),
]
