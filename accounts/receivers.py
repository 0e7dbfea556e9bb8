"""Sign-in events: recorded as security events; a paused login tells its owner; a new session
learns what second factor it owes and when it goes idle."""

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import translation

from . import lockout, twofactor
from .middleware import session_touch
from .models import SecurityEventKind, User
from .security import security_event_record

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="accounts.login_event")
def on_login(request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    session_touch(request, user)
    twofactor.session_begin(request, user)
    security_event_record(kind=SecurityEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.logout_event")
def on_logout(request, user, **kwargs):
    if user is not None and request is not None:
        security_event_record(kind=SecurityEventKind.LOGOUT, request=request, user=user)


def _account(username: str | None) -> User | None:
    if not username:
        return None
    return User.objects.filter(username__iexact=username).first()


@receiver(user_login_failed, dispatch_uid="accounts.login_failed_event")
def on_login_failed(credentials, request=None, **kwargs):
    username = lockout.username_of(request, credentials) or ""
    account = _account(username)
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED,
        request=request,
        username=username,
        school_id=account.school_id if account else None,
        user=None,
    )


@receiver(user_locked_out, dispatch_uid="accounts.lockout_alert")
def on_locked_out(request, username, ip_address, **kwargs):
    """A login and address pair has just been paused (not every refused try during the
    pause): record it, and tell the account's owner by e-mail where it has one."""
    if getattr(request, "axes_failures_since_start", None) != lockout.failure_limit():
        return
    account = _account(username)
    security_event_record(
        kind=SecurityEventKind.LOCKOUT,
        request=request,
        username=username or "",
        school_id=account.school_id if account else None,
        detail=f"{lockout.cool_off_minutes(request)} min",
    )
    if account is None or not account.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "accounts/email/lockout.txt",
            {
                "user": account,
                "address": ip_address,
                "minutes": lockout.cool_off_minutes(request),
            },
        )
        subject = render_to_string("accounts/email/lockout_subject.txt").strip()
    email = account.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="accounts.admin_change_event")
def on_admin_change(instance, created, **kwargs):
    """Every change made in the Django admin (its own log) is a security event too."""
    if not created:
        return
    action = {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, "?")
    security_event_record(
        kind=SecurityEventKind.ADMIN_CHANGE,
        actor=instance.user,
        detail=(
            f"{action} {instance.content_type.app_label if instance.content_type_id else ''}."
            f"{instance.content_type.model if instance.content_type_id else ''} "
            f"#{instance.object_id}: {instance.object_repr}"
        ),
    )
