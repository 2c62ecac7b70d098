"""The PDF adapter: print HTML becomes PDF files with WeasyPrint, in batches, on every core.

What a build uses is exported here; the modules, in the order they build on each other:

- `weasy`: the one module that imports WeasyPrint (and pydyf): lay out, write, fetch, and the
  few private hooks WeasyPrint offers no public API for, each guarded and tested.
- `fetch`: what print may read (the project's content/ and templates/, never the network or
  the cohort) and WeasyPrint's log turned into located problems, or notes about the machine.
- `renderer`: a `Renderer` lays out print HTML and writes files; `render_batch` writes a batch
  (handbook, forms, blank agreement) from one laid-out document.
- `stamp`: the groups' agreements, a tagged template laid out once with each group's values
  drawn into a copy next to their labels (pikepdf).
- `cache`: files of earlier builds by the hash of their inputs.
- `pool`: the worker processes, which end with the build that started them.
- `job`: `PdfJob` and `write_pdfs`: the cache, then the workers, then the checks.
"""

from handbook.output.pdf.fetch import MACHINE_NOTES, allowed_roots, project_fetcher
from handbook.output.pdf.job import PdfJob, PdfReport, write_pdfs
from handbook.output.pdf.pool import default_workers
from handbook.output.pdf.renderer import render_alone

__all__ = ["MACHINE_NOTES", "PdfJob", "PdfReport", "allowed_roots", "default_workers", "project_fetcher",
           "render_alone", "write_pdfs"]
