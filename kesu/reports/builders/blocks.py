"""A report as a list of blocks, the one shape that the DOCX, HTML and Markdown writers all render.

A paragraph is a list of runs; a run that shows a figure carries the figure, so the HTML view can link it to its
source and the tests can check that the printed text equals the formatted value.
"""

from dataclasses import dataclass, field

from .data import Figure


@dataclass
class Run:
    text: str
    figure: Figure | None = None
    href: str = ""  # a link that is not a figure (a meeting, a document, a narrative)


@dataclass
class Title:
    text: str


@dataclass
class Heading:
    level: int  # 1 一、 2 （一） 3 1. 4 （1）
    number: str
    text: str

    @property
    def full_text(self) -> str:
        return f"{self.number}{self.text}"


@dataclass
class Paragraph:
    runs: list[Run] = field(default_factory=list)
    indent: bool = True  # first-line indent of two characters

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Cell:
    text: str
    href: str = ""
    figure: Figure | None = None


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    widths: list[float] = field(default_factory=list)  # relative column widths; even when empty
    note: str = ""


@dataclass
class Chart:
    caption: str
    png: bytes
    alt: str = ""


@dataclass
class ClosingLine:
    """One line of the 落款 as the DOCX template lays it out, so the HTML and Markdown show the same 落款."""

    text: str
    align: str = "right"  # left | center | right
    right_em: float = 0.0  # right indent in characters of the body size
    left_em: float = 0.0


@dataclass
class Signature:
    office: str
    date_text: str
    lines: list[ClosingLine] = field(default_factory=list)  # filled from the DOCX when it is rendered

    @property
    def closing(self) -> list[ClosingLine]:
        return self.lines or [ClosingLine(self.office), ClosingLine(self.date_text)]


Block = Title | Heading | Paragraph | Table | Chart | Signature


@dataclass
class ReportDocument:
    """The written report: a title, the opening paragraph, the body blocks and the signature."""

    title: str
    opening: Paragraph
    body: list[Block]
    signature: Signature
    kind: str
    chart_problem: str = ""  # why the report's charts could not be drawn; said in the UI and the CLI

    def all_blocks(self) -> list[Block]:
        return [Title(self.title), self.opening, *self.body, self.signature]

    def plain_text(self) -> str:
        """The report as text, one block a line: what versions are compared by."""
        lines = []
        for block in self.all_blocks():
            lines.extend(block_text(block))
        return "\n".join(lines) + "\n"

    def figure_runs(self) -> list[Run]:
        runs = [r for r in self.opening.runs if r.figure is not None]
        for block in self.body:
            if isinstance(block, Paragraph):
                runs.extend(r for r in block.runs if r.figure is not None)
        return runs


def block_text(block) -> list[str]:
    if isinstance(block, Title):
        return [block.text]
    if isinstance(block, Heading):
        return [block.full_text]
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Table):
        lines = [block.caption, " | ".join(block.columns)]
        lines += [" | ".join(c.text for c in row) for row in block.rows]
        return lines + ([block.note] if block.note else [])
    if isinstance(block, Chart):
        return [f"[图] {block.caption}"]
    if isinstance(block, Signature):
        return [line.text for line in block.closing]
    return []
