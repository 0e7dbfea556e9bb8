from django.urls import path

from . import views

urlpatterns = [
    path("", views.bundle_page, name="bundle"),
    path("export/", views.bundle_export, name="bundle_export"),
    path("import/", views.bundle_upload, name="bundle_import"),
    path("<str:name>/", views.bundle_download, name="bundle_download"),
]
