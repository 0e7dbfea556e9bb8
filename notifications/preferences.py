"""Who gets what: the school's policy and each guardian's choice, read in bulk."""

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Q

from consent.models import Consent, ContactKind, ContactPoint
from consent.rules import CHANNEL_PURPOSE
from school.models import GuardianStudent

from .models import KIND_SWITCH, Channel, Mode, NotificationPolicy, Preference

CHANNEL_CONTACT = {Channel.SMS: ContactKind.PHONE, Channel.EMAIL: ContactKind.EMAIL}


POLICY_CACHE_SECONDS = 300


def _policy_key(school_id: int) -> str:
    return f"notifications:policy:{school_id}"


def policy_of(school_id: int) -> NotificationPolicy:
    """The school's notification policy; the defaults when the school never changed them.
    Kept in the cache (a teacher's save asks for it; it changes rarely, and saving it clears
    the cache: receivers.forget_policy)."""
    policy = cache.get(_policy_key(school_id))
    if policy is None:
        policy = NotificationPolicy.objects.filter(school_id=school_id).first()
        policy = policy or NotificationPolicy(school_id=school_id)
        cache.set(_policy_key(school_id), policy, POLICY_CACHE_SECONDS)
    return policy


def policy_forget(school_id: int) -> None:
    cache.delete(_policy_key(school_id))


def _instant_key(school_id: int) -> str:
    return f"notifications:instant:{school_id}"


def instant_wanted(policy) -> Q | None:
    """Which students have a guardian who wants every mark at once: None when the school's
    default is "at once" on a channel (everyone, unless they chose otherwise), else a filter
    over Student ids by the guardians' own choices; NOBODY when nobody in the school chose
    it (remembered in the cache until a guardian saves their choices)."""
    if Mode.INSTANT in (policy.sms_mode, policy.email_mode):
        return None
    chosen = Preference.objects.filter(school_id=policy.school_id, mode=Mode.INSTANT)
    anyone = cache.get(_instant_key(policy.school_id))
    if anyone is None:
        anyone = chosen.exists()
        cache.set(_instant_key(policy.school_id), anyone, POLICY_CACHE_SECONDS)
    if not anyone:
        return NOBODY
    return Q(student_id__in=chosen.values("student_id"))


NOBODY = Q(pk__in=[])


def instant_forget(school_id: int) -> None:
    cache.delete(_instant_key(school_id))


class Audience:
    """Every guardian of the given students with what decides their messages, in six queries
    whatever their number: links, preferences, consents per channel and current contacts.

    `targets(student_id)` yields (guardian_id, channel, mode, weekly, contact) for every
    channel the guardian consented to for that child and has a contact for."""

    def __init__(self, *, school_id: int, student_ids: Iterable[int] | None = None, policy=None):
        self.policy = policy or policy_of(school_id)
        links = GuardianStudent.objects.filter(school_id=school_id).exclude(
            guardian__user__is_active=False
        )
        if student_ids is not None:
            links = links.filter(student_id__in=list(student_ids))
        self.links: dict[int, list[int]] = {}
        for guardian_id, student_id in links.values_list("guardian_id", "student_id"):
            self.links.setdefault(student_id, []).append(guardian_id)
        # The whole school's rows are read by the school (an index), not by long id lists.
        if student_ids is None:
            mine = {"school_id": school_id}
            theirs = {"school_id": school_id}
        else:
            students = list(self.links)
            guardians = list({g for gs in self.links.values() for g in gs})
            mine = {"student_id__in": students, "guardian_id__in": guardians}
            theirs = {"guardian_id__in": guardians}
        switches = list(KIND_SWITCH.values())
        self.prefs = {
            (guardian_id, student_id, channel): rest
            for guardian_id, student_id, channel, *rest in Preference.objects.filter(
                **mine
            ).values_list("guardian_id", "student_id", "channel", "mode", "weekly", *switches)
        }
        self.consents: set[tuple[int, int, str]] = set()
        purpose_channel = {purpose: channel for channel, purpose in CHANNEL_PURPOSE.items()}
        granted = (
            Consent.objects.granted_any()
            .filter(purpose__in=list(purpose_channel), **mine)
            .values_list("guardian_id", "student_id", "purpose")
        )
        for guardian_id, student_id, purpose in granted:
            self.consents.add((guardian_id, student_id, purpose_channel[purpose]))
        self.contacts: dict[tuple[int, str], str] = {}
        kind_channel = {kind: channel for channel, kind in CHANNEL_CONTACT.items()}
        current = (
            ContactPoint.objects.current()
            .filter(kind__in=list(kind_channel), **theirs)
            .order_by("recorded_at", "pk")
            .values_list("guardian_id", "kind", "value")
        )
        for guardian_id, kind, value in current:
            self.contacts[(guardian_id, kind_channel[kind])] = value  # the latest wins

    def mode(self, guardian_id: int, student_id: int, channel: str) -> tuple[str, bool]:
        pref = self.prefs.get((guardian_id, student_id, channel))
        if pref is not None:
            return pref[0], pref[1]
        return self.policy.default_mode(channel), self.policy.weekly

    def wants(self, guardian_id: int, student_id: int, channel: str, kind: str) -> bool:
        """Whether the guardian keeps a kind that can be switched off on its own (a teacher's
        message, tomorrow's changed lessons) on this channel: their choice, else the school's
        default. Kinds without a switch follow the channel's mode alone."""
        field = KIND_SWITCH.get(kind)
        if field is None:
            return True
        pref = self.prefs.get((guardian_id, student_id, channel))
        if pref is None:
            return getattr(self.policy, field)
        return pref[2 + list(KIND_SWITCH.values()).index(field)]

    def targets(self, student_id: int):
        for guardian_id in self.links.get(student_id, ()):
            for channel in (Channel.SMS, Channel.EMAIL):
                if (guardian_id, student_id, channel) not in self.consents:
                    continue
                contact = self.contacts.get((guardian_id, channel))
                if not contact:
                    continue
                mode, weekly = self.mode(guardian_id, student_id, channel)
                if mode == Mode.OFF:
                    continue
                yield guardian_id, channel, mode, weekly, contact
