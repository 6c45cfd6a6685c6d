"""The mapping scorer: precision, recall and bulk precision against mapping labels, and region/period against report
labels, on a corpus folder of the evaluation corpus's layout built here from sentences written for the test."""

import json

from kesu.bench.mapping import score, score_reports
from kesu.extraction.engine.facts import extract

TEXT = ("渠县2023年科普工作总结\n"
        "2023年，我县全年开展农村实用技术培训120期，培训农民3500人次。计划明年培训农民5000人次。\n")


def _corpus(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "texts" / "a.txt").write_text(TEXT, encoding="utf-8")
    facts = [f.to_dict() for f in extract(TEXT)]
    (tmp_path / "labels" / "a.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "split.json").write_text(json.dumps({"dev": ["a"]}))
    return tmp_path, [f["text"] for f in facts]


def test_mapping_scores_count_right_wrong_and_missed_codes(tmp_path):
    corpus, texts = _corpus(tmp_path)
    assert texts == ["120期", "3500人次", "5000人次"]
    right = {"a": {"0": "TRN_FARMER_SESSIONS", "1": "TRN_FARMER_P"}}  # the plan (5000人次) maps to nothing
    out = score(corpus, right)
    assert (out["precision"], out["recall"], out["bulk_precision"]) == (1.0, 1.0, 1.0)
    wrong = {"a": {"0": "TRN_FARMER_SESSIONS", "1": "TRN_WORKER_P", "2": "TRN_FARMER_P"}}
    out = score(corpus, wrong, errors=True)
    assert (out["correct"], out["predicted"], out["gold_mapped"]) == (1, 2, 3)
    assert {"doc": "a", "fact": 1, "predicted": "TRN_FARMER_P", "gold": "TRN_WORKER_P"} in out["errors"]


def test_report_scores_compare_region_level_name_and_years(tmp_path):
    corpus, _ = _corpus(tmp_path)
    right = {"a": {"0": {"level": "county", "name": "渠县", "years": [2023, 2023]}}}
    assert score_reports(corpus, right) == {"reports_stating_region": 1, "region_correct": 1,
                                           "reports_stating_years": 1, "years_correct": 1}
    wrong = {"a": {"0": {"level": "city", "years": [2022, 2023]}}}
    out = score_reports(corpus, wrong, errors=True)
    assert (out["region_correct"], out["years_correct"]) == (0, 0) and len(out["errors"]) == 2
