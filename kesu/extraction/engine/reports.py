"""The reports of a page, and for each: whose report it is, which period it covers, and whether it is a copy.

A page may stack several reports (``split.split_documents``); compilation sites often repeat one of them with small
changes, so near-duplicate reports and sections are found (same shingles as ``dedup``) and linked to the first copy.

Region and period are read from what a report says about itself, in order of strength, and every finding keeps its
evidence (the words and their offsets) so a reviewer can check it:

* region — a place name in the title (``渠县2023年…总结``), the issuing body (``××县科协``), then the self-references
  of the body (``我市``/``全县``/``本区`` …), which give the *level* of the region even when no name is written;
* period — years in the title or the opening (``2023年``, ``2021—2023年``, ``2021年至2023年``), a half year
  (``上半年``), and multi-year spans (``两年来``, ``“十三五”期间``, ``近三年``).

A fact's own clause can name another place (``其中宣汉县举办…``): that fact is about another region or a part of
this one, and ``place_of_fact`` returns the name so the app keeps it apart from the report's own figures.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from .numerals import parse_chinese
from .split import split_documents, split_sections

# Level words, from the self-references a report uses for its own region.
LEVELS = {"国": "national", "省": "province", "自治区": "province", "市": "city", "州": "city", "盟": "city", "县": "county",
          "区": "county", "旗": "county", "镇": "town", "乡": "town", "街道": "town"}
SELF_REF = re.compile(r"(?:我|全|本|该)(国|省|自治区|市|州|盟|县|区|旗|镇|乡|街道)(?![长委政府级域内外])"
                      r"(?!科普示范|示范|先进|优秀|文明|百强|十佳)")
# 我市/本县 can only mean the writer's own region; 全国/全省 also name wider things a report mentions (全国100名…).
_OWN_WEIGHT = {"我": 3, "本": 3}
# A place name: 2–8 Han characters ending in an administrative suffix. The lazy prefix keeps "四川省达州市" as two.
PLACE = re.compile(r"([\u4e00-\u9fff]{1,7}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗|镇|乡|街道))"
                   r"(?![市县区政场民委级域内外情长容貌])(?![、和与及]\s*[省市州县区旗镇乡])")
# A suffix closing a common noun, not a place (社区, 园区, 景区, 开发区 …).
NOT_PLACE_END = re.compile(r"(?:社|园|景|城|小|辖|片|校|矿|林|垦|库|牧|灾|疫|郊|山|厂|街|营|展|赛|分|专|学|地|选|"
                           r"开发|示范|试验|功能|保护|风景)区$")
# Words before a name that are no part of it (按照市、县的部署, 关于渠县…).
FUNCTION_PREFIX = re.compile(r"^(?:按照|根据|关于|依照|对于|为了|由于|经过|通过|在|对|由|为|和|与|及|向|从|据|将|让|使)")
# Words that end in a suffix but are not places ("城区", "社区", "园区", "辖区", "全市" …).
NOT_PLACE = re.compile(r"^(?:[全我本该各市县区省镇乡]|城|社|园|辖|景|街|小|新城|开发|试验|示范|功能|老|山|库|牧|"
                       r"片|校|厂|矿|林|垦|灾|疫|重点|贫困|边|特|老城|主城)")
BODY = re.compile(r"((?:[\u4e00-\u9fff]{2,8}?(?:省|市|州|县|区|旗|镇|乡))(?:科学技术协会|科协|人民政府|政府|"
                  r"科技局|教育局|办公室|全民科学素质|科普))")
YEAR = r"(?:19[5-9]\d|20\d\d)"
YEAR_RANGE = re.compile(rf"({YEAR})\s*(?:年)?\s*(?:[-—–~～至到]|—{{2}})\s*({YEAR})\s*年")
# A year the report is about: not a target (到2025年), a starting point (从2015年的), a source's date (2023年发布的),
# nor a full date (2025年12月31日: a page's publication date, weaker evidence, see DATE).
YEAR_ONE = re.compile(rf"(?<![从由比较])(?<![到至](?={YEAR}\s*年[^的]))({YEAR})\s*年(?!\s*[-—–~～至到]\s*{YEAR})"
                      r"(?!\s*\d{1,2}\s*月\s*\d{1,2}\s*日)(?!发布|印发|出台|颁布|远景|以前|底前|末前)"
                      r"(?!前(?![一二三两]季度|[一二三四五六七八九十]个月))")  # 2025年前 is a deadline, 2024年前三季度 is not
DATE = re.compile(rf"(?<!\d)({YEAR})(?:[-/.](?:0?[1-9]|1[0-2])[-/.]\d{{1,2}}|\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)")
HALF = re.compile(r"上半年|下半年|第[一二三四1-4]季度|前三季度|一季度|二季度|三季度|四季度|"
                  r"(?<!\d)1\s*(?:[-—–~～至到]|—{2})\s*(?:[1-9]|1[01])\s*月(?:份)?")
# A year in Chinese numerals (二〇二三年, 二零二三年), as formal documents write it: read digit for digit (1:1).
HAN_YEAR = re.compile(r"[一二][〇○零一二三四五六七八九]{3}(?=\s*年)")
_HAN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
SPAN = re.compile(r"(?<![\d〇零一二三四五六七八九十])(近|这|过去)?([两二三四五六七八九十\d]{1,2})\s*年(?:来|以来|间|中)|“?十[一二三四五六]五”?(?:期间|以来|时期)")
FIVE_YEAR_PLAN = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
                  "十五五": (2026, 2030)}
HEAD_CHARS = 400  # the opening that states what a report is about


def _evidence(text: str, start: int, end: int, offset: int) -> dict:
    return {"text": text[start:end], "start": start + offset, "end": end + offset}


def _is_place(name: str, min_core: int = 2) -> bool:
    core = re.sub(r"(?:自治区|自治州|自治县|街道|省|市|州|盟|县|区|旗|镇|乡)$", "", name)
    return len(core) >= min_core and not NOT_PLACE.match(name) and not NOT_PLACE_END.search(name) and \
        not FUNCTION_PREFIX.match(name) and not re.search(
        r"[年月日号第个個名次项下办邀政请诚位]|科普|科协|活动|工作", name)


def places_in(text: str, gazetteer: Gazetteer | None = None) -> list[re.Match]:
    """Place names in ``text``: known names when a gazetteer is given, else anything shaped like one (titles)."""
    if gazetteer is not None:
        return gazetteer.find(text)
    found: list[re.Match] = []
    for m in PLACE.finditer(text):
        # A one-character name (渠县) only where nothing can be glued to it: at the start of a run of Han characters
        # (the title's start, after a colon or a space), or right after a place (达州市渠县).
        chained = m.start() == 0 or not "\u4e00" <= text[m.start() - 1] <= "\u9fff" or bool(
            found and found[-1].end() == m.start())
        if _is_place(m.group(1), 1 if chained else 2):
            found.append(m)
    return found


_SUFFIX = re.compile(r"(?:自治区|自治州|自治县|街道|省|市|州|盟|县|区|旗|镇|乡)$")


class Gazetteer:
    """The region names a document can speak of (its region, the ones above and below it, its neighbours).

    Matching known names, not name-shaped strings, is what tells "通川区" from "建成科普示范乡": free text is full of
    words ending in 区/乡/县. Two-character-or-longer short forms (达州 for 达州市) match too.
    """

    def __init__(self, names: list[str]):
        forms: dict[str, str] = {}
        for name in names:
            if not name:
                continue
            forms.setdefault(name, name)
            short = _SUFFIX.sub("", name)
            if len(short) >= 2 and short != name:
                forms.setdefault(short, name)
        self.canonical = forms
        alternatives = sorted(forms, key=len, reverse=True)
        self.rx = re.compile("(" + "|".join(map(re.escape, alternatives)) + ")") if alternatives else None

    def find(self, text: str) -> list[re.Match]:
        return list(self.rx.finditer(text)) if self.rx else []

    def name(self, match_text: str) -> str:
        return self.canonical.get(match_text, match_text)


PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:[xX×Ｘｘ]{1,3}|某)(省|市|县|区|镇|乡)")
_RANK = {"national": 0, "province": 1, "city": 2, "county": 3, "town": 4}


# What a masthead may hold besides the body's name: separators and the words of a site's banner.
_MASTHEAD_FILL = re.compile(r"(?:[\s|｜·•\-—]|门户网站|官方网站|网站|官网|主办|欢迎您|欢迎访问)*")


def _issuing_body(head: str, body: str, gazetteer: Gazetteer | None) -> tuple[str, int, int] | None:
    """The body issuing the report, named at the start or the end: ``(place name, start, end)`` in ``body``.

    A line made of nothing but a body's name (often twice: the logo's text and its alt text) is the site's masthead:
    a county-level city's news sits under its parent city's 科协 header, so a body named in the headline or the
    prose comes first and the masthead counts only when nothing else names one.
    """
    searched = head + body[-HEAD_CHARS:] if len(body) > HEAD_CHARS else head
    masthead = None
    for m in BODY.finditer(searched):
        place = places_in(m.group(1), gazetteer) or places_in(m.group(1))
        if not place:
            continue
        pos = m.start() if m.start() < len(head) else len(body) - HEAD_CHARS + m.start() - len(head)
        found = (gazetteer.name(place[0].group(1)) if gazetteer else place[0].group(1), pos, pos + len(m.group(1)))
        line_start = searched.rfind("\n", 0, m.start()) + 1
        line_end = searched.find("\n", m.end())
        if not is_masthead(searched[line_start:len(searched) if line_end < 0 else line_end]):
            return found
        masthead = masthead or found
    return masthead


def is_masthead(line: str) -> bool:
    """A line made of nothing but a body's name (once or twice): a site's header, not a headline."""
    return bool(BODY.search(line)) and bool(_MASTHEAD_FILL.fullmatch(BODY.sub("", line)))


_ENDS_IN_SELF_REF = re.compile(r"[全我本该各此](?:自治区|省|市|州|县|区|旗|镇|乡|街道)$")  # 来自全省 is no name


def _sole_place_of_level(body: str, level: str, gazetteer: Gazetteer | None) -> re.Match | None:
    """The one place of the report's level named in its body, when the opening names it and no other of that level."""
    def full(m: re.Match) -> str:  # a short form (达州) counts as the name it stands for (达州市)
        return gazetteer.name(m.group(1)) if gazetteer else m.group(1)

    same = [m for m in places_in(body, gazetteer) if not _ENDS_IN_SELF_REF.search(m.group(1))
            and next((lv for word, lv in LEVELS.items() if full(m).endswith(word)), None) == level]
    return same[0] if len({full(m) for m in same}) == 1 and same[0].start() < HEAD_CHARS else None


