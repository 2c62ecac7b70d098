"""Plan: facts derived from the validated program, pure and computed once per build.

The page registry (what the site, the book and the downloads list hold), the schedule of every
relationship (review points with ids), the standards coverage and matching. No templates, no I/O.

May import: `handbook.errors`, `handbook.model`, `handbook.layout`, `handbook.load`, and this room.
"""
