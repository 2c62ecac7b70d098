"""Output: the adapters that write. The site engine (mkdocs or zensical) builds the site, WeasyPrint
prints the PDFs, the offline zip, and the workspace (project lock, atomic writes, staging folder
and publishing it in place of `build/`). The only room that imports mkdocs or WeasyPrint.

May import: every room before it (`errors`, `model`, `layout`, `load`, `plan`, `render`), and this room.
"""