def _level_of(name: str) -> str | None:
    return next((lv for word, lv in LEVELS.items() if name.endswith(word)), None)


def _own_level(body: str) -> str | None:
    """The level the body's 我县/本市 … speak of most (全县 and the like are not counted: they also name others)."""
    counts: dict[str, int] = {}
    for m in SELF_REF.finditer(body):
        if m.group(0)[0] in _OWN_WEIGHT:
            counts[LEVELS[m.group(1)]] = counts.get(LEVELS[m.group(1)], 0) + 1
    return max(counts, key=counts.get) if counts else None


def _title_place(found: list[re.Match], own_level: str | None, gazetteer: Gazetteer | None) -> re.Match | None:
    """The title's place that is the report's: of the level its body calls 我县/我市 when the title names one (达州市科协：
    渠县…), else the last of the chain the title opens with (四川省达州市渠县 → 渠县), else the first."""
    if not found:
        return None
    full = [gazetteer.name(m.group(1)) if gazetteer else m.group(1) for m in found]
    same = [m for m, name in zip(found, full, strict=True) if own_level and _level_of(name) == own_level]
    if same:
        return same[0]
    chain = found[0]
    for m in found[1:]:
        if m.start() != chain.end():
            break
        chain = m
    return chain


def detect_region(title: str, body: str, offset: int = 0, title_offset: int = 0,
                  gazetteer: Gazetteer | None = None) -> dict:
    """``{"name", "level", "evidence": [...]}`` — what the report says its region is (name or level may be None)."""
    evidence: list[dict] = []
    name = level = None
    from_body = False
    from .normalize import fold

    # With a gazetteer only known names count: free titles are full of name-shaped words (影音市政, 按照市…).
    # Folded (渠縣 reads as 渠县; 1:1, offsets unchanged); a masthead names the site's owner, not the report's region.
    folded_title = "" if is_masthead(title) else fold(title)
    own_level = _own_level(fold(body))
    if m := _title_place(places_in(folded_title, gazetteer), own_level, gazetteer):
        name = gazetteer.name(m.group(1)) if gazetteer else m.group(1)
        evidence.append({"kind": "标题中的地名", **_evidence(title, *m.span(1), title_offset)})
    head = body[:HEAD_CHARS]
    if name is None and (issuer := _issuing_body(head, body, gazetteer)):
        name, pos, end = issuer
        evidence.append({"kind": "发文单位", **_evidence(body, pos, end, offset)})
        from_body = True
    counts: dict[str, int] = {}
    first: dict[str, re.Match] = {}
    weights: dict[str, int] = {}
    for m in SELF_REF.finditer(fold(body)):  # 1:1: 我國 counts as 我国, offsets unchanged
        lv = LEVELS[m.group(1)]
        counts[lv] = counts.get(lv, 0) + 1
        weights[lv] = weights.get(lv, 0) + _OWN_WEIGHT.get(m.group(0)[0], 1)
        first.setdefault(lv, m)
    own_in_title = next((LEVELS[m.group(1)] for m in SELF_REF.finditer(title) if m.group(0)[0] in _OWN_WEIGHT), None)
    if own_in_title in counts:  # 我省…进京参加: the title says whose report it is, whatever the body counts
        weights[own_in_title] += 1000
    if counts:
        level = max(counts, key=lambda lv: (weights[lv], -first[lv].start()))
        m = first[level]
        evidence.append({"kind": f"自称（{counts[level]} 处）", **_evidence(body, *m.span(), offset)})
    if level is None and name is None and (m := PLACEHOLDER.search(body[:HEAD_CHARS])):
        # 范文 sites blank the name out (x县, XX市): the level is still the report's.
        level = LEVELS[m.group(1)]
        evidence.append({"kind": "隐去名称的地名", **_evidence(body, *m.span(), offset)})
    if name is not None:
        suffix_level = next((lv for word, lv in LEVELS.items() if name.endswith(word)), None)
        if from_body and level and suffix_level and _RANK[suffix_level] > _RANK[level]:
            # A county 科协 co-hosting a forum of 全省: the body named is a participant, the report is the wider region's.
            evidence = [e for e in evidence if e["kind"] != "发文单位"]
            name = None
        else:
            level = suffix_level or level
    if name is None and level is not None and (only := _sole_place_of_level(body, level, gazetteer)):
        # A yearbook entry names its province once in the prose (云南省最早的…), then says 全省.
        name = gazetteer.name(only.group(1)) if gazetteer else only.group(1)
        evidence.append({"kind": "正文中唯一的同级地名", **_evidence(body, *only.span(1), offset)})
    return {"name": name, "level": level, "evidence": evidence}


