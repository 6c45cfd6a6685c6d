"""Cells that a spreadsheet would run as a formula (CSV/formula injection) are neutralised in every export.

A text starting with = + - @ (or a tab / carriage return, which some spreadsheets skip before one) is what Excel,
WPS and LibreOffice evaluate when a CSV is opened or a cell is edited. Every CSV and XLSX kesu writes passes its
cells through here:

- ``safe_text`` / ``safe_row`` put an apostrophe in front (CSV, and XLSX sheets that are only read);
- ``set_text`` writes an XLSX cell as text with Excel's "quote prefix" flag instead, so the value itself is kept
  unchanged for a template that is filled in and uploaded again.

Numbers, dates and ``None`` pass unchanged: a negative number is a number, not a formula.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_text(value) -> str:
    """Text shown as typed: a leading = + - @ (or tab/CR) gets an apostrophe in front."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(value):
    """``safe_text`` for text; other values (numbers, dates, None) unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


def set_text(cell, value):
    """Put ``value`` into an openpyxl cell; text that looks like a formula is stored as text with the quote prefix."""
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"  # openpyxl turns a string starting with "=" into a formula otherwise
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell
