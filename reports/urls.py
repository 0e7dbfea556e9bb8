from django.urls import path  # noqa: F401

app_name = "reports"

# The reports app's pages arrive with its issue.
urlpatterns: list = []
