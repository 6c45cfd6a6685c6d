"""The extract / dedup command-line entry points and the engine's import hygiene."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kesu.extraction.commands import dedup_main, extract_main

REPO = Path(__file__).resolve().parents[3]
SAMPLE = "全年举办培训班12期,培训农民1500人次,发放资料3000余份。"


def test_extract_json_single_file(tmp_path, capsys):
    f = tmp_path / "r.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    assert extract_main([str(f), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["text"] for d in data] == ["12期", "1500人次", "3000余份"]
    assert data[2]["approx"] is True
    assert set(data[0]) == {"text", "start", "end", "value", "value_high", "unit", "approx", "subject", "suspicious"}


def test_extract_json_several_files_keyed_by_name(tmp_path, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(SAMPLE, encoding="utf-8")
    b.write_bytes("建成科普站8个。".encode("gb18030"))  # GB18030 fallback
    assert extract_main([str(a), str(b), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == [str(a), str(b)]
    assert data[str(b)][0]["text"] == "8个"


def test_offsets_match_text_mode_reading(tmp_path, capsys):
    f = tmp_path / "crlf.txt"
    f.write_bytes("第一段。\r\n全年举办讲座6场。\r\n".encode())
    assert extract_main([str(f), "--json"]) == 0
    fact = json.loads(capsys.readouterr().out)[0]
    text = f.read_text(encoding="utf-8")
    assert text[fact["start"]:fact["end"]] == "6场"


def test_extract_table_is_aligned(tmp_path, capsys):
    f = tmp_path / "r.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    assert extract_main([str(f)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("start")
    assert any("1500人次" in ln and "人次" in ln for ln in lines)


def test_extract_html(tmp_path, capsys):
    f = tmp_path / "r.html"
    f.write_text("<html><head><script>var n=99;</script></head><body><p>举办讲座<b>6</b>场</p></body></html>",
                 encoding="utf-8")
    assert extract_main([str(f), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["text"], d["unit"]) for d in data] == [("6场", "场")]


def test_extract_docx(tmp_path, capsys):
    docx = pytest.importorskip("docx")
    f = tmp_path / "r.docx"
    d = docx.Document()
    d.add_paragraph("组织志愿者260名参加活动。")
    d.save(str(f))
    assert extract_main([str(f), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["text"] == "260名"


def test_missing_file_returns_error(tmp_path, capsys):
    assert extract_main([str(tmp_path / "nope.txt"), "--json"]) == 1


def test_dedup_directory(tmp_path, capsys):
    body = "今年全镇举办科普讲座12场,参加群众900人次,发放宣传资料2000份,建成科普宣传栏6块,效果良好。" * 3
    (tmp_path / "2022.txt").write_text(body, encoding="utf-8")
    (tmp_path / "2023.txt").write_text(body.replace("12场", "14场"), encoding="utf-8")
    other = "社区开展垃圾分类宣传,志愿者上门讲解分类方法,居民参与热情高涨。" * 3
    (tmp_path / "other.txt").write_text(other, encoding="utf-8")
    assert dedup_main([str(tmp_path), "--json", "--threshold", "0.7"]) == 0
    pairs = json.loads(capsys.readouterr().out)
    assert [(p["a"], p["b"]) for p in pairs] == [("2022.txt", "2023.txt")]
    assert 0.7 <= pairs[0]["score"] <= 1


def test_module_entry_point_runs(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    cmd = [sys.executable, "-m", "kesu.extraction", "extract", "--json", str(f)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=True)
    assert json.loads(out.stdout)[0]["value"] == 12


def test_engine_and_cli_do_not_import_django_or_heavy_readers():
    code = (
        "import sys, pkgutil, importlib\n"
        "import kesu.extraction.engine as eng\n"
        "for m in pkgutil.iter_modules(eng.__path__):\n"
        "    importlib.import_module('kesu.extraction.engine.' + m.name)\n"
        "import kesu.extraction.commands\n"
        "bad = [n for n in ('django', 'docx', 'pdfminer', 'numpy') if n in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == ""
