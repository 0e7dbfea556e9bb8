from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("settings/", views.preferences, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("twilio/status/", views.twilio_status, name="twilio_status"),
    path("log/", views.delivery_log, name="log"),
]
