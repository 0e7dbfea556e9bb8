from django.urls import path

from . import views

app_name = "extracts"

urlpatterns = [
    path("", views.index, name="index"),
    path("classes/<int:class_id>/", views.class_page, name="class"),
    path("classes/<int:class_id>/batch/", views.class_batch, name="class_batch"),
    path("students/<int:student_id>/", views.student_extract, name="student"),
    path("files/<int:file_id>/", views.file_status, name="file"),
    path("files/<int:file_id>/download/", views.file_download, name="download"),
    path("copies/<int:copy_id>/handed-over/", views.hand_over, name="hand_over"),
    path("check/<str:code>/", views.verify, name="verify"),
    path("consent-form/<int:link_id>/", views.consent_form, name="consent_form"),
    path("my/consent-form/<int:student_id>/", views.my_consent_form, name="my_consent_form"),
    path("pd-export/<int:request_id>/", views.pd_export, name="pd_export"),
    path("summary/<int:class_id>/pdf/", views.summary_pdf, name="summary_pdf"),
    path("summary/<int:class_id>/export.<str:fmt>", views.summary_export, name="summary_export"),
    path(
        "journal/class/<int:class_id>/<int:subject_id>/export.<str:fmt>",
        views.journal_class_export,
        name="journal_class_export",
    ),
    path(
        "journal/group/<int:group_id>/export.<str:fmt>",
        views.journal_group_export,
        name="journal_group_export",
    ),
    path("statistics/pdf/", views.statistics_pdf, name="statistics_pdf"),
    path("statistics/export.<str:fmt>", views.statistics_export, name="statistics_export"),
]
