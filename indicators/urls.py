from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("indicators/play/", views.play_beacon, name="play_beacon"),
    path("api/indicators/", views.indicators_api, name="api"),
]
