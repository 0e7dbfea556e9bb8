"""The rendered days of a child's week, cached per viewer.

The week page's days (lessons, marks, homework, remarks) are most of its cost and change only
when the journal is written. They are kept in the cache under a key made of:

- the viewer and the child (nothing is ever shared between viewers, even two parents of one
  child), the week, the school's "today" and the language;
- the child's class and groups on that day, with the sum of their journal counters
  (diary.models.JournalVersion, bumped by database triggers in the same transaction as every
  write to lessons, marks, attendance, homework and remarks: migration diary/0005 on
  PostgreSQL, diary/triggers.py on SQLite): any write the week could show makes a new key;
- the bells and holidays the frame brought (they are drawn into the days).

The access and consent check (diary.selectors.diary_frame) runs on every request before the
cache is asked: a parent whose link or consent has ended never reaches a cached week. Entries
live DIARY_WEEK_CACHE_SECONDS at most, which also bounds how long a renamed teacher or subject
shows under its old name. Only PostgreSQL and SQLite carry the triggers: on any other database
nothing is cached.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django.utils.safestring import mark_safe

PREFIX = "diary:week:v1"
CACHING_VENDORS = ("postgresql", "sqlite")  # the databases with the triggers


def week_key(viewer, frame, week, today) -> str | None:
    if connection.vendor not in CACHING_VENDORS or frame.journal_version is None:
        return None
    if settings.DIARY_WEEK_CACHE_SECONDS <= 0:
        return None
    around = repr(
        (
            frame.class_group_id,
            sorted(frame.group_ids),
            sorted((b.number, b.starts_at, b.ends_at) for b in frame.bells.values()),
            [(h.name, h.starts_on, h.ends_on) for h in frame.holidays],
        )
    )
    digest = hashlib.blake2b(around.encode(), digest_size=8).hexdigest()
    language = translation.get_language() or settings.LANGUAGE_CODE
    return (
        f"{PREFIX}:{viewer.pk}:{frame.student.pk}:{week.isoformat()}:{today.isoformat()}:"
        f"{language}:{frame.journal_version}:{digest}"
    )


def cached_days(key: str | None) -> str | None:
    if key is None:
        return None
    found = cache.get(key)
    return mark_safe(found) if found is not None else None  # noqa: S308 -- our own rendering


def keep_days(key: str | None, html: str) -> None:
    if key is not None:
        cache.set(key, str(html), settings.DIARY_WEEK_CACHE_SECONDS)
