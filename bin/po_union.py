#!/usr/bin/env python
"""Fill a catalogue's missing translations from other versions of it.

After merging branches that each translated their own strings, run `make messages` to get the
full list of msgids, then `bin/po_union.py TARGET.po OTHER.po ...` to take every translation
any version had. Prints what is still untranslated.
"""

import sys

import polib


def _translated(entry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def main(target_path: str, *sources: str) -> int:
    known: dict[tuple[str | None, str], object] = {}
    for path in sources:
        for entry in polib.pofile(path):
            if _translated(entry) and "fuzzy" not in entry.flags:
                value = dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr
                known.setdefault((entry.msgctxt, entry.msgid), value)
    target = polib.pofile(target_path)
    missing = []
    for entry in target:
        if entry.obsolete:
            continue
        if not _translated(entry) or "fuzzy" in entry.flags:
            translation = known.get((entry.msgctxt, entry.msgid))
            if translation:
                if entry.msgid_plural:
                    entry.msgstr_plural = dict(translation)
                else:
                    entry.msgstr = translation
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = None
            else:
                missing.append(entry.msgid)
    target.save()
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
