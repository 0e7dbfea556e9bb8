from django.urls import path  # noqa: F401

app_name = "journal"

# The journal app's pages arrive with its issue.
urlpatterns: list = []
