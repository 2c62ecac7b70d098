"""Load: read a project's files into one validated, immutable `Program` and what comes with it.

YAML with positions (`yamlsource`), schema and cross-references (`validate`), content pages and
assets (`project`), the cohort and the roster, the links inside content, and `mkdocs.yml`
(`sitesettings`). Every problem is collected and reported at once, each with file:line.

May import: `handbook.errors`, `handbook.model`, `handbook.layout`, and this room.
"""
