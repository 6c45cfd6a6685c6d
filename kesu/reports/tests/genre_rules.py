"""Rules of the genre the written reports are judged by, written for this project from the structure and phrasing
of 公文-style annual summaries, work reports, self-checks and progress reports.

A report is the office's synthesis: it says each statement once, in its own voice, and does not paste the units'
returns. These are the properties checked on every generated report (see test_report_text.py).
"""

# A sentence this long or longer said twice is a repetition (shorter ones, “自评：已完成”, are the genre's labels).
MIN_SENTENCE = 12
# A clause this long said twice is a stock phrase pasted per unit.
MIN_CLAUSE = 16

# Clauses a compilation of unit returns repeats for every unit; the office pools them.
STOCK_CLAUSES = ("开展相关活动", "工作中还存在一些困难", "按照实施方案分工")

# Leftovers of the units' own texts: a unit's name followed by its own words, a quoted task title opening with the
# verb that introduced it (“将“将…”列入”, “落实“落实…”任务”).
LEFTOVERS = (r"：我", r"将“将", r"落实“落实", r"推进“推进", r"“[^”]{0,3}“")

# The same region and year told as a 工作汇报 and as a 工作总结 share figures, not text: the Jaccard similarity of
# their prose's five-character shingles (the usual measure of text reuse) stays well below 1.0, which is what a
# 汇报 that differs from the 总结 only in its title and one phrase scores.
MAX_GENRE_SIMILARITY = 0.6
SHINGLE = 5


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    text = "".join(ch for ch in text if ch not in " \n，。、；：“”（）")
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def reuse(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' shingles: 1.0 for the same text, 0 for texts sharing no phrase."""
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y) if x | y else 1.0
