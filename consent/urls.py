from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("", views.register, name="register"),
    path("family/<int:link_id>/", views.family, name="family"),
    path("family/<int:link_id>/record/", views.consent_record, name="record"),
    path("family/<int:link_id>/form.pdf", views.consent_form_pdf, name="form_pdf"),
    path("family/<int:link_id>/contacts/", views.contact_add, name="contact_add"),
    path("family/<int:link_id>/account/issue/", views.account_issue, name="account_issue"),
    path("family/<int:link_id>/account/disable/", views.account_disable, name="account_disable"),
    path("family/<int:link_id>/unlink/", views.link_remove, name="link_remove"),
    path("decision/<int:consent_id>/withdraw/", views.consent_withdraw, name="withdraw"),
    path("decision/<int:consent_id>/scan/", views.consent_scan, name="scan"),
    path("paper/", views.paper_list, name="paper_list"),
    path("requests/", views.pd_requests, name="pd_requests"),
    path("requests/<int:request_id>/answered/", views.pd_request_answer, name="pd_answer"),
    path("requests/<int:request_id>/export.<str:fmt>", views.pd_export, name="pd_export"),
    path("activate/", views.activate, name="activate"),
    path("my/consents/", views.my_consents, name="my_consents"),
    path("my/form/<int:student_id>.pdf", views.my_consent_form, name="my_form"),
    path("my/contacts/", views.my_contacts, name="my_contacts"),
    path("my/access-log/", views.my_access_log, name="my_access_log"),
]
