"""Render: pure functions from the program (and plan) to text: the site's Markdown tree, print
HTML for every PDF, calendars, the match report. They read templates and write nothing.

May import: `handbook.errors`, `handbook.model`, `handbook.layout`, `handbook.load`,
`handbook.plan`, and this room. Never mkdocs or WeasyPrint.
"""
