"""Word-shingle hashing over whole columns of text, compiled with numba.

Texts are lower-cased by Polars, handed over as one Arrow byte buffer with offsets, and
tokenized/hashed in one compiled loop: no Python per token. A token is a run of ASCII
letters/digits or non-ASCII bytes (so accented and non-Latin words stay whole); ASCII
punctuation, whitespace and the General Punctuation block plus superscripts (U+2000-U+207F: dashes, curly
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


def _byte_classes() -> np.ndarray:
    """Class of each byte value: 0 separator, 1 word byte, 2 0xE2 (may open U+2000-U+207F)."""
    cls = np.zeros(256, dtype=np.uint8)
    for c in range(256):
        if 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c >= 128:
            cls[c] = 1
    cls[0xE2] = 2
    return cls


_CLASSES = _byte_classes()


@nb.njit(cache=True)
def _tokens(data, start, end, out):
    """FNV-1a hash of each token in data[start:end] into out; returns the count."""
    cls = _CLASSES
    n = 0
    i = start
    h = _FNV_OFFSET
    in_word = False
    while i < end:
        c = data[i]
        kind = cls[c]
        if kind == 2:
            # U+2000..U+207F (E2 80 xx / E2 81 xx: punctuation, superscripts) is: a separator.
            if i + 2 < end and (data[i + 1] == 0x80 or data[i + 1] == 0x81):
                if in_word:
                    out[n] = h
                    n += 1
                    in_word = False
                    h = _FNV_OFFSET
                i += 3
                continue
            kind = 1
        if kind == 1:
            h ^= np.uint64(c)
            h *= _FNV_PRIME
            in_word = True
        elif in_word:
            out[n] = h
            n += 1
            in_word = False
            h = _FNV_OFFSET
        i += 1
    if in_word:
        out[n] = h
        n += 1
    return n


@nb.njit(parallel=True, cache=True)
def _shingle_kernel(data, starts, ends, k, distinct):
    """Shingle hashes of the texts data[starts[d]:ends[d]]: (hashes, offsets[n+1]).

    With `distinct` each text's hashes are sorted and unique, otherwise in text order.
    Documents are spread over all cores: each writes into its own slot (sized by its bytes),
    then the slots are packed.
    """
    n_docs = starts.shape[0]
    # Upper bound per text: a token needs >= 1 byte + 1 separator, so (bytes + 1) // 2 + 1.
    slot = np.zeros(n_docs + 1, dtype=np.int64)
    for d in range(n_docs):
        slot[d + 1] = slot[d] + (ends[d] - starts[d] + 1) // 2 + 1
    loose = np.empty(slot[n_docs], dtype=np.uint64)
    counts = np.zeros(n_docs, dtype=np.int64)
    for d in nb.prange(n_docs):
        base = slot[d]
        toks = loose[base : slot[d + 1]]  # token hashes first, shingles overwrite them in place
        nt = _tokens(data, starts[d], ends[d], toks)
        if nt == 0:
            continue
        n_sh = nt - k + 1 if nt >= k else 1
        width = k if nt >= k else nt
        for s in range(n_sh):  # shingle s reads tokens s..s+width-1 >= s: safe to write at s
            toks[s] = shingle_hash(toks, s, width)
        if distinct:
            seg = np.sort(toks[:n_sh])
            u = 0  # unique in place
            for j in range(n_sh):
                if j == 0 or seg[j] != seg[j - 1]:
                    toks[u] = seg[j]
                    u += 1
            n_sh = u
        counts[d] = n_sh
    doc_off = np.zeros(n_docs + 1, dtype=np.int64)
    for d in range(n_docs):
        doc_off[d + 1] = doc_off[d] + counts[d]
    out = np.empty(doc_off[n_docs], dtype=np.uint64)
    for d in nb.prange(n_docs):
        out[doc_off[d] : doc_off[d + 1]] = loose[slot[d] : slot[d] + counts[d]]
    return out, doc_off


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
    return _shingle_kernel(data, offsets[:-1], offsets[1:], np.int64(k), True)


def shingle_hashes(texts: pl.Series, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Like `shingle_sets` but in text order, repeats kept (no sort): for hash-table overlap."""
    data, offsets = text_buffers(texts)
    return buffer_shingles(data, offsets[:-1], offsets[1:], k)


def buffer_shingles(
    data: np.ndarray, starts: np.ndarray, ends: np.ndarray, k: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """`shingle_hashes` of the texts data[starts[i]:ends[i]] of a `text_buffers` buffer."""
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    ends = np.ascontiguousarray(ends, dtype=np.int64)
    return _shingle_kernel(data, starts, ends, np.int64(k), False)
