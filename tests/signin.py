"""Signing the test client in, second factor included.

`force_login` skips the password; for a user who owes a second factor (the school admin, the
director, anyone with a device) the session is also marked as having given it, as the code page
would. Tests of the second factor itself sign in without this (tests/accounts/test_two_factor.py).
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor


def sign_in(client, user):
    client.force_login(user)
    if twofactor.state_for(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
