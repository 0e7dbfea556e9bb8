from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<int:batch_id>/", views.batch_page, name="batch"),
    path("<int:batch_id>/columns/", views.mapping, name="mapping"),
    path("<int:batch_id>/confirm/", views.confirm, name="confirm"),
]
