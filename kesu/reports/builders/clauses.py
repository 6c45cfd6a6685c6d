"""The units' own words taken apart so the office can say them once, in its own voice.

A unit's return reads “我局认真落实“开展农村实用技术培训”任务，坚持需求导向，组织农技专家……，全年开展相关活动82场（期），
参与群众11751人次。” The report needs the parts, not the paragraph: what was done (the method), what it achieved
(the result), and the unit's own counts (its reach). This module splits the text into clauses, drops the parts that
only name the task or the unit, rewrites self-references (我局、我校、本单位 …) and clusters near-duplicate clauses by
character bigram similarity, so a phrase written by five units is said once.

Pure functions over strings; no Django.
"""

import re
from dataclasses import dataclass

# How a unit refers to itself at the start of a clause. Longest first so 我中心 wins over 我中.
SELF_WORDS = ("我单位", "本单位", "我中心", "本部门", "我部门", "我局", "我委", "我办", "我部", "我会", "我院", "我馆",
              "我校", "我站", "我所", "本局", "本会", "本委", "我们")
_SELF = re.compile("|".join(re.escape(w) for w in SELF_WORDS))

# The reach clause units write after their activities: “全年开展相关活动82场（期），参与群众11751人次”.
_REACH = re.compile(r"(?:全年|上半年|下半年|本季度)?(?:共|累计)?(?:组织|开展|举办)(?:相关|各类)?活动(\d+)"
                    r"(?:场次|场（期）|场|次|期)[，、,]?(?:参与|参加|覆盖|服务|受益)群众(\d+)人次")
# Filler that introduces the task rather than says anything: “按照实施方案分工”, “结合部门职能”.
_FILLER = ("按照实施方案分工", "按照工作要求", "工作安排", "工作中还存在一些困难", "存在的困难和问题", "今年以来",
           "下一步")
# Statements that say nothing an office would repeat (“继续做好相关工作”).
_VACUOUS = re.compile(r"^(?:继续|进一步)?(?:做好|抓好|推进)(?:相关|各项)工作$|^按要求推进$")
_QUOTED = re.compile(r"“([^”]*)”")


@dataclass
class Reach:
    """A unit's own count of its activities for one task."""

    unit: str
    task: str
    events: int
    people: int


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？； (the mark dropped); quotes are kept whole."""
    out, buf, depth = [], "", 0
    for ch in " ".join((text or "").split()):
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
        if ch in "。！？；" and depth == 0:
            if buf.strip():
                out.append(buf.strip())
            buf = ""
        else:
            buf += ch
    if buf.strip():
        out.append(buf.strip())
    return out


def split_clauses(sentence: str) -> list[str]:
    """Clauses separated by “，” outside quotes and brackets."""
    out, buf, depth = [], "", 0
    for ch in sentence:
        if ch in "“（(":
            depth += 1
        elif ch in "”）)":
            depth = max(0, depth - 1)
        if ch in "，," and depth == 0:
            if buf:
                out.append(buf)
            buf = ""
        else:
            buf += ch
    if buf:
        out.append(buf)
    return out


def reach_of(text: str) -> tuple[int, int] | None:
    """The (events, people) a unit counted in its text, or None when it counted nothing."""
    match = _REACH.search(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def without_reach(text: str) -> str:
    return _REACH.sub("", text or "")


def strip_self(clause: str, unit: str = "") -> str:
    """Drop the subject the office does not repeat: the unit's own name or its self-reference at the start."""
    clause = clause.strip()
    for prefix in (unit, *SELF_WORDS):
        if prefix and clause.startswith(prefix):
            return clause[len(prefix):].lstrip("：:，,")
    return clause


def name_self(text: str, unit: str) -> str:
    """Rewrite every self-reference to the unit's name: “我局将…” → “县教育局将…”."""
    return _SELF.sub(unit, text) if unit else _SELF.sub("", text)


def has_self_reference(text: str) -> bool:
    return bool(_SELF.search(text or ""))


