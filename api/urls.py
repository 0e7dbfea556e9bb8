"""/api/v1/ (our write API, its schema and docs), the OAuth token endpoint, and the OneRoster
1.2 provider under /ims/oneroster/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from oauth2_provider import views as oauth

from . import views

v1 = [
    path("reconciliation/", views.ReconciliationView.as_view(), name="reconciliation"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
]
for entity, (item, handler, delete_item, delete_handler) in views.ENTITIES.items():
    if handler is not None:  # homework files arrive with their lesson; they are only deleted
        v1.append(
            path(
                f"{entity}/",
                views.batch_view(entity, item, handler, deleting=False),
                name=f"{entity}-upsert",
            )
        )
    if delete_handler is not None:
        v1.append(
            path(
                f"{entity}/delete/",
                views.batch_view(entity, delete_item, delete_handler, deleting=True),
                name=f"{entity}-delete",
            )
        )

app_name = "api"
urlpatterns = [
    path("api/v1/", include(v1)),
    path("api/oauth/token/", oauth.TokenView.as_view(), name="token"),
    path("api/oauth/revoke/", oauth.RevokeTokenView.as_view(), name="revoke"),
    path("ims/oneroster/", include("api.oneroster.urls")),
    path("exchange/bundle/", include("api.bundle.urls")),
]
