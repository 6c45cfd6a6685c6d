"""Score fact → indicator mapping on a labelled corpus: precision, recall, and the precision of what bulk accept takes.

Run: ``python -m kesu.bench.mapping --corpus DIR [--labels docs/extraction-mapping-labels.json] [--errors]``

The region and period the engine reads for each report (without the app's region tree) are scored too, against
``docs/extraction-report-labels.json`` (``--report-labels``).

The corpus directory holds ``texts/ID.txt``, ``labels/ID.json`` (the gold facts) and ``split.json``; the mapping
labels (codes only) say which indicator each gold fact is, or none. The gold facts are mapped with the built-in
catalogue exactly as the app maps extracted facts; bulk accept's choice is the app's rule (confident, not blocked, not
suspicious, not about another place, the headline per indicator and report).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def builtin_catalogue() -> list[dict]:
    import yaml

    spec = yaml.safe_load((ROOT / "kesu/plans/frameworks/indicators.yaml").read_text(encoding="utf-8"))
    items = spec["indicators"] if isinstance(spec, dict) else spec
    return [{"code": i["code"], "name": i["name"], "unit": i["unit"], "aliases": list(i.get("aliases") or []),
             "population": [p for p in re.split(r"[,，、;；\s]+", i.get("population") or "") if p]}
            for i in items if i.get("unit")]


def _headline_key(m: dict) -> tuple:
    f = m.get("features") or {}
    return (bool(f.get("component")), not f.get("total_marker"), -round(m["confidence"], 2),
            -(m["value"] or 0), m["fact"]["start"])


def bulk_choice(mapped: list[dict], high: float = 0.7) -> set[int]:
    """Indexes of the facts bulk accept would take (the app's rule in ``services.plan_bulk``)."""
    groups: dict[tuple, list[int]] = {}
    for k, m in enumerate(mapped):
        f = m.get("features") or {}
        if (not m["code"] or m["confidence"] < high or m["fact"].get("suspicious") or m.get("place")
                or m["fact"].get("value_high") is not None or f.get("kind") == "target"
                or f.get("span") == "cumulative" or f.get("measure") in ("per_capita", "growth")
                or f.get("threshold") or f.get("heading")):
            continue
        groups.setdefault((m.get("report", 0), m["code"]), []).append(k)
    return {min(ks, key=lambda k: _headline_key(mapped[k])) for ks in groups.values()}


def score(corpus: Path, labels: dict, split: str = "dev", errors: bool = False) -> dict:
    from kesu.extraction.engine.job import link_facts, page_sections
    from kesu.extraction.engine.mapping import map_facts
    from kesu.extraction.engine.reports import read_reports

    catalogue = builtin_catalogue()
    ids = json.loads((corpus / "split.json").read_text())[split]
    tp = fp = fn = bulk_tp = bulk_n = 0
    wrong = []
    for doc in ids:
        text = (corpus / "texts" / f"{doc}.txt").read_text(encoding="utf-8")
        gold_facts = json.loads((corpus / "labels" / f"{doc}.json").read_text(encoding="utf-8"))
        gold = {int(k): v for k, v in labels.get(doc, {}).items()}
        page = read_reports(text)
        mapped = map_facts(gold_facts, catalogue, text, sections=page_sections(text, page["reports"]))
        link_facts(text, page, mapped)
        bulk = bulk_choice(mapped)
        for k, m in enumerate(mapped):
            want, got = gold.get(k), m["code"]
            if got and got == want:
                tp += 1
            elif got:
                fp += 1
                wrong.append((doc, k, got, want))
            if want and got != want:
                fn += 1
                if not got:
                    wrong.append((doc, k, None, want))
            if k in bulk:
                bulk_n += 1
                bulk_tp += got == want
    out = {"gold_mapped": tp + fn, "predicted": tp + fp, "correct": tp,
           "precision": round(tp / (tp + fp), 3) if tp + fp else None,
           "recall": round(tp / (tp + fn), 3) if tp + fn else None,
           "bulk_taken": bulk_n, "bulk_correct": bulk_tp,
           "bulk_precision": round(bulk_tp / bulk_n, 3) if bulk_n else None}
    if errors:
        out["errors"] = [{"doc": d, "fact": k, "predicted": g, "gold": w} for d, k, g, w in wrong]
    return out


def score_reports(corpus: Path, labels: dict, split: str = "dev", errors: bool = False) -> dict:
    """Region and period of each report (the engine alone, no region tree) against the report labels."""
    from kesu.extraction.engine.normalize import fold
    from kesu.extraction.engine.reports import read_reports

    ids = json.loads((corpus / "split.json").read_text())[split]
    region_n = region_ok = years_n = years_ok = 0
    wrong = []
    for doc in ids:
        reports = read_reports((corpus / "texts" / f"{doc}.txt").read_text(encoding="utf-8"))["reports"]
        for k, rep in enumerate(reports):
            want = labels.get(doc, {}).get(str(k), {})
            got_region = rep["region"]
            if "level" in want:
                region_n += 1
                ok = got_region["level"] == want["level"] and (
                    "name" not in want or fold(got_region["name"] or "") == want["name"])
                region_ok += ok
                if not ok:
                    wrong.append({"doc": doc, "report": k, "region": [got_region["name"], got_region["level"]],
                                  "want": [want.get("name"), want["level"]]})
            if "years" in want:
                years_n += 1
                ok = rep["period"]["years"] == want["years"]
                years_ok += ok
                if not ok:
                    wrong.append({"doc": doc, "report": k, "years": rep["period"]["years"], "want": want["years"]})
    out = {"reports_stating_region": region_n, "region_correct": region_ok,
           "reports_stating_years": years_n, "years_correct": years_ok}
    if errors:
        out["errors"] = wrong
    return out


def engine_speed(texts: list[str], label: str, catalogue: list[dict]) -> dict:
    """The whole engine on text already read (clean, split, extract, reports, map, link), in MB per CPU second."""
    import time

    from kesu.extraction.engine import clean_text, extract
    from kesu.extraction.engine.job import link_facts, page_sections
    from kesu.extraction.engine.mapping import map_facts
    from kesu.extraction.engine.reports import read_reports

    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    c0, t0, facts = time.process_time(), time.perf_counter(), 0
    for text in texts:
        clean_text(text)
        page = read_reports(text)
        mapped = map_facts(extract(text), catalogue, text, sections=page_sections(text, page["reports"]))
        link_facts(text, page, mapped)
        facts += len(mapped)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    return {"set": label, "docs": len(texts), "mb": round(nbytes / 1e6, 3), "facts": facts, "cpu_s": round(cpu, 2),
            "wall_s": round(wall, 2), "mb_per_cpu_s": round(nbytes / 1e6 / cpu, 2)}


def speed(corpus: Path, split: str = "dev", repeat: int = 10) -> list[dict]:
    import random

    from kesu.bench.extraction import report_text

    catalogue = builtin_catalogue()
    ids = json.loads((corpus / "split.json").read_text())[split]
    real = [(corpus / "texts" / f"{doc}.txt").read_text(encoding="utf-8") for doc in ids]
    engine_speed(real[:3], "warm-up", catalogue)
    rng = random.Random(7)
    return [engine_speed(real * repeat, f"development texts ×{repeat}", catalogue),
            engine_speed([report_text(100_000, rng) for _ in range(5)], "generated 100 KB reports", catalogue)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--labels", type=Path, default=ROOT / "docs/extraction-mapping-labels.json")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--report-labels", type=Path, default=ROOT / "docs/extraction-report-labels.json")
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--speed", action="store_true", help="also time the whole engine (MB per CPU second)")
    ns = parser.parse_args(argv)
    labels = json.loads(ns.labels.read_text(encoding="utf-8"))["labels"]
    out = score(ns.corpus, labels, ns.split, ns.errors)
    if ns.report_labels.exists():
        report_labels = json.loads(ns.report_labels.read_text(encoding="utf-8"))["labels"]
        out["reports"] = score_reports(ns.corpus, report_labels, ns.split, ns.errors)
    if ns.speed:
        out["speed"] = speed(ns.corpus, ns.split)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
