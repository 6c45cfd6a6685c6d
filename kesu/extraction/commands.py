"""Command-line entry points: ``extract FILE… [--json]`` and ``dedup DIR [--threshold X] [--json] [--sections]``.

The product's ``kesu`` console script calls :func:`extract_main` and :func:`dedup_main`.
Nothing heavy is imported at module level: the CLI must start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

READABLE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".shtml", ".docx", ".pdf"}


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def _table(facts: list[dict]) -> str:
    """An aligned plain-text table (CJK characters count as two columns)."""
    headers = ["start", "end", "text", "value", "unit", "approx", "subject", "flag"]
    rows = []
    for f in facts:
        value = f["value"] if f["value_high"] is None else f"{f['value']}–{f['value_high']}"
        rows.append([
            str(f["start"]), str(f["end"]), f["text"].replace("\n", " "), str(value), f["unit"],
            "~" if f["approx"] else "", f["subject"], "SUSPICIOUS" if f["suspicious"] else "",
        ])
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def extract_main(argv: list[str]) -> int:
    """``extract FILE… [--json]``: print the facts found in each file."""
    parser = argparse.ArgumentParser(prog="extract", description="Extract quantitative facts from report files.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    from .engine.facts import extract
    from .engine.readers import read_file

    results: dict[str, list[dict]] = {}
    status = 0
    for name in args.files:
        try:
            text = read_file(name)
        except (OSError, ValueError) as exc:
            print(f"{name}: cannot read: {exc}", file=sys.stderr)
            status = 1
            continue
        results[name] = [f.to_dict() for f in extract(text)]
    if args.json:
        payload = next(iter(results.values())) if len(args.files) == 1 and results else results
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=None if len(args.files) == 1 else 1)
        sys.stdout.write("\n")
    else:
        for name, facts in results.items():
            if len(args.files) > 1:
                print(f"== {name} ({len(facts)} facts)")
            print(_table(facts))
    return status


def dedup_main(argv: list[str]) -> int:
    """``dedup DIR [--threshold X] [--json]``: list near-duplicate document pairs."""
    parser = argparse.ArgumentParser(prog="dedup", description="Find near-duplicate reports in a folder.")
    parser.add_argument("directory", metavar="DIR")
    parser.add_argument("--threshold", type=float, default=0.8, help="minimum similarity (0..1), default 0.8")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--sections", action="store_true", help="compare sections across documents instead")
    args = parser.parse_args(argv)
    from .engine.dedup import find_duplicate_sections, find_near_duplicates
    from .engine.readers import read_file
    from .engine.split import split_documents

    root = Path(args.directory)
    if not root.is_dir():
        print(f"{root}: not a directory", file=sys.stderr)
        return 2
    docs: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in READABLE_SUFFIXES):
        try:
            text = read_file(path)
        except (OSError, ValueError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            continue
        rel = str(path.relative_to(root))
        parts = split_documents(text)
        if len(parts) <= 1:
            docs[rel] = text
        else:
            for i, part in enumerate(parts, 1):
                docs[f"{rel}#{i}"] = part.text
    if args.sections:
        pairs = find_duplicate_sections(docs, threshold=args.threshold)
    else:
        pairs = find_near_duplicates(docs, threshold=args.threshold)
    if args.json:
        json.dump([p.to_dict() for p in pairs], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        if not pairs:
            print(f"no near-duplicates at threshold {args.threshold}")
        for p in pairs:
            print(f"{p.score:.3f}  {p.a}  ~  {p.b}")
            for d in p.differences[:5]:
                print(f"        - {d['a_text'][:40]!r} → {d['b_text'][:40]!r}")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m kesu.extraction {extract FILE… [--json] | dedup DIR [--threshold X] [--json]}")
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "extract":
        return extract_main(rest)
    if command == "dedup":
        return dedup_main(rest)
    print(f"unknown command {command!r}", file=sys.stderr)
    return 2
