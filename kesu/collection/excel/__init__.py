"""Excel templates and import for the collection app: download a template per reporter and period, upload it
back, preview every problem by sheet/row/column, commit all-or-nothing. See docs/excel-import.md."""
