"""An import's problem list, stored capped.

A file with a mistake on every row has as many problems as rows; storing and showing all of them made one upload
a 200 MB JSON blob and a 192 MB page. The job keeps the first ``SHOWN`` problems for the page plus the totals, and
the whole list is written once, as a CSV file beside the upload, for download.
"""

import csv
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .reader import Problem

SHOWN = 1000
COUNTS_KEY = "_problems"  # in ExcelImport.summary: {"total": N, "blocking": B}
HEADERS = ["工作表", "行", "列", "原因", "性质"]


def list_path(upload_name: str) -> str:
    return f"{upload_name}.problems.csv"


def as_csv(problems: list) -> bytes:
    """Problems (``Problem``s or their stored dicts) as CSV, UTF-8 with a byte-order mark so Excel reads Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for p in problems:
        p = p.as_dict() if isinstance(p, Problem) else p
        writer.writerow([p.get("sheet") or "", p.get("row") or "", p.get("column") or "", p.get("message") or "",
                         "错误" if p.get("blocking", True) else "提示"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def store(upload_name: str, problems: list[Problem]) -> tuple[list[dict], dict]:
    """→ (the first SHOWN problems as dicts, the counts); the full list goes to a CSV file when it is longer."""
    counts = {"total": len(problems), "blocking": sum(1 for p in problems if p.blocking)}
    if len(problems) > SHOWN:
        path = list_path(upload_name)
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(as_csv(problems)))
    return [p.as_dict() for p in problems[:SHOWN]], counts