def names_task(clause: str, tasks: list[str]) -> bool:
    """True for a clause that only introduces a task: it quotes the task's title (or most of it)."""
    for quoted in _QUOTED.findall(clause):
        for task in tasks:
            if quoted and (quoted == task or similarity(quoted, task) >= 0.6):
                return True
    return False


def content_clauses(text: str, *, unit: str = "", tasks: list[str] = ()) -> list[str]:
    """The clauses of a text that say something: no subject, no task introduction, no reach count, no filler.

    Each returned item is a run of clauses of one sentence joined again with “，” (a method and its purpose stay
    together), so the caller can cluster and cite them as whole statements.
    """
    out = []
    for sentence in split_sentences(without_reach(text)):
        sentence = name_self(sentence, "") if sentence.startswith(SELF_WORDS) else sentence
        kept = []
        for clause in split_clauses(sentence):
            clause = _after_intro(clause, unit)
            clause = strip_self(clause, unit)
            if not clause or names_task(clause, list(tasks)) or any(f in clause for f in _FILLER):
                continue
            kept.append(clause)
        statement = "，".join(kept).strip("，：: ")
        if len(statement) >= 6 and not _VACUOUS.match(statement):
            out.append(statement)
    return out


def _after_intro(clause: str, unit: str) -> str:
    """“我局工作中还存在一些困难：基层科普经费投入不足” → “基层科普经费投入不足”: an introduction before a colon goes."""
    head, colon, tail = clause.rpartition("：")
    if colon and tail and (len(head) <= 16 or any(f in head for f in _FILLER) or has_self_reference(head)
                           or (unit and unit in head)):
        return tail
    return clause


def bigrams(text: str) -> set[str]:
    text = re.sub(r"[\s，。、；：“”‘’（）()《》,.;:]", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: 1.0 for the same wording, ≈0.6+ for a reworded same statement."""
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


@dataclass
class Cluster:
    """Statements that say the same thing, with the units that said it."""

    text: str  # the representative: the first (in plan order) of its longest variants
    units: list[str]
    size: int = 1


def cluster(statements: list[tuple[str, str]], *, threshold: float = 0.5) -> list[Cluster]:
    """Group (unit, statement) pairs whose statements are near-duplicates; the biggest cluster first.

    Greedy single pass against each cluster's representative: the inputs are a section's few dozen statements, so
    quadratic cost is nothing, and the order of the plan decides ties (deterministic output).
    """
    clusters: list[Cluster] = []
    for unit, text in statements:
        for group in clusters:
            if similarity(group.text, text) >= threshold:
                group.size += 1
                if unit and unit not in group.units:
                    group.units.append(unit)
                break
        else:
            clusters.append(Cluster(text, [unit] if unit else []))
    order = {id(c): i for i, c in enumerate(clusters)}
    return sorted(clusters, key=lambda c: (-c.size, order[id(c)]))


def weave_title(title: str) -> str:
    """A task title as the object of the office's sentence: no final stop, inner quotes made single.

    Put inside the office's own quotes (“围绕“…”组织活动”), a title's own “双减” must read ‘双减’.
    """
    return title.strip().rstrip("。；;").replace("“", "‘").replace("”", "’")


def short_title(title: str) -> str:
    """The concrete action of a task title: its last clause (“实施职业技能提升行动，开展产业工人技能培训” → “开展产业工人技能
    培训”), so a list of tasks in running text stays readable; a title starting with 将/把 keeps its whole clause."""
    parts = [p for p in split_clauses(weave_title(title)) if p]
    return parts[-1] if parts else ""


def join_names(names: list[str], *, limit: int = 3, noun: str = "个部门") -> str:
    """县教育局、团县委、县科协等5个部门 (or the names alone when there are no more than ``limit``)."""
    names = list(dict.fromkeys(n for n in names if n))
    if len(names) <= limit:
        return "、".join(names)
    return f"{'、'.join(names[:limit])}等{len(names)}{noun}"