def _span_years(m: re.Match) -> int | None:
    if m.group(0).lstrip("“").startswith("十"):
        return None
    raw = m.group(2)
    if raw.isdigit():
        return int(raw)
    parsed = parse_chinese(raw.replace("两", "二"))
    return int(parsed[0]) if parsed else None


def detect_period(title: str, body: str, offset: int = 0, title_offset: int = 0) -> dict:
    """``{"years": [first, last] | None, "part": "上半年"|…|"", "span": "两年来"|…|"", "evidence": [...]}``."""
    from .normalize import fold

    evidence: list[dict] = []
    years = None
    part = span = ""
    year_paragraph_end = None  # where the body's paragraph stating the year ends
    year_in_title = False

    def read(text: str) -> str:  # 1:1, offsets unchanged: 從/由 read as 从/由, 二〇二三年 as 2023年
        return HAN_YEAR.sub(lambda m: m.group(0).translate(_HAN_DIGITS), fold(text))

    # (where, the text as read, the text as written — evidence quotes the page —, offset of the text in the page)
    sources = [("标题", read(title), title, title_offset), ("开头", read(body[:HEAD_CHARS]), body[:HEAD_CHARS], offset)]
    for source, text, written, base in sources:
        m = YEAR_RANGE.search(text) or YEAR_ONE.search(text)
        if m:
            years = [int(m.group(1)), int(m.group(m.lastindex))]
            evidence.append({"kind": f"{source}中的年份", **_evidence(written, *m.span(), base)})
            year_in_title = source == "标题"
            if source == "开头":
                year_paragraph_end = text.find("\n", m.end())
                year_paragraph_end = len(text) if year_paragraph_end < 0 else year_paragraph_end
            break
    for source, text, written, base in sources:
        m = DATE.search(text) if years is None else None
        if m:  # a news page's date: the year its events happened, when nothing else says
            years = [int(m.group(1))] * 2
            evidence.append({"kind": f"{source}中的日期", **_evidence(written, *m.span(), base)})
            break
    for source, text, written, base in sources:
        m = HALF.search(text)
        if m and not part:
            part = m.group(0)
            evidence.append({"kind": f"{source}中的时段", **_evidence(written, *m.span(), base)})
        m = SPAN.search(text)
        if m and year_paragraph_end is not None and source == "开头" and m.start() > year_paragraph_end:
            m = None  # 近10年来 in a later paragraph is one figure's period (a quoted official's), not the report's
        if m and not span:
            span = m.group(0).strip("“”")
            evidence.append({"kind": f"{source}中的跨年表述", **_evidence(written, *m.span(), base)})
            plan = next((v for k, v in FIVE_YEAR_PLAN.items() if k in span), None)
            n = _span_years(m)
            if plan and (years is None or years[0] == years[1]):
                years = list(plan)
            elif n and years and years[0] == years[1] and n > 1 and not (year_in_title and source == "开头"):
                # A year the title states (2023年工作总结) is the report's: 三年来 in its body is one figure's span.
                years = [years[1] - n + 1, years[1]]
    return {"years": years, "part": part, "span": span, "evidence": evidence}


