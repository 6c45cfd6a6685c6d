"""Loading the national region list (GB/T 2260) from the data file that ships in the PyPI package ``jionlp``.

The file ``jionlp/dictionary/china_location.zip`` holds ``china_location.txt``, a tab-indented tree::

    province<TAB>code<TAB>alias
    <TAB>prefecture<TAB>code<TAB>alias
    <TAB><TAB>county<TAB>code<TAB>alias
    <TAB><TAB><TAB>township            (no code)
    <TAB><TAB><TAB><TAB>village        (no code)

Quirks handled here (each one is a node whose code equals its nearest kept ancestor's, which we make transparent):

- municipalities (北京/天津/上海/重庆) and 香港/澳门 repeat the province as a "city" with the same code, so districts
  hang off the province;
- prefectures without counties (东莞/中山/儋州/嘉峪关) have a "市直辖行政区划" node with the city's code, so their
  townships hang directly under the prefecture;
- 香港/澳门 districts all carry the province code and are dropped with it; 台湾 counties carry no code and are skipped;
- a code that repeats (two 开发区 of 平顶山 share 410471) is kept by its first node.

We locate the package without importing jionlp: importing it is slow, prints a banner and needs its NLP stack,
which `make install` leaves out (pyproject.toml says why).
"""

from __future__ import annotations

import importlib.util
import io
import os
import zipfile
from dataclasses import dataclass, field

from django.db import transaction

from kesu.core import audit

from .models import Level, Region

DATA_MEMBER = "china_location.txt"


class RegionDataMissing(RuntimeError):
    pass


@dataclass
class Node:
    name: str
    code: str  # "" for a township (the file has no township codes)
    short_name: str
    level: int
    parent: Node | None
    townships: list[Node] = field(default_factory=list)

    @property
    def path(self) -> str:
        codes = []
        node = self
        while node is not None:
            codes.append(node.code)
            node = node.parent
        return "/".join(reversed(codes)) + "/"

    @property
    def depth(self) -> int:
        depth, node = 0, self.parent
        while node is not None:
            depth, node = depth + 1, node.parent
        return depth


def data_file_path() -> str:
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise RegionDataMissing("未安装 Python 包 jionlp（区划数据），无法载入全国行政区划：请运行 make install")
    path = os.path.join(spec.submodule_search_locations[0], "dictionary", "china_location.zip")
    if not os.path.exists(path):
        raise RegionDataMissing("jionlp 中缺少区划数据文件 china_location.zip")
    return path


def read_text(path: str | None = None) -> str:
    with zipfile.ZipFile(path or data_file_path()) as archive:
        return archive.read(DATA_MEMBER).decode("utf-8")


def parse(text: str) -> list[Node]:
    """The kept nodes (provinces, prefectures, counties) in file order; townships hang on ``Node.townships``
    of the county (or prefecture without counties) they belong to."""
    nodes: list[Node] = []
    # stack[d] = the kept node that a line of file depth d+1 hangs off (transparent nodes reuse their parent)
    stack: list[Node | None] = []
    seen: dict[str, Node] = {}
    for raw in io.StringIO(text):
        if raw.startswith("\t\t\t\t"):
            continue  # villages (most of the file) are not loaded: skip them before any other work
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        file_depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip("\t").split("\t")
        del stack[file_depth:]
        parent = stack[-1] if stack else None
        if file_depth == 3:
            # "县直辖行政区划"-style lines group villages, they are not townships
            if parent is not None and parent.code and not parts[0].endswith("直辖行政区划"):
                parent.townships.append(Node(parts[0], "", "", Level.TOWNSHIP, parent))
            stack.append(None)
            continue
        code = parts[1].strip() if len(parts) > 1 else ""
        if not code or (file_depth > 0 and parent is None):
            # no code (台湾 counties) or under a dropped node: drop it and everything below
            stack.append(None)
            continue
        if parent is not None and code == parent.code:
            stack.append(parent)  # transparent repeat of the parent (municipality city, 市直辖行政区划)
            continue
        if code in seen:
            # the file gives two 开发区 of 平顶山 the same code: the first keeps it, the second's townships join it
            stack.append(seen[code])
            continue
        short_name = parts[2].strip() if len(parts) > 2 else ""
        node = Node(parts[0].strip(), code, short_name if short_name != parts[0].strip() else "",
                    Level(file_depth + 1), parent)
        nodes.append(node)
        seen[code] = node
        stack.append(node)
    return nodes


