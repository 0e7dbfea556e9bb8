"""Where the school's generated bundles are kept: the default storage, one folder a school, so
a file name of another school is simply not there (404)."""

import datetime as dt
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

ROOT = "exchange/bundles"
KEEP = 20  # the newest bundles a school keeps


def folder(school_id: int) -> str:
    return f"{ROOT}/{school_id}"


def save(*, school_id: int, kind: str, content: bytes, now: dt.datetime) -> str:
    """Store a bundle; returns its name (unguessable; the oldest beyond KEEP go)."""
    name = f"{kind}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.zip"
    default_storage.save(f"{folder(school_id)}/{name}", ContentFile(content))
    for old in names(school_id)[KEEP:]:
        default_storage.delete(f"{folder(school_id)}/{old}")
    return name


def names(school_id: int) -> list[str]:
    """The school's bundles, newest first."""
    try:
        _dirs, files = default_storage.listdir(folder(school_id))
    except FileNotFoundError:
        return []
    return sorted((n for n in files if n.endswith(".zip")), key=_stamp, reverse=True)


def _stamp(name: str) -> str:
    return name.split("-", 1)[1] if "-" in name else name


def open_file(school_id: int, name: str):
    """The school's bundle `name`, or None when it has none of that name."""
    if "/" in name or name not in names(school_id):
        return None
    return default_storage.open(f"{folder(school_id)}/{name}", "rb")
