"""Near-duplicate detection across a collection of documents (or sections).

Reports are often last year's report with the year changed.  We compare documents by
the Jaccard similarity of their character 5-gram sets, estimated with MinHash and
narrowed with LSH banding so that only candidate pairs are compared exactly — the work
grows with the number of documents, not with its square.

* shingles: 5-grams of the normalised text with whitespace and punctuation removed;
  hashed with a vectorised polynomial hash over the UTF-32 code points (numpy), so a
  3,000-character document costs a few array operations, not 3,000 Python calls;
* MinHash: 128 multiply-shift hash functions over the shingle hashes;
* LSH: 42 bands × 3 rows, which catches pairs with Jaccard ≥ 0.45 with probability
  ≈ 0.98; candidates are then scored exactly on their shingle sets;
* score: the overlap coefficient |A∩B| / min(|A|, |B|), so that a truncated or extended
  copy (one report pasted again without its last sections) still scores near 1; the
  Jaccard index is reported alongside;
* differences: a sentence-level diff (difflib) of each reported pair, so a reviewer sees
  the passages that changed ("2017年" → "2018年").

numpy is imported lazily: only de-duplication needs it.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .normalize import fold

SHINGLE = 5
NUM_PERM = 128
BANDS = 42
ROWS = 3
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_SENTENCE = re.compile(r"[^。!?;！？；\n]+[。!?;！？；]?")


@dataclass
class DuplicatePair:
    a: str
    b: str
    score: float
    jaccard: float = 0.0
    differences: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "score": round(self.score, 4), "jaccard": round(self.jaccard, 4),
                "differences": self.differences}


def _prepare(text: str) -> str:
    return _DROP.sub("", fold(text))


def shingle_hashes(text: str):
    """Sorted unique 64-bit hashes of the character 5-grams of ``text`` (numpy array)."""
    import numpy as np

    s = _prepare(text)
    if len(s) < SHINGLE:
        s = s + "\0" * (SHINGLE - len(s))
    codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - SHINGLE + 1
    h = np.zeros(n, dtype=np.uint64)
    base = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        for j in range(SHINGLE):
            h = h * base + codes[j:j + n]
        h ^= h >> np.uint64(29)
    return np.unique(h)


def _permutations():
    import numpy as np

    rng = np.random.default_rng(20240521)  # fixed: signatures must be comparable across runs
    a = rng.integers(0, np.iinfo(np.uint64).max, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, np.iinfo(np.uint64).max, size=NUM_PERM, dtype=np.uint64)
    return a, b


def minhash(hashes, perms):
    """128-value MinHash signature of a shingle-hash array.

    Multiply-shift hashing ((a·x + b) mod 2^64, top 32 bits) lets numpy's wrapping
    uint64 arithmetic do the modular reduction for free.
    """
    import numpy as np

    a, b = perms
    sig = np.empty(NUM_PERM, dtype=np.uint64)
    block = 32
    with np.errstate(over="ignore"):
        for k in range(0, NUM_PERM, block):
            v = (np.outer(a[k:k + block], hashes) + b[k:k + block, None]) >> np.uint64(32)
            sig[k:k + block] = v.min(axis=1)
    return sig


def similarity(h1, h2) -> tuple[float, float]:
    """(overlap coefficient, Jaccard) of two sorted unique hash arrays."""
    import numpy as np

    if len(h1) == 0 or len(h2) == 0:
        return 0.0, 0.0
    inter = len(np.intersect1d(h1, h2, assume_unique=True))
    return inter / min(len(h1), len(h2)), inter / (len(h1) + len(h2) - inter)


def differing_passages(a: str, b: str, limit: int = 20) -> list[dict]:
    """Sentence-level differences between two texts (offsets into each)."""
    sa = [(m.start(), m.end()) for m in _SENTENCE.finditer(a) if m.group().strip()]
    sb = [(m.start(), m.end()) for m in _SENTENCE.finditer(b) if m.group().strip()]
    ka = [_prepare(a[s:e]) for s, e in sa]
    kb = [_prepare(b[s:e]) for s, e in sb]
    out = []
    sm = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        a_span = (sa[i1][0], sa[i2 - 1][1]) if i2 > i1 else (sa[i1][0] if i1 < len(sa) else len(a),) * 2
        b_span = (sb[j1][0], sb[j2 - 1][1]) if j2 > j1 else (sb[j1][0] if j1 < len(sb) else len(b),) * 2
        out.append({
            "kind": tag,
            "a_start": a_span[0], "a_end": a_span[1], "a_text": a[a_span[0]:a_span[1]].strip(),
            "b_start": b_span[0], "b_end": b_span[1], "b_text": b[b_span[0]:b_span[1]].strip(),
        })
        if len(out) >= limit:
            break
    return out


def find_near_duplicates(
    docs: dict[str, str], threshold: float = 0.8, with_differences: bool = True, min_chars: int = 20
) -> list[DuplicatePair]:
    """Pairs of ``docs`` (id → text) whose shingle overlap is at least ``threshold``.

    Sorted by descending score.  Documents shorter than ``min_chars`` (after dropping
    whitespace and punctuation) are ignored: two empty pages are not "duplicates".
    """
    perms = _permutations()
    ids = [k for k, v in docs.items() if len(_prepare(v)) >= min_chars]
    hashes = {k: shingle_hashes(docs[k]) for k in ids}
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for idx, k in enumerate(ids):
        sig = minhash(hashes[k], perms)
        for band in range(BANDS):
            key = (band, sig[band * ROWS:(band + 1) * ROWS].tobytes())
            buckets[key].append(idx)
    candidates: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                candidates.add((members[x], members[y]))
    pairs = []
    for x, y in candidates:
        score, jac = similarity(hashes[ids[x]], hashes[ids[y]])
        if score >= threshold:
            a, b = ids[x], ids[y]
            diffs = differing_passages(docs[a], docs[b]) if with_differences else []
            pairs.append(DuplicatePair(a, b, score, jac, diffs))
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    return pairs


def find_duplicate_sections(docs: dict[str, str], threshold: float = 0.8, min_chars: int = 80) -> list[DuplicatePair]:
    """Near-duplicate *sections* across documents (ids are "doc#heading-offset")."""
    from .split import split_sections

    items: dict[str, str] = {}
    for doc_id, text in docs.items():
        secs = [s for s in split_sections(text) if s.level < 5]
        for sec in secs:
            items[f"{doc_id}@{sec.start}"] = text[sec.start:sec.end]
    pairs = find_near_duplicates(items, threshold=threshold, min_chars=min_chars)
    # Sections of the same document repeating each other are not cross-document copies.
    return [p for p in pairs if p.a.split("@")[0] != p.b.split("@")[0]]
