"""One entry point: a context in, the report in every format out."""

from dataclasses import dataclass

from .blocks import ReportDocument
from .data import ReportContext
from .document import build_document
from .docx_builder import render_docx_and_closing
from .html_builder import render_html
from .markdown_builder import render_markdown

FORMATS = ("docx", "html", "md", "pdf")


@dataclass
class RenderedReport:
    document: ReportDocument
    docx: bytes
    html: str
    markdown: str

    @property
    def text(self) -> str:
        return self.document.plain_text()


def render_all(ctx: ReportContext, *, template: bytes | None = None, with_charts: bool = True) -> RenderedReport:
    document = build_document(ctx, with_charts=with_charts)
    # The DOCX comes first: its template decides the 落款 that the HTML and Markdown versions repeat.
    docx, document.signature.lines = render_docx_and_closing(ctx, document, template)
    return RenderedReport(
        document=document,
        docx=docx,
        html=render_html(document, is_demo=ctx.is_demo),
        markdown=render_markdown(document, is_demo=ctx.is_demo),
    )
