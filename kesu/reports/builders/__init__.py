"""Pure report builders: they take a plain ``ReportContext`` (dataclasses) and write DOCX, HTML, Markdown, charts.

Nothing in this package imports Django's ORM or any kesu model (a test enforces it), so the writing can be tested on a
hand-made context and reused by the CLI, the web pages and background jobs alike.
"""