def township_code(parent_code: str, seq: int) -> str:
    return f"{parent_code}L{seq:03d}"


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    townships_created: int = 0
    townships_unchanged: int = 0
    by_level: dict = field(default_factory=dict)
    missing_townships: list = field(default_factory=list)

    def summary(self) -> str:
        levels = "，".join(f"{Level(level).label} {count}" for level, count in sorted(self.by_level.items()))
        text = f"区划共 {levels}；新建 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
        if self.townships_created or self.townships_unchanged:
            text += f"；乡镇（街道）新建 {self.townships_created}，已有 {self.townships_unchanged}"
        if self.missing_townships:
            text += f"；未找到县级区划代码：{'、'.join(self.missing_townships)}"
        return text


_FIELDS = ("name", "short_name", "level", "parent_id", "path", "depth")


@transaction.atomic
def load_regions(*, townships: list[str] | tuple = (), actor=None, text: str | None = None) -> LoadResult:
    """Create or update the provinces, prefectures and counties; with ``townships`` (county codes), also their
    townships. Idempotent: a second run creates nothing."""
    nodes = parse(text if text is not None else read_text())
    result = LoadResult()
    existing = {r.code: r for r in Region.objects.filter(is_builtin=True).only("id", "code", *_FIELDS)}
    ids: dict[str, int] = {code: r.pk for code, r in existing.items()}
    to_update: list[Region] = []
    moved: list[tuple[str, str]] = []
    # Parents before children: create level by level (tree depth), then look the new ids up by code.
    for depth in sorted({n.depth for n in nodes}):
        new = []
        for node in (n for n in nodes if n.depth == depth):
            result.by_level[node.level] = result.by_level.get(node.level, 0) + 1
            values = dict(name=node.name, short_name=node.short_name, level=int(node.level),
                          parent_id=ids[node.parent.code] if node.parent else None, path=node.path, depth=depth)
            region = existing.get(node.code)
            if region is None:
                new.append(Region(code=node.code, is_builtin=True, **values))
                continue
            changed = [f for f in _FIELDS if getattr(region, f) != values[f]]
            if not changed:
                result.unchanged += 1
                continue
            if region.path != values["path"]:
                moved.append((region.path, values["path"]))
            for name in _FIELDS:
                setattr(region, name, values[name])
            to_update.append(region)
        _guard_codes_free(new)
        Region.objects.bulk_create(new, batch_size=500)
        result.created += len(new)
        ids.update(Region.objects.filter(code__in=[r.code for r in new]).values_list("code", "id"))
    if to_update:
        Region.objects.bulk_update(to_update, list(_FIELDS), batch_size=500)
        result.updated = len(to_update)
    for old_path, new_path in moved:
        _rewrite_descendant_paths(old_path, new_path)
    if townships:
        _load_townships(nodes, townships, result)
    audit.record(actor=actor, action="regions.load", object_type="regions.region", object_id="*",
                 object_repr="全国行政区划", changes={"summary": result.summary()}, source="jionlp china_location")
    return result


def _guard_codes_free(new: list[Region]) -> None:
    """A code taken by a user-added region would break the unique index with an unreadable error; say it plainly."""
    taken = list(Region.objects.filter(code__in=[r.code for r in new]).values_list("code", "name")[:5])
    if taken:
        listed = "、".join(f"{code}（{name}）" for code, name in taken)
        raise RegionDataMissing(f"区划代码已被非国家区划占用：{listed}，请先修改这些区域的代码")


def _rewrite_descendant_paths(old_path: str, new_path: str) -> None:
    from .services import rewrite_subtree_paths

    rewrite_subtree_paths(old_path, new_path, include_root=False)


def _load_townships(nodes: list[Node], county_codes, result: LoadResult) -> None:
    """Townships of the given counties, matched by (parent, name) so re-runs and office edits are kept."""
    wanted = {str(code).strip() for code in county_codes if str(code).strip()}
    by_code = {n.code: n for n in nodes if n.code in wanted}
    result.missing_townships = sorted(wanted - set(by_code))
    parents = {r.code: r for r in Region.objects.filter(code__in=list(by_code))}
    new = []
    for code, node in by_code.items():
        parent = parents[code]
        children = {r.name: r for r in Region.objects.filter(parent=parent)}
        taken = set(Region.objects.filter(code__startswith=f"{parent.code}L").values_list("code", flat=True))
        for seq, township in enumerate(node.townships, start=1):
            if township.name in children:
                result.townships_unchanged += 1
                continue
            local = township_code(parent.code, seq)
            while local in taken:  # an office already used this code for its own township
                seq += 1000
                local = township_code(parent.code, seq)
            taken.add(local)
            children[township.name] = None
            new.append(Region(code=local, name=township.name, level=Level.TOWNSHIP, parent=parent,
                              path=f"{parent.path}{local}/", depth=parent.depth + 1, is_builtin=False, sort=seq))
    Region.objects.bulk_create(new, batch_size=500)
    result.townships_created = len(new)
