"""Login throttling: after LOGIN_FAILURE_LIMIT failures for a username or an address within the
window, further attempts are refused until the window passes."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{user_key}", f"login-fail:addr:{address}"]


def is_locked(username: str, address: str) -> bool:
    return any(
        (cache.get(key) or 0) >= settings.LOGIN_FAILURE_LIMIT for key in _keys(username, address)
    )


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        if not cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)


def reset(username: str, address: str) -> None:
    cache.delete_many(_keys(username, address))
