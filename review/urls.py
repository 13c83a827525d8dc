from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("submit/", views.submit_index, name="submit_index"),
    path("submit/new/", views.submit_form, name="submit_new"),
    path("submit/uploads/", views.resumable_uploads, name="resumable_uploads"),
    path("submit/uploads/<uuid:upload_id>/", views.resumable_upload, name="resumable_upload"),
    path("submit/<int:pk>/", views.submit_detail, name="submit_detail"),
    path("submit/<int:pk>/edit/", views.submit_form, name="submit_edit"),
    path("submit/<int:pk>/submit/", views.submit_now, name="submit_now"),
    path("submit/<int:pk>/withdraw/", views.submit_withdraw, name="submit_withdraw"),
    path("submissions/<int:pk>/files/<int:document_id>/", views.submission_file, name="file"),
    path("submissions/<int:pk>/images/<int:image_id>/", views.submission_image, name="image"),
    path("review/", views.review_index, name="index"),
    path("review/<int:pk>/", views.review_detail, name="detail"),
    path("review/selection/", views.selection, name="selection"),
    path("review/selection/published/", views.selection_published, name="published"),
    path("review/selection/<int:year>/export.<str:fmt>", views.selection_export, name="export"),
    path("review/publicity/<int:pk>/", views.publicity_manage, name="publicity_manage"),
    path("publicity/<int:pk>/", views.publicity_page, name="publicity"),
    path("publicity/<int:pk>/objection/", views.objection_new, name="objection"),
    path("notifications/", views.notifications, name="notifications"),
]
