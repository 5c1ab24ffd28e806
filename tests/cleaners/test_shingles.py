"""Word shingles (cleaners/shingles.py): counted, case- and punctuation-insensitive, one tokenizer."""

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.shingles import shingle_sets


def _words(rng, n, vocab=3000):
    return " ".join(f"w{int(x)}" for x in rng.integers(0, vocab, n))


def test_shingles_count_and_case_punctuation_insensitive():
    h, off = shingle_sets(
        pl.Series(
            [
                "The quick, brown fox jumps over the lazy dog.",
                "the QUICK brown fox — jumps over the lazy dog",
                "",
                "two words",
            ]
        ),
        5,
    )
    assert list(np.diff(off)) == [5, 5, 0, 1]
    assert np.array_equal(h[off[0] : off[1]], h[off[1] : off[2]])


def test_non_ascii_words_stay_whole():
    h, off = shingle_sets(pl.Series(["Grüße aus Köln", "Gruse aus Koln"]), 1)
    assert not np.array_equal(h[off[0] : off[1]], h[off[1] : off[2]])


def test_shingle_hashes_hold_the_same_set_as_shingle_sets():
    from cleaners.shingles import shingle_hashes

    rng = np.random.default_rng(3)
    texts = pl.Series([_words(rng, int(n), vocab=30) for n in rng.integers(0, 200, 20)] + ["", "a b"])
    h, off = shingle_sets(texts, 5)
    raw, roff = shingle_hashes(texts, 5)
    for d in range(len(texts)):
        assert np.array_equal(np.unique(raw[roff[d] : roff[d + 1]]), h[off[d] : off[d + 1]])


def _reference_token_hashes(text: str) -> list[int]:
    """The tokenizer's definition in plain Python: FNV-1a 64 over the UTF-8 bytes of each run
    of ASCII letters/digits and non-ASCII characters outside U+2000-U+207F."""
    import re

    out = []
    for tok in re.findall(r"[0-9A-Za-z\u0080-\u1fff\u2080-\U0010ffff]+", text):
        h = 0xCBF29CE484222325
        for byte in tok.encode():
            h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        out.append(h)
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_tokenizer_equals_its_plain_python_definition(text):
    """Pins the token hashes (stored band keys of earlier runs depend on them) to a definition."""
    from cleaners.shingles import _tokens

    data = np.frombuffer(text.encode(), dtype=np.uint8)
    out = np.zeros(len(data) + 1, dtype=np.uint64)
    n = _tokens(data, 0, len(data), out)
    assert out[:n].tolist() == _reference_token_hashes(text)


@pytest.mark.parametrize("text", ["a\u2070b", "x\u2014y \u201cq\u201d", "Köln\u207fz", "\u2080n"])
def test_tokenizer_separators_at_the_block_edges(text):
    from cleaners.shingles import _tokens

    data = np.frombuffer(text.encode(), dtype=np.uint8)
    out = np.zeros(len(data) + 1, dtype=np.uint64)
    assert out[: _tokens(data, 0, len(data), out)].tolist() == _reference_token_hashes(text)
