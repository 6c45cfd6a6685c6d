"""Offsets always point into the original text, whatever normalisation did."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.extraction.engine.facts import extract
from kesu.extraction.engine.normalize import normalise
from kesu.extraction.engine.textmap import TextMap

PIECES = [
    "培训", "農民", "１２", "3", "0", "5 000", "余", "多", "万", "萬", "亿", "人", "人次", "期", "場(次)", "(wàn)",
    "元", "%", "个百分点", "，", "。", "、", " ", "  ", "\n", "近", "约", "三十", "两", "百", "千", "x", "_", "?",
    "www.example.com", "'", ".", "年", "月", "第", "“", "”", "大", "任务", "-", "—", "~", "以上", "左右",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_fact_offsets_slice_the_original(pieces):
    text = "".join(pieces)
    for f in extract(text):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab１２３ 萬個(wàn)'.\n培训", max_size=60))
def test_every_normalised_char_maps_to_a_source_char(text):
    tm = normalise(text)
    for i, ch in enumerate(tm.text):
        o = tm.to_original(i)
        assert 0 <= o < len(text)
        # 1:1 rewrites only: the source char folds to the normalised one.
        assert normalise(text[o]).text in (ch, "")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=50), st.lists(st.tuples(st.integers(0, 50), st.integers(0, 8)), max_size=6))
def test_textmap_deletions_roundtrip(text, cuts):
    deletions = [(s, min(len(text), s + n)) for s, n in cuts if s < len(text)]
    tm = TextMap.with_deletions(text, deletions)
    deleted = set()
    for s, e in deletions:
        deleted.update(range(s, e))
    assert tm.text == "".join(c for i, c in enumerate(text) if i not in deleted)
    for i in range(len(tm.text)):
        assert text[tm.to_original(i)] == tm.text[i]


def test_offsets_after_full_width_pinyin_and_spaces():
    text = "共培訓１２萬(wàn)人 次,建成3 000 個站點。"
    got = [(f.text, f.start, f.end) for f in extract(text)]
    assert got == [("１２萬(wàn)人 次", 3, 14), ("3 000 個", 17, 24)]
    assert [text[s:e] for _, s, e in got] == ["１２萬(wàn)人 次", "3 000 個"]


def test_opencc_folding_is_length_preserving():
    text = "臺灣國立科學工藝博物館舉辦萬人活動"
    tm = normalise(text)
    assert len(tm.text) == len(text)
    assert tm.text == "台湾国立科学工艺博物馆举办万人活动"


def test_compose_deletions_keeps_original_offsets():
    tm = TextMap.with_deletions("ab--cd--ef", [(2, 4)])
    assert tm.text == "abcd--ef"
    tm2 = tm.compose_deletions([(4, 6)])
    assert tm2.text == "abcdef"
    assert [tm2.to_original(i) for i in range(6)] == [0, 1, 4, 5, 8, 9]
