"""Candidate bodies (cleaners/candidates.py): the captured readability tree, block lines, the judge,
and the merge's order and backing."""

from __future__ import annotations

import trafilatura
from hypothesis import given
from hypothesis import strategies as st
from lxml.html import fromstring

from cleaners.candidates import (
    capture_readability,
    element_text,
    extra_lines,
    judge_text,
    merge_lines,
    shingles,
    support,
)

PARAS = [
    "The regional council approved the new tram line on Thursday after a debate that lasted most of the night.",
    "Construction is expected to start next spring and the first trams should run before the end of 2028.",
    "Opponents said the budget was too optimistic and asked for an independent review of the costs.",
]
PAGE = (
    "<html><head><title>Tram line approved</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav>"
    "<article><h1>Tram line approved</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</article>"
    "<footer>Contact us · Privacy</footer></body></html>"
)


def test_capture_keeps_the_readability_tree_trafilatura_computes() -> None:
    with capture_readability() as caught:
        trafilatura.bare_extraction(PAGE)  # non-fast: trafilatura runs readability inside
    assert caught, "trafilatura's own readability call was not captured"
    text = element_text(caught[0])
    assert all(p in text for p in PARAS)


def test_nothing_is_kept_outside_a_capture() -> None:
    with capture_readability() as caught:
        pass
    trafilatura.bare_extraction(PAGE)
    assert caught == []


def test_fast_extraction_computes_no_readability_tree() -> None:
    with capture_readability() as caught:
        trafilatura.bare_extraction(PAGE, fast=True)
    assert caught == []


def test_element_text_puts_each_block_on_its_own_line() -> None:
    tree = fromstring(
        "<div><h2>Head</h2><p>One <b>bold</b> line</p><ul><li>a</li><li>b</li></ul><script>x=1</script></div>"
    )
    lines = [ln.strip() for ln in element_text(tree).splitlines() if ln.strip()]
    assert lines == ["Head", "One bold line", "a", "b"]
    assert element_text(None) == ""


def test_judge_reads_the_main_content() -> None:
    judged = judge_text(PAGE)
    assert PARAS[0] in judged and "Privacy" not in judged


def test_support_counts_shared_shingles() -> None:
    other = shingles("alpha beta gamma delta")
    assert support("alpha beta gamma delta", other) == 1.0
    assert support("zeta eta theta iota", other) == 0.0
    assert support("...", other) == 1.0  # no words: nothing to contradict


def test_extra_lines_are_unshared_and_backed() -> None:
    a = [PARAS[0]]
    b = [PARAS[0], PARAS[1], PARAS[2]]
    judge = shingles(PARAS[0] + "\n" + PARAS[1])
    assert extra_lines(a, b, judge) == [PARAS[1]]  # PARAS[2] is not backed by the judge


def test_merge_places_extra_lines_after_their_anchor() -> None:
    primary = ["h", "p1", "p3"]
    secondary = ["p1", "p2", "p3", "p4"]
    assert merge_lines(primary, secondary, ["p2", "p4"]) == ["h", "p1", "p2", "p3", "p4"]
    assert merge_lines(primary, ["p0", "p1"], ["p0"]) == ["p0", "h", "p1", "p3"]


words = st.sampled_from([f"w{i}" for i in range(12)])


@given(st.lists(words, max_size=12), st.lists(words, max_size=12), st.data())
def test_merge_keeps_primary_in_order_and_adds_only_extra(
    primary: list[str], secondary: list[str], data: st.DataObject
) -> None:
    extra = data.draw(st.lists(st.sampled_from(secondary), unique=True) if secondary else st.just([]))
    merged = merge_lines(primary, secondary, extra)
    it = iter(merged)
    assert all(any(m == p for m in it) for p in primary)  # primary is a subsequence of merged
    added = list(merged)
    for p in primary:
        added.remove(p)
    assert set(added) <= set(extra) - set(primary)
    assert len(added) == len(set(added))
    assert merge_lines(primary, secondary, []) == primary
