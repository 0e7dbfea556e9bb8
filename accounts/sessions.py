"""Ending a user's sessions (account disabled, password changed or reset, second factor reset)."""

from django.contrib.sessions.models import Session
from django.utils import timezone


def sessions_end_for(user_id: int, *, keep: str | None = None) -> int:
    """Delete every session of this user (except the session key `keep`, the one the user is
    using to change their own password), so their next request is signed out.

    Sessions are stored signed and encoded: we decode the live ones. A school has a few thousand
    at most; this runs on a rare action (an administrator's, a password change), not on a page
    view."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep:
            continue
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)
