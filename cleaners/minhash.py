"""MinHash signatures and LSH band keys as array operations, bit-compatible with datasketch.

Signatures use datasketch's `affine32` scheme (datasketch >= 2.0): each shingle's 32-bit
hash is pre-mixed with the MurmurHash3 finalizer, then permuted by h -> a*h + b mod 2^32
with datasketch's own (a, b) for the seed. So for the same 32-bit shingle hashes,
`signatures()` equals `datasketch.MinHash(...).hashvalues` exactly (tests/test_minhash.py).
"""

from __future__ import annotations

from functools import lru_cache

import numba as nb
import numpy as np

from cleaners.shingles import _tokens, shingle_hash, text_buffers

EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=4)
def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 (a, b) permutation parameters for `seed`, widened to uint64 for
    the kernels (numba widens uint32 arithmetic; results are masked back to 32 bits)."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return np.ascontiguousarray(a, dtype=np.uint64), np.ascontiguousarray(b, dtype=np.uint64)


_M32 = np.uint64(0xFFFFFFFF)


@nb.njit(inline="always")
def fmix32(h: np.uint64) -> np.uint64:
    """MurmurHash3's 32-bit finalizer on a value held in uint64 (numba widens uint32 maths)."""
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & _M32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & _M32
    h ^= h >> np.uint64(16)
    return h


def to32(hashes: np.ndarray) -> np.ndarray:
    """The 32-bit value MinHash sees for each 64-bit shingle hash (its low 32 bits)."""
    return (hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32)


@nb.njit(inline="always")
def _permute_min(row, hv, a, b):
    """row[j] = min(row[j], a_j * hv + b_j mod 2^32): one shingle through every permutation."""
    for j in range(row.shape[0]):
        v = (a[j] * hv + b[j]) & _M32
        if v < row[j]:
            row[j] = v


@nb.njit(parallel=True, cache=True)
def _signature_kernel(hashes, offsets, a, b):
    n_docs = offsets.shape[0] - 1
    p = a.shape[0]
    sig = np.full((n_docs, p), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    for d in nb.prange(n_docs):
        row = np.full(p, _M32, dtype=np.uint64)
        for i in range(offsets[d], offsets[d + 1]):
            _permute_min(row, fmix32(hashes[i] & _M32), a, b)
        for j in range(p):
            sig[d, j] = np.uint32(row[j])
    return sig


@nb.njit(parallel=True, cache=True)
def _text_signature_kernel(data, offsets, k, a, b):
    """Signatures straight from text bytes: tokens -> shingle hashes -> running minima.

    The fused path used for sketching: no shingle array is materialized or sorted (minima
    ignore duplicates), and documents are spread over all cores.
    """
    n_docs = offsets.shape[0] - 1
    p = a.shape[0]
    sig = np.full((n_docs, p), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    for d in nb.prange(n_docs):
        ln = offsets[d + 1] - offsets[d]
        toks = np.empty(ln // 2 + 2, dtype=np.uint64)
        nt = _tokens(data, offsets[d], offsets[d + 1], toks)
        if nt == 0:
            continue
        n_sh = nt - k + 1 if nt >= k else 1
        width = k if nt >= k else nt
        row = np.full(p, _M32, dtype=np.uint64)
        for s in range(n_sh):
            _permute_min(row, fmix32(shingle_hash(toks, s, width) & _M32), a, b)
        for j in range(p):
            sig[d, j] = np.uint32(row[j])
    return sig


def text_signatures(texts, k: int = 5, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """(n_docs, num_perm) signatures of a Polars string Series, equal to
    `signatures(*shingle_sets(texts, k))` but faster (fused, parallel)."""
    a, b = permutations(num_perm, seed)
    data, offsets = text_buffers(texts)
    return _text_signature_kernel(data, offsets, np.int64(k), a, b)


def signatures(hashes: np.ndarray, offsets: np.ndarray, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """(n_docs, num_perm) uint32 MinHash signatures from shingle hashes grouped by offsets."""
    a, b = permutations(num_perm, seed)
    return _signature_kernel(hashes, offsets, a, b)


@nb.njit(cache=True)
def _band_kernel(sig, bands, rows):
    n = sig.shape[0]
    out = np.zeros((n, bands), dtype=np.uint64)
    for d in range(n):
        empty = True
        for j in range(bands * rows):
            if sig[d, j] != np.uint32(0xFFFFFFFF):
                empty = False
                break
        if empty:
            continue  # key 0 = "no band": empty bodies never collide with each other
        for bnd in range(bands):
            h = np.uint64(bnd + 1) * np.uint64(0x9E3779B97F4A7C15)
            for r in range(rows):
                h ^= np.uint64(sig[d, bnd * rows + r])
                h *= np.uint64(0xFF51AFD7ED558CCD)
                h ^= h >> np.uint64(29)
            if h == 0:
                h = np.uint64(1)
            out[d, bnd] = h
    return out


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n_docs, bands) uint64 keys; two docs share a key iff (w.h.p.) one band is identical.

    The band index is folded into the key so all bands share one join column. Rows of an
    empty signature are 0 and must be dropped by the caller.
    """
    if bands * rows > sig.shape[1]:
        raise ValueError(f"bands*rows = {bands * rows} exceeds num_perm = {sig.shape[1]}")
    return _band_kernel(sig, np.int64(bands), np.int64(rows))


@nb.njit(parallel=True, cache=True)
def _overlap_kernel(hashes, offsets, left, right):
    n = left.shape[0]
    inter = np.zeros(n, dtype=np.int64)
    for k in nb.prange(n):
        i, iend = offsets[left[k]], offsets[left[k] + 1]
        j, jend = offsets[right[k]], offsets[right[k] + 1]
        c = 0
        while i < iend and j < jend:
            x, y = hashes[i], hashes[j]
            if x == y:
                c += 1
                i += 1
                j += 1
            elif x < y:
                i += 1
            else:
                j += 1
        inter[k] = c
    return inter


def exact_similarity(
    hashes: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Jaccard and containment (overlap / smaller set) of shingle-set pairs."""
    left = np.ascontiguousarray(left, dtype=np.int64)
    right = np.ascontiguousarray(right, dtype=np.int64)
    inter = _overlap_kernel(hashes, offsets, left, right).astype(np.float64)
    sizes = np.diff(offsets).astype(np.float64)
    a, b = sizes[left], sizes[right]
    union = a + b - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.where(union > 0, inter / union, 0.0)
        con = np.where(np.minimum(a, b) > 0, inter / np.minimum(a, b), 0.0)
    return jac, con
