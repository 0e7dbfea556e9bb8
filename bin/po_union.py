#!/usr/bin/env python
"""Fill a catalogue's missing translations from other versions of it.

After merging branches that each translated their own strings, run `make messages` to get the
full list of msgids, then `bin/po_union.py TARGET.po OTHER.po ...` to take every translation
any version had. Prints what is still untranslated.
"""

import sys

import polib


def main(target_path: str, *sources: str) -> int:
    known: dict[tuple[str | None, str], str] = {}
    for path in sources:
        for entry in polib.pofile(path):
            if entry.msgstr and "fuzzy" not in entry.flags:
                known.setdefault((entry.msgctxt, entry.msgid), entry.msgstr)
    target = polib.pofile(target_path)
    missing = []
    for entry in target:
        if entry.obsolete:
            continue
        if not entry.msgstr or "fuzzy" in entry.flags:
            translation = known.get((entry.msgctxt, entry.msgid))
            if translation:
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
