"""Two-factor sign-in for staff (django-otp: TOTP apps, plus one-time recovery codes).

Required for the school administrator, the director and the region's operator (superusers):
after the password they are sent to enrol, or to enter a code, and can use nothing else before.
Optional for teachers and deputy heads (they may enrol on their own page). Families have none.

The session says where its user stands (`STATE_KEY`, written at sign-in and on each change),
so the middleware decides without a query per request. A reset by another administrator
removes the devices and ends the user's sessions, and is recorded as a security event."""

import secrets

from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import STAFF_ROLES, RecoveryCode, RecoveryCodeDevice, Role, SecurityEventKind
from .security import security_event_record

STATE_KEY = "_two_factor"
# Values of the session's STATE_KEY.
MUST_ENROL = "enrol"  # required, no device yet: only the enrolment page
MUST_VERIFY = "verify"  # a device exists: only the code page until the code is entered
RECOVERY_CODES = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, 5 bits each
_CODE_LENGTH = 24  # 120 bits


def is_required(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (user.is_active and user.role in (Role.SCHOOL_ADMIN, Role.DIRECTOR))
    )


def is_offered(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (user.is_active and user.role in STAFF_ROLES)
    )


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_for(user) -> str | None:
    """What a fresh sign-in of this user still owes (None: nothing)."""
    if not is_offered(user):
        return None
    if has_device(user):
        return MUST_VERIFY
    return MUST_ENROL if is_required(user) else None


def session_begin(request, user) -> None:
    """At sign-in: remember in the session what the user still owes."""
    state = state_for(user)
    if state:
        request.session[STATE_KEY] = state
    else:
        request.session.pop(STATE_KEY, None)


def session_pending(request) -> str | None:
    """MUST_ENROL or MUST_VERIFY while the second factor is owed, else None."""
    state = request.session.get(STATE_KEY)
    if state and not request.session.get(DEVICE_ID_SESSION_KEY):
        return state
    return None


def _format(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def recovery_codes_new(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones, shown once; only hashes are kept."""
    codes = [_format("".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH)))]
    while len(codes) < RECOVERY_CODES:
        code = _format("".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH)))
        if code not in codes:
            codes.append(code)
    with transaction.atomic():
        device, _created = RecoveryCodeDevice.objects.get_or_create(
            user=user, defaults={"name": "recovery", "confirmed": True}
        )
        RecoveryCode.objects.filter(device=device).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, code_hash=RecoveryCodeDevice.hash_code(c)) for c in codes
        )
        device.throttle_reset(commit=True)
    return codes


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (made on first sight of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def enrol_confirm(request, *, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the enrolment with the first code from the app: the device becomes the user's
    second factor, this session is verified, and ten recovery codes are returned (to show
    once). None when the code is wrong."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(token):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_new(user)
        security_event_record(kind=SecurityEventKind.OTP_ENROLLED, request=request, user=user)
    otp_login(request, device)
    request.session[STATE_KEY] = MUST_VERIFY
    return codes


def verify(request, token: str) -> str:
    """Check a code from the app or a recovery code for the signed-in user: "ok", "throttled"
    (too many wrong codes just now: wait) or "wrong". A code once accepted is refused again
    (django-otp keeps the last time step used); a recovery code is deleted when used."""
    user = request.user
    token = "".join(str(token or "").split())
    if not token:
        return "wrong"
    totp = confirmed_totp(user)
    recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    is_app_code = token.isdigit() and len(token) <= 8
    device = totp if is_app_code else recovery
    if device is None:
        return "wrong"
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return "throttled"
    accepted = otp_verify_token(user, device.persistent_id, token)
    if accepted is None:
        security_event_record(kind=SecurityEventKind.OTP_FAILED, request=request, user=user)
        return "wrong"
    if isinstance(accepted, RecoveryCodeDevice):
        left = RecoveryCode.objects.filter(device=accepted).count()
        security_event_record(
            kind=SecurityEventKind.OTP_RECOVERY_USED,
            request=request,
            user=user,
            detail=f"{left} left",
        )
    otp_login(request, accepted)
    return "ok"


def disable(request) -> None:
    """The user turns an optional second factor off (not allowed where it is required)."""
    user = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        security_event_record(kind=SecurityEventKind.OTP_DISABLED, request=request, user=user)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(STATE_KEY, None)


def reset(*, actor, target, request=None) -> None:
    """Another administrator resets a user's second factor (a lost phone): devices go, the
    user's sessions end, and at the next sign-in they enrol again where it is required."""
    from .sessions import sessions_end_for

    with transaction.atomic():
        TOTPDevice.objects.filter(user=target).delete()
        RecoveryCodeDevice.objects.filter(user=target).delete()
        security_event_record(
            kind=SecurityEventKind.OTP_RESET,
            request=request,
            user=target,
            actor=actor,
            detail=f"by {actor.get_username()}",
        )
        sessions_end_for(target.pk)


def issuer() -> str:
    return settings.OTP_TOTP_ISSUER
