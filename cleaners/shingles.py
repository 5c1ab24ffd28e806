"""Word-shingle hashing over whole columns of text, compiled with numba.

Texts are lower-cased by Polars, handed over as one Arrow byte buffer with offsets, and
tokenized/hashed in one compiled loop: no Python per token. A token is a run of ASCII
letters/digits or non-ASCII bytes (so accented and non-Latin words stay whole); ASCII
punctuation, whitespace and the General Punctuation block (U+2000-U+206F: dashes, curly
quotes) separate tokens.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import polars as pl
import pyarrow as pa

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


@nb.njit(inline="always")
def fmix64(h: np.uint64) -> np.uint64:
    """MurmurHash3's 64-bit finalizer (numba)."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@nb.njit(inline="always")
def shingle_hash(toks, s, width):
    """64-bit hash of the `width` token hashes starting at s (order-sensitive)."""
    h = np.uint64(width)
    for j in range(width):
        h = (h ^ toks[s + j]) * _MIX
        h ^= h >> np.uint64(31)
    return fmix64(h)


@nb.njit(inline="always")
def _is_word(c):  # numba: c is a uint8
    return (48 <= c <= 57) or (97 <= c <= 122) or (65 <= c <= 90) or c >= 128


@nb.njit(cache=True)
def _tokens(data, start, end, out):
    """FNV-1a hash of each token in data[start:end] into out; returns the count."""
    n = 0
    i = start
    while i < end:
        c = data[i]
        # U+2000..U+206F (E2 80 xx / E2 81 xx) is punctuation: treat as a separator.
        if c == 0xE2 and i + 2 < end and (data[i + 1] == 0x80 or data[i + 1] == 0x81):
            i += 3
            continue
        if not _is_word(c):
            i += 1
            continue
        h = _FNV_OFFSET
        while i < end:
            c = data[i]
            if not _is_word(c):
                break
            if c == 0xE2 and i + 2 < end and (data[i + 1] == 0x80 or data[i + 1] == 0x81):
                break
            h ^= np.uint64(c)
            h *= _FNV_PRIME
            i += 1
        out[n] = h
        n += 1
    return n


@nb.njit(cache=True)
def _shingle_kernel(data, offsets, k):
    n_docs = offsets.shape[0] - 1
    total = 0
    for d in range(n_docs):
        total += offsets[d + 1] - offsets[d]
    # Upper bound: one shingle per byte (a token needs >= 1 byte + 1 separator).
    out = np.empty(total // 2 + n_docs + 1, dtype=np.uint64)
    doc_off = np.zeros(n_docs + 1, dtype=np.int64)
    maxlen = 0
    for d in range(n_docs):
        ln = offsets[d + 1] - offsets[d]
        if ln > maxlen:
            maxlen = ln
    toks = np.empty(maxlen // 2 + 2, dtype=np.uint64)
    pos = 0
    for d in range(n_docs):
        nt = _tokens(data, offsets[d], offsets[d + 1], toks)
        start = pos
        if nt > 0:
            n_sh = nt - k + 1 if nt >= k else 1
            width = k if nt >= k else nt
            for s in range(n_sh):
                out[pos] = shingle_hash(toks, s, width)
                pos += 1
            seg = np.sort(out[start:pos])
            # unique in place
            u = 0
            for j in range(seg.shape[0]):
                if j == 0 or seg[j] != seg[j - 1]:
                    out[start + u] = seg[j]
                    u += 1
            pos = start + u
        doc_off[d + 1] = pos
    return out[:pos].copy(), doc_off


def text_buffers(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Lower-cased UTF-8 bytes of all texts in one buffer, plus int64 offsets."""
    lowered = texts.fill_null("").str.to_lowercase()
    arr = lowered.to_arrow(compat_level=pl.CompatLevel.oldest())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    return data, np.ascontiguousarray(offsets)


def shingle_sets(texts: pl.Series, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique 64-bit word-k-shingle hashes per text: (hashes, offsets[n_docs+1]).

    A text with fewer than k tokens yields a single shingle of all its tokens; an empty text
    yields none.
    """
    data, offsets = text_buffers(texts)
    return _shingle_kernel(data, offsets, np.int64(k))
