"""Signed links in messages: the one-click unsubscribe works without signing in, so the link
itself proves which guardian, child and channel it is for (and nothing else)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"


def unsubscribe_token(*, guardian_id: int, student_id: int, channel: str = "email") -> str:
    # Without a timestamp: the same link in the header and the body, valid as long as the
    # secret key; it can do nothing but turn one channel off for one child.
    return signing.Signer(salt=SALT).sign_object({"g": guardian_id, "s": student_id, "c": channel})


def unsubscribe_target(token: str) -> dict | None:
    """The guardian, child and channel a token names, or None when it was not made by us."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"g", "s", "c"} <= data.keys():
        return None
    return {"guardian_id": int(data["g"]), "student_id": int(data["s"]), "channel": data["c"]}


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def unsubscribe_url(*, guardian_id: int, student_id: int) -> str:
    token = unsubscribe_token(guardian_id=guardian_id, student_id=student_id)
    return absolute(reverse("notifications:unsubscribe", args=[token]))


def status_callback_url() -> str:
    return absolute(reverse("notifications:twilio_status"))
