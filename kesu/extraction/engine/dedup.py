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
    return _hash_prepared(_prepare(text))


def _hash_prepared(s: str):
    import numpy as np

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
    if len(h1) > len(h2):
        h1, h2 = h2, h1
    idx = np.searchsorted(h2, h1)
    idx[idx == len(h2)] = 0
    inter = int(np.count_nonzero(h2[idx] == h1))
    return inter / len(h1), inter / (len(h1) + len(h2) - inter)


def _drop_common(hashes: list, max_df: float):
    """Remove shingles that occur in more than ``max_df`` of the documents.

    Phrases every report uses ("进一步提升公民科学素质") make unrelated reports look alike
    and flood the LSH buckets; they carry no evidence of copying, so candidate search
    ignores them (the final score still uses every shingle).
    """
    import numpy as np

    n = len(hashes)
    limit = max(5, int(max_df * n))
    if n <= limit:
        return hashes
    allh = np.concatenate(hashes)
    uniq, counts = np.unique(allh, return_counts=True)
    common = uniq[counts > limit]
    if len(common) == 0:
        return hashes
    keep = ~np.isin(allh, common, assume_unique=False)
    out = []
    pos = 0
    for h in hashes:
        k = keep[pos:pos + len(h)]
        out.append(h[k] if k.any() else h[:0])
        pos += len(h)
    return out


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
    docs: dict[str, str], threshold: float = 0.8, with_differences: bool = True, min_chars: int = 20,
    max_df: float = 0.01,
) -> list[DuplicatePair]:
    """Pairs of ``docs`` (id → text) whose shingle overlap is at least ``threshold``.

    Sorted by descending score.  Documents shorter than ``min_chars`` (after dropping
    whitespace and punctuation) are ignored: two empty pages are not "duplicates".
    """
    import numpy as np

    perms = _permutations()
    prepared = {k: _prepare(v) for k, v in docs.items()}
    ids = [k for k in docs if len(prepared[k]) >= min_chars]
    full = [_hash_prepared(prepared[k]) for k in ids]
    rare = _drop_common(full, max_df)
    sigs = np.stack([minhash(h, perms) if len(h) else np.full(NUM_PERM, np.iinfo(np.uint64).max, np.uint64)
                     for h in rare]) if ids else np.zeros((0, NUM_PERM), np.uint64)
    sizes = np.array([len(h) for h in rare], dtype=float)
    candidates: set[tuple[int, int]] = set()
    for band in range(BANDS):
        block = np.ascontiguousarray(sigs[:, band * ROWS:(band + 1) * ROWS])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * ROWS))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        bounds = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
        for group in np.split(order, bounds):
            if len(group) < 2:
                continue
            g = sorted(group.tolist())
            for x in range(len(g)):
                for y in range(x + 1, len(g)):
                    candidates.add((g[x], g[y]))
    pairs = []
    for x, y in candidates:
        if sizes[x] == 0 or sizes[y] == 0:
            continue
        # Cheap pre-check from the signatures: estimated overlap of the rare shingles.
        j_est = float(np.count_nonzero(sigs[x] == sigs[y])) / NUM_PERM
        inter_est = j_est * (sizes[x] + sizes[y]) / (1 + j_est)
        if inter_est / min(sizes[x], sizes[y]) < threshold - 0.25:
            continue
        score, jac = similarity(full[x], full[y])
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
