"""MinHash signatures and LSH band keys as array operations, bit-compatible with datasketch.

Signatures use datasketch's `affine32` scheme (datasketch >= 2.0): each shingle's 32-bit
hash is pre-mixed with the MurmurHash3 finalizer, then permuted by h -> a*h + b mod 2^32
with datasketch's own (a, b) for the seed. So for the same 32-bit shingle hashes,
`signatures()` equals `datasketch.MinHash(...).hashvalues` exactly (tests/cleaners/test_minhash.py).
"""

from __future__ import annotations

from functools import lru_cache

import numba as nb
import numpy as np

from cleaners.shingles import _tokens, shingle_hash, text_buffers

EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=4)
def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 (a, b) permutation parameters for `seed`, as uint32 arrays."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return np.ascontiguousarray(a, dtype=np.uint32), np.ascontiguousarray(b, dtype=np.uint32)


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
    """row[j] = min(row[j], a_j * hv + b_j mod 2^32): one shingle through every permutation.

    Everything is uint32, so the loop compiles to 32-bit SIMD lanes (8 per AVX2 register).
    """
    for j in range(row.shape[0]):
        row[j] = min(row[j], np.uint32(a[j] * hv + b[j]))


@nb.njit(inline="always")
def _mixed32(h64):
    """The 32-bit value a 64-bit shingle hash is permuted as: fmix32 of its low 32 bits."""
    return np.uint32(fmix32(h64 & _M32))


@nb.njit(parallel=True, cache=True)
def _signature_kernel(hashes, offsets, a, b):
    n_docs = offsets.shape[0] - 1
    p = a.shape[0]
    sig = np.full((n_docs, p), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    for d in nb.prange(n_docs):
        row = sig[d]
        for i in range(offsets[d], offsets[d + 1]):
            _permute_min(row, _mixed32(hashes[i]), a, b)
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
        hv = np.empty(n_sh, dtype=np.uint32)  # hash first, then permute: the two loops vectorize apart
        for s in range(n_sh):
            hv[s] = _mixed32(shingle_hash(toks, s, width))
        row = sig[d]
        for s in range(n_sh):
            _permute_min(row, hv[s], a, b)
    return sig


def text_signatures(texts, k: int = 5, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """(n_docs, num_perm) signatures of a Polars string Series, equal to
    `signatures(*shingle_sets(texts, k))` but faster (fused, parallel)."""
    return buffer_signatures(*text_buffers(texts), k, num_perm, seed)


def buffer_signatures(
    data: np.ndarray, offsets: np.ndarray, k: int = 5, num_perm: int = 128, seed: int = 1
) -> np.ndarray:
    """`text_signatures` of the texts already in a `text_buffers` buffer."""
    a, b = permutations(num_perm, seed)
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


@nb.njit(cache=True)
def _bucket_pair_kernel(sorted_keys, order, max_bucket):
    """(i, j) pairs, i < j, of one band's documents grouped by equal key (key 0 = none).

    A bucket of up to `max_bucket` members gives all its pairs; a larger one a star to its
    smallest index.
    """
    n = sorted_keys.shape[0]
    count = 0
    for phase in range(2):
        if phase == 1:
            left = np.empty(count, dtype=np.int64)
            right = np.empty(count, dtype=np.int64)
            count = 0
        s = 0
        while s < n:
            e = s + 1
            while e < n and sorted_keys[e] == sorted_keys[s]:
                e += 1
            m = e - s
            if m > 1 and sorted_keys[s] != 0:
                if m <= max_bucket:
                    for x in range(s, e):
                        for y in range(x + 1, e):
                            if phase == 1:
                                a, b = order[x], order[y]
                                left[count] = min(a, b)
                                right[count] = max(a, b)
                            count += 1
                else:
                    root = order[s]
                    for x in range(s, e):
                        root = min(root, order[x])
                    for x in range(s, e):
                        if order[x] != root:
                            if phase == 1:
                                left[count] = root
                                right[count] = order[x]
                            count += 1
            s = e
    return left, right


def bucket_pairs(keys: np.ndarray, max_bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) row pairs, i < j, of a (n, bands) key matrix that share a key in some band.

    One band at a time (a sort of n keys, not n*bands, which bounds peak memory on large
    runs); a pair found in several bands is kept once; buckets larger than `max_bucket` are
    linked as a star to their smallest row.
    """
    n = keys.shape[0]
    found = []
    for b in range(keys.shape[1]):
        order = np.argsort(keys[:, b], kind="stable")
        left, right = _bucket_pair_kernel(keys[order, b], order, max_bucket)
        if len(left):
            found.append(np.unique(left * n + right))
    codes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return codes // max(n, 1), codes % max(n, 1)


@nb.njit(inline="always")
def _slot(table, state, mask, v):
    """The slot of value v in the open-addressing table: where it is, or the empty slot it goes to."""
    s = np.int64(v & _M32) & mask  # shingle hashes end in fmix64: their low bits index well
    while state[s] != 0 and table[s] != v:
        s = (s + 1) & mask
    return s


@nb.njit(cache=True)
def _pair_overlap(hashes, xs, xe, ys, ye, table, state):
    """(|X|, |Y|, |X & Y|) of the distinct values of hashes[xs:xe] and hashes[ys:ye].

    Open addressing over `table` (a power of two, more than twice the values): state 1 = seen
    in X, 2 = in X and Y, 3 = in Y only. No sorting, so the inputs may be unsorted and repeat.
    """
    mask = table.shape[0] - 1
    state[:] = 0
    nx = 0
    for i in range(xs, xe):
        s = _slot(table, state, mask, hashes[i])
        if state[s] == 0:
            table[s] = hashes[i]
            state[s] = 1
            nx += 1
    ny = 0
    inter = 0
    for i in range(ys, ye):
        s = _slot(table, state, mask, hashes[i])
        if state[s] == 0:
            table[s] = hashes[i]
            state[s] = 3
            ny += 1
        elif state[s] == 1:
            state[s] = 2
            ny += 1
            inter += 1
    return nx, ny, inter


@nb.njit(parallel=True, cache=True)
def _overlap_kernel(hashes, offsets, left, right):
    n = left.shape[0]
    out = np.zeros((n, 3), dtype=np.int64)
    for k in nb.prange(n):
        x, y = left[k], right[k]
        size = 16
        while size < 2 * (offsets[x + 1] - offsets[x] + offsets[y + 1] - offsets[y]) + 2:
            size *= 2
        table = np.empty(size, dtype=np.uint64)
        state = np.empty(size, dtype=np.uint8)
        nx, ny, inter = _pair_overlap(hashes, offsets[x], offsets[x + 1], offsets[y], offsets[y + 1], table, state)
        out[k, 0] = nx
        out[k, 1] = ny
        out[k, 2] = inter
    return out


def pair_overlap(
    hashes: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct-shingle counts (left, right) and overlap of each pair of hash groups."""
    left = np.ascontiguousarray(left, dtype=np.int64)
    right = np.ascontiguousarray(right, dtype=np.int64)
    out = _overlap_kernel(hashes, offsets, left, right)
    return out[:, 0], out[:, 1], out[:, 2]


def exact_similarity(
    hashes: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact Jaccard, containment (overlap / smaller set) and smaller set size of shingle-set pairs."""
    na, nb_, inter = (v.astype(np.float64) for v in pair_overlap(hashes, offsets, left, right))
    union = na + nb_ - inter
    small = np.minimum(na, nb_)
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.where(union > 0, inter / union, 0.0)
        con = np.where(small > 0, inter / small, 0.0)
    return jac, con, small
