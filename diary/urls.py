from django.urls import path  # noqa: F401

app_name = "diary"

# The diary app's pages arrive with its issue.
urlpatterns: list = []
