"""``kesu report``: writes the file in the asked format; bad input is a Chinese message and a non-zero exit."""

import io

import pytest
from docx import Document

from kesu.cli import main

pytestmark = pytest.mark.django_db


def test_report_to_docx_and_markdown(regions, fixture_context, tmp_path, capsys):
    target = tmp_path / "渠县2026.docx"
    assert main(["report", "--region", "511725", "--period", "2026", "--kind", "年度工作总结", "-o", str(target),
                 "--no-charts"]) == 0
    assert Document(io.BytesIO(target.read_bytes())).paragraphs[0].text == "渠县2026年全民科学素质工作总结"
    assert "已生成《渠县2026年全民科学素质工作总结》" in capsys.readouterr().out
    md = tmp_path / "out.txt"
    assert main(["report", "--region", "511725", "--period", "2026S1", "--kind", "半年进展", "--format", "md",
                 "-o", str(md), "--no-charts"]) == 0
    assert md.read_text(encoding="utf-8").startswith("# 渠县2026年上半年全民科学素质工作进展情况报告")


@pytest.mark.parametrize("args, message", [
    (["--region", "999999", "--period", "2026"], "区划代码“999999”不存在"),
    (["--region", "511725", "--period", "2026", "--kind", "年终总结"], "报告类型“年终总结”不存在"),
    (["--region", "511725", "--period", "去年"], "报告期“去年”格式不正确"),
])
def test_bad_input_is_named(regions, fixture_context, tmp_path, capsys, args, message):
    assert main(["report", *args, "-o", str(tmp_path / "x.docx")]) != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()
