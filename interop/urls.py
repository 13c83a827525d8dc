from django.urls import path

from . import sushi_views, views

app_name = "interop"

urlpatterns = [
    path("oai/", views.oai_endpoint, name="oai"),
    path("oai/schema/zmd_resource.xsd", views.oai_schema, name="oai_schema"),
    path("oai/cover/<int:resource_id>/", views.cover, name="cover"),
    path("r51/status", sushi_views.status, name="sushi_status"),
    path("r51/members", sushi_views.members, name="sushi_members"),
    path("r51/reports", sushi_views.reports, name="sushi_reports"),
    path("r51/reports/<str:report_id>", sushi_views.report, name="sushi_report"),
]
