"""One document through the whole engine, in a process of its own under CPU-time and memory limits.

``python -m kesu.extraction.engine.job`` reads a JSON request on stdin::

    {"path": "...", "kind": "txt|html|docx|pdf", "catalogue": [...],
     "limits": {"cpu_seconds": 60, "memory_bytes": 1073741824, "max_chars": 2000000, "max_lines": 20000}}

and writes one JSON object on stdout: the read text, the cleaned text and its kept ranges, the reports of the page
(with region and period evidence and near-duplicate links), the sections, and the mapped facts — or
``{"error": "<Chinese reason>"}``. The limits are set with ``resource.setrlimit`` before anything is read, so a
hostile file costs at most what they allow: the kernel stops the process (SIGXCPU / MemoryError), and the caller
reports why. No Django here: the process starts in a fraction of a second.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .readers import decode_bytes, html_to_text, read_docx, read_pdf


class Refused(Exception):
    """A document the engine will not read, with the reason in Chinese."""


def _set_limits(limits: dict) -> None:
    import resource

    cpu = int(limits.get("cpu_seconds") or 0)
    if cpu > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))  # SIGXCPU at the soft limit, SIGKILL at the hard
    memory = int(limits.get("memory_bytes") or 0)
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def read(kind: str, path: Path) -> str:
    if kind == "docx":
        return read_docx(path)
    if kind == "pdf":
        return read_pdf(path)
    text = decode_bytes(path.read_bytes())
    return html_to_text(text) if kind == "html" else text


def kept_ranges(tm) -> list[list[int]]:
    """Ranges of the original text that the cleaned text keeps (one per TextMap segment)."""
    out = []
    bounds = list(tm.seg_norm[1:]) + [len(tm.text)]
    for norm_start, orig_start, norm_end in zip(tm.seg_norm, tm.seg_orig, bounds, strict=True):
        if norm_end > norm_start:
            out.append([orig_start, orig_start + norm_end - norm_start])
    return out


def page_sections(text: str, reports: list[dict]) -> list:
    """The sections of each report of a page: a report's first figures are not under the last heading of the
    report before it."""
    from . import split_sections

    if not reports:
        return split_sections(text)
    return [s for r in reports for s in split_sections(text[r["start"]:r["end"]], offset=r["start"])]


def run(request: dict) -> dict:
    from . import clean_text, extract, map_facts
    from .reports import read_reports

    limits = request.get("limits") or {}
    text = read(request["kind"], Path(request["path"]))
    if not text.strip():
        raise Refused("未能读出文字（可能是扫描件，没有文字层）。")
    max_chars, max_lines = limits.get("max_chars"), limits.get("max_lines")
    if max_chars and len(text) > max_chars:
        raise Refused(f"读出的文字共 {len(text):,} 字，超过 {max_chars:,} 字的上限；请拆分后上传。")
    if max_lines and text.count("\n") + 1 > max_lines:
        raise Refused(f"读出的文字共 {text.count(chr(10)) + 1:,} 行（段），超过 {max_lines:,} 行的上限；请拆分后上传。")
    tm = clean_text(text)
    places = request.get("places") or []
    page = read_reports(text, places=places)
    sections = page_sections(text, page["reports"])
    mapped = map_facts(extract(text), request.get("catalogue") or [], text, sections=sections)
    link_facts(text, page, mapped, places)
    return {
        "text": text, "cleaned_text": tm.text, "kept_ranges": kept_ranges(tm),
        "reports": page["reports"], "copied_sections": page["copied_sections"],
        "sections": [{"start": s.start, "end": s.end, "level": s.level, "heading": s.heading, "path": s.path}
                     for s in sections],
        "facts": mapped,
    }


def link_facts(text: str, page: dict, mapped: list[dict], places: list[str] | None = None) -> None:
    """Give each mapped fact its report, the place its clause names (if another), and the fact it copies (if any).

    A fact copies another when it lies in a duplicate report or a copied section and the kept original has a fact
    with the same words at the same relative place or, failing that, the same words anywhere in it.
    """
    from .reports import Gazetteer, place_of_fact, report_index

    gazetteer = Gazetteer(places) if places else None
    reports = page["reports"]
    which = report_index(reports)
    by_range: dict[tuple[int, int], dict[str, list[int]]] = {}

    def facts_in(start: int, end: int) -> dict[str, list[int]]:
        key = (start, end)
        if key not in by_range:
            index: dict[str, list[int]] = {}
            for k, m in enumerate(mapped):
                if start <= m["fact"]["start"] < end:
                    index.setdefault(m["fact"]["text"], []).append(k)
            by_range[key] = index
        return by_range[key]

    used: set[int] = set()
    for m in mapped:
        f = m["fact"]
        r = which(f["start"])
        m["report"] = r
        m["place"] = place_of_fact(text, f["start"], reports[r]["region"]["name"], gazetteer)
        m["copy_of"] = None
        original = None
        if reports[r]["duplicate_of"] is not None:
            kept = reports[reports[r]["duplicate_of"]]
            original = (kept["start"], kept["end"])
        else:
            sec = next((c for c in page["copied_sections"] if c["start"] <= f["start"] < c["end"]), None)
            if sec is not None:
                original = (sec["of_start"], sec["of_end"])
        if original is not None:
            candidates = [k for k in facts_in(*original).get(f["text"], []) if k not in used]
            if candidates:
                m["copy_of"] = candidates[0]
                used.add(candidates[0])


def main() -> int:
    request = json.loads(sys.stdin.read())
    _set_limits(request.get("limits") or {})
    try:
        result = run(request)
    except Refused as exc:
        result = {"error": str(exc)}
    except MemoryError:
        result = {"error": "memory"}
    out = json.dumps(result, ensure_ascii=False)
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
