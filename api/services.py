"""Clients of the exchange API: created by the school admin, revoked by them."""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application, RefreshToken

from accounts.models import Role

from .models import SCOPES, ApiClient


@transaction.atomic
def api_client_create(
    *,
    school,
    name: str,
    source: str,
    scopes: list[str],
    created_by=None,
    client_id: str | None = None,
    secret: str | None = None,
) -> tuple[ApiClient, str, str]:
    """A new client of `school` with `scopes`; returns it with its client id and secret (the
    secret is shown once: only its hash is kept).

    The client writes and reads as an account of its own with the director's role: the
    journal's services then let it do what the school's leadership may (set finals), keep
    the teachers' edit window and closed periods, record it as the author of what it writes,
    and the access log records it as the viewer of what it reads. The account has no
    password: nobody signs in with it. `client_id` and `secret` are for the demo school's
    published client only; a real client gets random ones."""
    name, source = name.strip(), slugify(source)
    unknown = sorted(set(scopes) - set(SCOPES))
    errors = {}
    if not name:
        errors["name"] = [_("Name the client.")]
    if not source:
        errors["source"] = [_("Name the sending system (latin letters, digits, dashes).")]
    if unknown or not scopes:
        errors["scopes"] = [_("Choose scopes from the list.")]
    if errors:
        raise ValidationError(errors)
    user_model = get_user_model()
    account = user_model(
        username=f"api-{secrets.token_hex(6)}",
        school=school,
        role=Role.DIRECTOR,
        first_name=name[:150],
    )
    account.set_unusable_password()
    account.save()
    secret = secret or secrets.token_urlsafe(32)
    extra = {"client_id": client_id} if client_id else {}
    application = Application.objects.create(
        **extra,
        name=name[:255],
        user=account,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    client = ApiClient.objects.create(
        school=school,
        application=application,
        name=name,
        source=source,
        scopes=" ".join(sorted(set(scopes))),
        account=account,
        created_by=created_by,
    )
    return client, application.client_id, secret


@transaction.atomic
def api_client_revoke(*, client: ApiClient, now=None) -> None:
    """The client's tokens stop working at once and it gets no new one; its records stay."""
    if client.revoked_at is not None:
        return
    client.revoked_at = now or timezone.now()
    client.save(update_fields=["revoked_at"])
    AccessToken.objects.filter(application=client.application).delete()
    RefreshToken.objects.filter(application=client.application).delete()
