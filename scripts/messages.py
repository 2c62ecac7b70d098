#!/usr/bin/env python3
"""Extract the generator's words into locale/handbook.pot and merge them into every catalog.

Run after changing any `_()`, `{% trans %}` or `N_()`; then translate what is new in each
src/handbook/locale/<lang>/LC_MESSAGES/handbook.po (untranslated or `#, fuzzy` entries).
`python scripts/messages.py it` starts a catalog for a new language.
"""

import sys

from handbook.commands.catalogs import update

if __name__ == "__main__":
    for path in update(tuple(sys.argv[1:])):
        print(path)
