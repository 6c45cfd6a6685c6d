"""A normalised view of a text that remembers where every character came from.

Extraction runs on a *normalised* string (noise deleted, full-width folded, traditional
characters mapped to simplified), but every fact must be reported with offsets into the
ORIGINAL string.  ``TextMap`` holds the normalised string together with a compact
segment table: each segment is a run of normalised characters that were copied, one for
one, from a contiguous run of the original.  Deletions start a new segment; 1:1 character
replacements do not change offsets at all, so they need no bookkeeping.

Mapping a normalised offset back is a binary search over segment starts, which keeps the
map small (one entry per deletion, not per character) and fast on megabyte inputs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class TextMap:
    """Normalised text plus the offset map back to ``original``."""

    original: str
    text: str
    # Parallel lists: normalised start of each segment and the original start it copies.
    seg_norm: list[int] = field(default_factory=list)
    seg_orig: list[int] = field(default_factory=list)

    @classmethod
    def with_deletions(
        cls, original: str, deletions: Iterable[tuple[int, int]], source: str | None = None
    ) -> TextMap:
        """Build a map for ``original`` with the given [start, end) ranges removed.

        ``source`` is an optional same-length, 1:1 rewrite of ``original`` (e.g. width-folded)
        to copy the kept characters from.  Overlapping or unsorted ranges are allowed.
        """
        if source is None:
            source = original
        elif len(source) != len(original):
            raise ValueError("source must be a 1:1 rewrite of original")
        merged: list[list[int]] = []
        for start, end in sorted(d for d in deletions if d[1] > d[0]):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        parts: list[str] = []
        seg_norm: list[int] = []
        seg_orig: list[int] = []
        norm_pos = 0
        orig_pos = 0
        for start, end in merged:
            if start > orig_pos:
                seg_norm.append(norm_pos)
                seg_orig.append(orig_pos)
                parts.append(source[orig_pos:start])
                norm_pos += start - orig_pos
            orig_pos = end
        if orig_pos < len(original) or not seg_norm:
            seg_norm.append(norm_pos)
            seg_orig.append(orig_pos)
            parts.append(source[orig_pos:])
        return cls(original, "".join(parts), seg_norm, seg_orig)

    def compose_deletions(self, deletions: Iterable[tuple[int, int]]) -> TextMap:
        """Delete ranges given in *normalised* coordinates, keeping the map to the original."""
        inner = TextMap.with_deletions(self.text, deletions)
        # Translate each inner segment (a run of this map's normalised text) into original
        # coordinates; a run can straddle this map's own segment boundaries, so split it.
        seg_norm: list[int] = []
        seg_orig: list[int] = []
        for i, n_start in enumerate(inner.seg_norm):
            o_start = inner.seg_orig[i]  # offset in self.text
            n_end = inner.seg_norm[i + 1] if i + 1 < len(inner.seg_norm) else len(inner.text)
            length = n_end - n_start
            pos = o_start
            while length > 0 or (length == 0 and not seg_norm):
                j = bisect_right(self.seg_norm, pos) - 1
                seg_end = self.seg_norm[j + 1] if j + 1 < len(self.seg_norm) else len(self.text)
                take = min(length, seg_end - pos) if length else 0
                seg_norm.append(n_start + (pos - o_start))
                seg_orig.append(self.seg_orig[j] + pos - self.seg_norm[j])
                if take == 0:
                    break
                pos += take
                length -= take
        return TextMap(self.original, inner.text, seg_norm, seg_orig)

    def to_original(self, pos: int) -> int:
        """Original offset of the normalised character at ``pos``."""
        if pos >= len(self.text):
            return len(self.original) if not self.text else self.to_original(len(self.text) - 1) + 1
        j = bisect_right(self.seg_norm, pos) - 1
        return self.seg_orig[j] + pos - self.seg_norm[j]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering normalised [start, end); noise inside is included."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1
