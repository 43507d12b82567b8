"""Fill empty Swedish translations from JSON files; list what is still missing."""

import json
import sys

from babel.messages.pofile import read_po, write_po

PO = "journey/translations/sv/LC_MESSAGES/messages.po"


def main(paths: list[str]) -> int:
    mapping: dict = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            mapping.update(json.load(fh))
    with open(PO, "rb") as fh:
        catalog = read_po(fh, locale="sv")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        plural = isinstance(message.id, tuple)
        key = message.id[0] if plural else message.id
        current = message.string if plural else (message.string,)
        if key in mapping and not all(current):
            value = mapping[key]
            if plural:
                message.string = tuple(value) if isinstance(value, list) else (value, value)
            else:
                message.string = value
        message.flags.discard("fuzzy")
        now = message.string if plural else (message.string,)
        if not all(now):
            missing.append(key)
    with open(PO, "wb") as fh:
        write_po(fh, catalog, sort_output=True, width=100)
    if missing:
        print("untranslated:", *missing, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
