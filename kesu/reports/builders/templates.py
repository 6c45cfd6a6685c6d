"""The built-in docxtpl templates and the fields a template may use.

An office downloads a built-in template, edits wording and layout in Word or WPS and uploads it for its region and
report kind. The template holds the page set-up, the styles, the title, the opening and the signature; the report's
body (``{{p body }}``) is written by kesu. ``python -m kesu.reports.builders.templates`` rewrites the shipped files.
"""

import io
import re
from dataclasses import dataclass
from pathlib import Path

from docx import Document

from . import gbt9704, kinds

DIRECTORY = Path(__file__).resolve().parent.parent / "docx_templates"

# Every field a template may use, with its meaning (shown on the template page).
FIELDS = {
    "title": "报告标题，如“渠县2026年全民科学素质工作总结”",
    "opening": "开头段落（依据、报告期、主要成效）",
    "headline": "主要成效一句话（可能为空）",
    "body": "正文（一、主要工作及成效 …… 三、下步打算），须写作 {{p body }}",
    "office_name": "落款单位",
    "date": "成文日期，如 2026年7月9日",
    "date_cn": "成文日期（汉字），如 二〇二六年七月九日",
    "region_name": "区域名称",
    "period_label": "报告期，如 2026年、2026年上半年",
    "year": "年度",
    "kind_label": "报告类型，如 年度工作总结",
    "plan_title": "实施方案名称",
    "framework_name": "纲要名称",
    "is_demo": "是否演示数据（真/假）",
}
REQUIRED = ("body",)


def path_for(kind: str) -> Path:
    return DIRECTORY / f"{kind}.docx"


def build_template(kind: str) -> bytes:
    """The built-in template of ``kind``: GB/T 9704 page and styles, title, opening, body, signature."""
    document = Document()
    gbt9704.set_styles(document)
    for section in document.sections:
        gbt9704.set_page(section)
    gbt9704.set_page_numbers(document)
    gbt9704.set_font_fallbacks(document)
    body = document.element.body
    for paragraph in list(document.paragraphs):
        body.remove(paragraph._p)

    def add(text: str, style_id: str):
        paragraph = document.add_paragraph(text)
        gbt9704.set_paragraph_style(paragraph, style_id)
        return paragraph

    add("{{ title }}", "KesuTitle")
    add("", "KesuBody")  # a blank line between title and text, as 公文 leave it
    if kind == kinds.STATISTICS:
        add("{{ opening }}", "KesuBody")
    else:
        add("{{ opening }}", "KesuBody")
    add("{{p body }}", "KesuBody")
    add("", "KesuBody")
    add("", "KesuBody")
    add("{{ office_name }}", "KesuSignature")
    add("{{ date }}", "KesuSignature")
    document.core_properties.title = f"科素 内置模板：{kinds.LABELS[kind]}"
    document.core_properties.author = "科素"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def builtin_template(kind: str) -> bytes:
    path = path_for(kind)
    return path.read_bytes() if path.exists() else build_template(kind)


@dataclass
class TemplateProblem:
    message: str
    field: str = ""


def template_paragraphs(data: bytes) -> list[str]:
    """The template's paragraphs as text, runs joined, where Jinja tags live (body, tables, headers, footers)."""
    document = Document(io.BytesIO(data))
    texts = ["".join(node.text or "" for node in p.iter() if node.tag.endswith("}t"))
             for p in document.element.body.iter() if p.tag.endswith("}p")]
    for section in document.sections:
        for part in (section.header, section.footer):
            texts += [p.text for p in part.paragraphs]
    return texts


_OPEN = re.compile(r"{{|{%")


def _tags(paragraph: str) -> list[tuple[str, bool]]:
    """(tag, closed) for each ``{{ … }}`` / ``{% … %}`` of a paragraph; an unclosed one runs to the paragraph's end."""
    tags = []
    for match in _OPEN.finditer(paragraph):
        close = "}}" if match.group() == "{{" else "%}"
        end = paragraph.find(close, match.end())
        following = _OPEN.search(paragraph, match.end())
        if end == -1 or (following and following.start() < end):
            stop = following.start() if following else len(paragraph)
            tags.append((paragraph[match.start():stop].strip(), False))
        else:
            tags.append((paragraph[match.start():end + 2], True))
    return tags


def check_template(data: bytes) -> list[TemplateProblem]:
    """Problems that would make the template fail or leave a field unfilled, each naming the field."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment, TemplateSyntaxError

    try:
        paragraphs = template_paragraphs(data)
    except Exception:  # noqa: BLE001 - python-docx raises many kinds on a file that is not a DOCX
        return [TemplateProblem("文件不是有效的 Word（.docx）文档，无法打开。")]
    problems: list[TemplateProblem] = []
    env = Environment()
    for paragraph in paragraphs:
        for tag, closed in _tags(paragraph):
            if not closed:
                problems.append(TemplateProblem(f"字段“{tag}”没有闭合（缺少 }}}} 或 %}}）。", field=tag))
                continue
            if tag.startswith("{%"):
                continue  # block tags only make sense together; the whole template is parsed below
            candidate = re.sub(r"^{{\s*[pr]\s+", "{{ ", tag)  # docxtpl's {{p x }} and {{r x }}
            try:
                env.parse(candidate)
            except TemplateSyntaxError as exc:
                problems.append(TemplateProblem(f"字段“{tag}”语法错误：{exc.message}", field=tag))
    if problems:
        return problems
    try:
        names = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(jinja_env=env)
    except TemplateSyntaxError as exc:
        blocks = [t for p in paragraphs for t, _ in _tags(p) if t.startswith("{%")]
        hint = f"，请检查“{'”“'.join(blocks[:3])}”" if blocks else ""
        return [TemplateProblem(f"模板语法错误：{exc.message}{hint}", field=blocks[0] if blocks else "")]
    except Exception as exc:  # noqa: BLE001 - docxtpl and Jinja raise many kinds on a malformed template; name it
        return [TemplateProblem(f"模板无法解析：{exc}")]
    for name in sorted(set(names) - set(FIELDS)):
        problems.append(TemplateProblem(f"未知字段“{{{{ {name} }}}}”：可用字段为 {', '.join(FIELDS)}。", field=name))
    text = "\n".join(paragraphs)
    for name in REQUIRED:
        if not re.search(r"{{\s*p\s+" + name + r"\s*}}", text):
            problems.append(TemplateProblem(f"模板缺少正文字段“{{{{p {name} }}}}”（须单独成段）。", field=name))
    return problems


def write_builtin_templates() -> list[Path]:
    DIRECTORY.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, _label, _suffix in kinds.KINDS:
        path = path_for(kind)
        path.write_bytes(build_template(kind))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_builtin_templates():
        print(written_path.name)
