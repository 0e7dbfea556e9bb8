"""The Russian catalogues are complete: every msgid has a translation and none is fuzzy."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/ru/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def entries(path: Path):
    """Yield (flags, msgid, msgstr) of a .po file, continuation lines joined; obsolete
    entries (#~) are skipped."""
    block: dict[str, str] = {}
    flags = ""
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in block:
                msgid = block["msgid"]
                if "msgctxt" in block:  # gettext's own key: context EOT msgid
                    msgid = f"{block['msgctxt']}\x04{msgid}"
                yield flags, msgid, block.get("msgstr", block.get("msgstr[0]", ""))
            block, flags, key = {}, "", None
        elif line.startswith("#,"):
            flags += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            block[key] += line.strip()[1:-1]
        else:
            key, _, rest = line.partition(" ")
            block[key] = rest.strip()[1:-1]


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 4


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(path):
    problems = []
    for flags, msgid, msgstr in entries(path):
        if not msgid:
            continue  # the header
        if "fuzzy" in flags:
            problems.append(f"fuzzy: {msgid!r}")
        elif not msgstr:
            problems.append(f"untranslated: {msgid!r}")
    assert not problems, "\n".join(problems)
    mo = path.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_size > 0, f"{mo} is missing: run `make messages`"


def test_one_msgid_means_one_thing_across_catalogues():
    """Django merges the catalogues and the first one wins, so the same msgid translated two
    ways shows one app the other's wording. Different meanings need a msgctxt instead."""
    seen: dict[str, dict[str, str]] = {}
    for path in CATALOGUES:
        for flags, msgid, msgstr in entries(path):
            if msgid and msgstr and "fuzzy" not in flags:
                seen.setdefault(msgid, {})[str(path.relative_to(ROOT))] = msgstr
    clashes = {m: t for m, t in seen.items() if len(set(t.values())) > 1}
    assert not clashes, "\n".join(f"{m!r}: {t}" for m, t in clashes.items())
