from django.urls import path

from . import password_views, security_views, twofactor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", twofactor_views.two_factor, name="two_factor"),
    path("two-factor/verify/", twofactor_views.otp_verify, name="otp_verify"),
    path("two-factor/enrol/", twofactor_views.otp_enrol, name="otp_enrol"),
    path(
        "password/change/",
        password_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("password/reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        password_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        password_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("security/events/", security_views.security_events, name="security_events"),
]
