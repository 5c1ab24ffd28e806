"""Shingling, signatures (checked against datasketch), banding math, exact similarity."""

import numpy as np
import polars as pl
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.config import DedupConfig, optimal_bands_rows
from cleaners.minhash import band_keys, exact_similarity, signatures, to32
from cleaners.shingles import shingle_sets


def _words(rng, n, vocab=3000):
    return " ".join(f"w{int(x)}" for x in rng.integers(0, vocab, n))


@pytest.mark.parametrize("num_perm", [64, 128])
def test_signatures_equal_datasketch_hashvalues(num_perm):
    rng = np.random.default_rng(0)
    texts = pl.Series([_words(rng, int(n)) for n in rng.integers(1, 400, 25)] + [""])
    h, off = shingle_sets(texts, 5)
    sig = signatures(h, off, num_perm, seed=1)
    for d in range(len(texts)):
        m = MinHash(num_perm=num_perm, seed=1, hashfunc=lambda x: x)
        m.update_batch([int(v) for v in to32(h[off[d] : off[d + 1]])])
        assert np.array_equal(sig[d], m.hashvalues), d


def test_signature_estimates_jaccard():
    rng = np.random.default_rng(1)
    base = _words(rng, 600).split()
    other = base[:450] + _words(rng, 150).split()
    h, off = shingle_sets(pl.Series([" ".join(base), " ".join(other)]), 5)
    sig = signatures(h, off, 256)
    est = float(np.mean(sig[0] == sig[1]))
    jac, _, _ = exact_similarity(h, off, np.array([0]), np.array([1]))
    assert abs(est - jac[0]) < 0.1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=200, unique=True), st.randoms())
def test_signature_ignores_shingle_order(values, rnd):
    a = np.array(sorted(values), dtype=np.uint64)
    b = a.copy()
    rnd.shuffle(b)
    off = np.array([0, len(a)], dtype=np.int64)
    assert np.array_equal(signatures(a, off, 64), signatures(b, off, 64))


def test_bands_rows_come_from_datasketch_optimiser():
    from datasketch.lsh import _optimal_param

    cfg = DedupConfig()
    assert cfg.bands_rows == _optimal_param(cfg.candidate_threshold, cfg.num_perm, 0.2, 0.8)
    lsh = MinHashLSH(threshold=0.8, num_perm=128)  # datasketch's own choice at equal weights
    assert optimal_bands_rows(0.8, 128, 0.5) == (lsh.b, lsh.r)


def test_band_collision_probability_matches_theory():
    """Pairs at Jaccard ~0.5 collide in >= 1 band about 1-(1-0.5^r)^b of the time."""
    rng = np.random.default_rng(2)
    b, r = DedupConfig().bands_rows
    hits, n = 0, 300
    for _ in range(n):
        common = rng.integers(0, 2**63, 300, dtype=np.uint64)
        x = np.unique(np.concatenate([common, rng.integers(0, 2**63, 100, dtype=np.uint64)]))
        y = np.unique(np.concatenate([common, rng.integers(0, 2**63, 100, dtype=np.uint64)]))
        hs = np.concatenate([x, y])
        off = np.array([0, len(x), len(x) + len(y)], dtype=np.int64)
        k = band_keys(signatures(hs, off, 128), b, r)
        hits += bool(np.intersect1d(k[0], k[1]).size)
    p = 1 - (1 - 0.6**r) ** b  # true Jaccard here is 300/500 = 0.6
    assert abs(hits / n - p) < 0.06


def test_empty_signature_has_no_band_keys():
    h, off = shingle_sets(pl.Series(["", ""]), 5)
    k = band_keys(signatures(h, off, 128), 32, 4)
    assert (k == 0).all()


def test_exact_similarity_jaccard_and_containment():
    a = np.array([1, 2, 3, 4], dtype=np.uint64)
    b = np.array([3, 4], dtype=np.uint64)
    hs = np.concatenate([a, b])
    off = np.array([0, 4, 6], dtype=np.int64)
    jac, con, _ = exact_similarity(hs, off, np.array([0]), np.array([1]))
    assert jac[0] == pytest.approx(0.5) and con[0] == pytest.approx(1.0)


def test_fused_text_signatures_equal_the_shingle_path():
    from cleaners.minhash import text_signatures

    rng = np.random.default_rng(7)
    texts = pl.Series([_words(rng, int(n)) for n in rng.integers(0, 300, 40)] + ["Ünïcode — “mixed” text, here!", ""])
    h, off = shingle_sets(texts, 5)
    assert np.array_equal(text_signatures(texts, 5, 128), signatures(h, off, 128))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 40), max_size=120),
    st.lists(st.integers(0, 40), max_size=120),
    st.sampled_from([0, 2**32, 2**64 - 41]),
)
def test_exact_similarity_equals_python_sets_on_unsorted_repeating_hashes(xs, ys, base):
    """The hash-table overlap counts distinct values; order and repeats do not matter."""
    a = np.array([base + v for v in xs], dtype=np.uint64)
    b = np.array([base + v for v in ys], dtype=np.uint64)
    off = np.array([0, len(a), len(a) + len(b)], dtype=np.int64)
    jac, con, small = exact_similarity(np.concatenate([a, b]), off, np.array([0, 1]), np.array([1, 1]))
    sa, sb = set(a.tolist()), set(b.tolist())
    union, least = len(sa | sb), min(len(sa), len(sb))
    assert jac[0] == pytest.approx(len(sa & sb) / union if union else 0.0)
    assert con[0] == pytest.approx(len(sa & sb) / least if least else 0.0)
    assert small[0] == least
    assert jac[1] == (1.0 if sb else 0.0) and small[1] == len(sb)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(1, 4), st.integers(2, 6), st.integers(0, 10**6))
def test_bucket_pairs_equal_brute_force(n, bands, max_bucket, seed):
    """Every pair sharing a nonzero key in a band, once; a bucket over max_bucket is a star to its first row."""
    from cleaners.minhash import bucket_pairs

    keys = np.random.default_rng(seed).integers(0, 4, size=(n, bands)).astype(np.uint64)
    expected = set()
    for b in range(bands):
        buckets: dict[int, list[int]] = {}
        for i in range(n):
            if keys[i, b]:
                buckets.setdefault(int(keys[i, b]), []).append(i)
        for rows in buckets.values():
            if len(rows) <= max_bucket:
                expected |= {(x, y) for x in rows for y in rows if x < y}
            else:
                expected |= {(rows[0], y) for y in rows[1:]}
    left, right = bucket_pairs(keys, max_bucket)
    got = list(zip(left.tolist(), right.tolist()))
    assert len(got) == len(set(got)) and set(got) == expected
