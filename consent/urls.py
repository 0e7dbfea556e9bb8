from django.urls import path  # noqa: F401

app_name = "consent"

# The consent app's pages arrive with its issue.
urlpatterns: list = []