def _duplicates(texts: list[str], threshold: float) -> dict[int, tuple[int, float]]:
    """Index of each report that repeats an earlier one → (the earlier one, overlap score)."""
    from .dedup import shingle_hashes, similarity

    if len(texts) < 2:
        return {}
    hashes = [shingle_hashes(t) for t in texts]
    out: dict[int, tuple[int, float]] = {}
    for j in range(1, len(texts)):
        for i in range(j):
            if i in out:
                continue
            score, _ = similarity(hashes[i], hashes[j])
            if score >= threshold:
                out[j] = (i, round(float(score), 3))
                break
    return out


def _copied_sections(text: str, reports: list[dict], threshold: float, min_chars: int = 80) -> list[dict]:
    """Sections of a kept report that repeat a section of an earlier report: ``{"start","end","of_start","of_end"}``."""
    from .dedup import shingle_hashes, similarity

    seen: list[tuple[int, int, int, object]] = []  # (report index, start, end, hashes)
    copies = []
    for k, rep in enumerate(reports):
        if rep["duplicate_of"] is not None:
            continue
        secs = [s for s in split_sections(text[rep["start"]:rep["end"]], rep["start"]) if s.level <= 2]
        for sec in secs:
            if sec.end - sec.start < min_chars:
                continue
            h = shingle_hashes(text[sec.start:sec.end])
            match = next(((s, e) for r, s, e, oh in seen if r != k and similarity(oh, h)[0] >= threshold), None)
            if match:
                copies.append({"start": sec.start, "end": sec.end, "of_start": match[0], "of_end": match[1]})
            else:
                seen.append((k, sec.start, sec.end, h))
    return copies


