#!/usr/bin/env bash
# Merge new strings into the Swedish catalogue and add their translations.
#
#   scripts/i18n_add.sh TRANSLATIONS.json
#
# The JSON maps English msgids to Swedish (plural msgids map to a list of two).
# Only empty translations are filled. A lock keeps concurrent runs apart.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec 9>/tmp/journey-i18n.lock
flock 9
make -s translations >/dev/null 2>&1
.venv/bin/python scripts/fill_translations.py "$@"
.venv/bin/pybabel compile -d journey/translations -f >/dev/null
