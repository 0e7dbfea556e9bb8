"""Writing security events (accounts.models.SecurityEvent): one call, one INSERT.

Every app records through `security_event_record`; the director reads them on
`accounts:security_events`. The request, when there is one, gives the address (as the trusted
proxies report it, accounts.clientip) and the page."""

from .clientip import client_ip
from .models import SecurityEvent


def _user_fields(user) -> dict:
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"user_id": user.pk, "username": user.get_username(), "school_id": user.school_id}


def security_event_record(
    *,
    kind: str,
    request=None,
    user=None,
    username: str = "",
    actor=None,
    school_id: int | None = None,
    detail: str = "",
) -> SecurityEvent:
    """Append one event. `user` is whom it concerns (or only `username`, for a login that
    names no account); `actor` who did it when that is someone else (an administrator)."""
    fields = {"username": (username or "")[:150], "school_id": school_id, **_user_fields(user)}
    if school_id is not None:
        fields["school_id"] = school_id
    if fields["school_id"] is None and actor is not None:
        fields["school_id"] = getattr(actor, "school_id", None)
    if actor is not None and getattr(actor, "is_authenticated", False):
        fields["actor_id"] = actor.pk
    if request is not None:
        fields["ip_address"] = client_ip(request)
        fields["path"] = request.path[:200]
    return SecurityEvent.objects.create(kind=kind, detail=str(detail)[:500], **fields)