def read_reports(text: str, threshold: float = 0.8, places: list[str] | None = None) -> dict:
    """The reports of a page with region, period and copies; and the copied sections of kept reports."""
    gazetteer = Gazetteer(places) if places else None
    reports = []
    for doc in split_documents(text):
        body = text[doc.start:doc.end]
        title_end = body.find("\n")
        title_end = len(body) if title_end < 0 else title_end
        title = body[:title_end]
        reports.append({"start": doc.start, "end": doc.end, "title": (doc.title or title.strip())[:200],
                        "region": detect_region(title, body, doc.start, doc.start, gazetteer),
                        "period": detect_period(title, body, doc.start, doc.start),
                        "duplicate_of": None, "duplicate_score": None})
    if not reports:
        reports = [{"start": 0, "end": len(text), "title": "", "region": detect_region("", text, gazetteer=gazetteer),
                    "period": detect_period("", text), "duplicate_of": None, "duplicate_score": None}]
    for j, (i, score) in _duplicates([text[r["start"]:r["end"]] for r in reports], threshold).items():
        reports[j]["duplicate_of"], reports[j]["duplicate_score"] = i, score
    return {"reports": reports, "copied_sections": _copied_sections(text, reports, threshold)}


def report_index(reports: list[dict]):
    """Position → index of the report holding it (the last report starting at or before it)."""
    starts = [r["start"] for r in reports]

    def find(pos: int) -> int:
        return max(0, bisect_right(starts, pos) - 1)

    return find


_CLAUSE_END = re.compile(r"[。；;！？!?\n]")


def place_of_fact(text: str, start: int, own: str | None, gazetteer: Gazetteer | None) -> dict | None:
    """A known place named in the fact's clause before the number that is not the report's own region."""
    if gazetteer is None:
        return None
    lo = max(0, start - 60)
    window = text[lo:start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(window)), default=0)
    own_core = re.sub(r"(?:省|市|州|县|区|旗|镇|乡)$", "", own or "")
    found = None
    for m in gazetteer.find(window[cut:]):
        name = gazetteer.name(m.group(1))
        if own and (name == own or (own_core and name.startswith(own_core))):
            continue
        found = {"name": name, "start": lo + cut + m.start(1), "end": lo + cut + m.end(1)}
    return found
