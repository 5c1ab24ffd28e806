"""Streaming readers: HTML, WARC, JSON Lines and plain-text files -> RawDoc | Reject.

Readers never raise on bad input: a broken file, record or line becomes a `Reject` and
reading goes on with the next one. Every record carries its identity (`key`, `raw_hash`, see
`cleaners.identity`), so callers can skip stored records before any decoding or extraction.

A large JSON Lines or WARC file can be read in `parts`: part k of K owns the records whose
index falls in every K-th block of `PART_BLOCK` records. Each part streams the whole file but
decodes only its own records, so parts run on different workers without an index pass and
work for gzip streams too (which cannot be seeked).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import xxhash

from cleaners.config import Limits
from cleaners.decode import DecodeError, decode_bytes
from cleaners.identity import id_key, raw_hash
from cleaners.records import RawDoc, Reject, RejectReason, Stage

FORMATS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "txt",
}
SPLITTABLE = frozenset({"jsonl", "warc"})
PART_BLOCK = 1
"""Records per block when a file is read in parts (part k owns every K-th block). One record:
parts of a file get equal record counts, so none is left running alone at the end of a run
(blocks of 32 gave parts of 64 / 42 / 32 records on a 138-record file, benchmarks.workers)."""
READ_BLOCK = 64 << 10
Progress = Callable[[int], None]
"""Called with the number of bytes of the file consumed so far (compressed bytes for .gz)."""


def format_of(path: str | Path) -> str | None:
    """The reader for a file name (`html`, `warc`, `jsonl`, `txt`) or None when unknown."""
    name = str(path).lower()
    for ext in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(ext):
            return FORMATS[ext]
    return None


def sniff_format(path: str) -> str | None:
    """The reader for a file without a known extension, from its first bytes (HTML, JSON Lines, WARC)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if head.startswith(b"\x1f\x8b"):
            head = _gunzip_head(path)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"WARC/"):
        return "warc"
    low = text[:1024].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in low or b"<body" in low:
        return "html"
    if text.startswith(b"{"):
        first = text.split(b"\n", 1)[0]
        try:
            if isinstance(json.loads(first), dict):
                return "jsonl"
        except ValueError:
            return "jsonl" if b"\n" not in text else None
    return None


def _gunzip_head(path: str, n: int = 4096) -> bytes:
    with gzip.open(path, "rb") as fh:
        return fh.read(n)


MAX_SPLIT_RATIO = 30.0
"""A gzip input that inflates more than this (text is 3-10x) is a bomb or near one: never split,
so its decompression is paid once, not once per part."""
RATIO_SAMPLE_BYTES = 1 << 20


class DecompressionLimit(OverflowError):
    """A compressed input inflated past its decompression budget."""


def decompression_budget(limits: Limits, parts: int) -> int:
    """Decompressed bytes one part of a file may read: the file's budget shared by its parts
    (every part streams the whole file, so together they never inflate more than the limit)."""
    return max(1, limits.max_decompressed_bytes // max(1, parts))


def gzip_ratio(path: str) -> float | None:
    """How much a gzip file inflates, from its first MB (None when it is not gzip or unreadable)."""
    import zlib

    try:
        with open(path, "rb") as fh:
            head = fh.read(RATIO_SAMPLE_BYTES)
    except OSError:
        return None
    if not head.startswith(b"\x1f\x8b"):
        return None
    out, data, room = 0, head, 64 * RATIO_SAMPLE_BYTES
    while data and room > 0:  # member by member: a .warc.gz holds one per record
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            got = len(d.decompress(data, room))
        except zlib.error:
            return None if out == 0 else out / max(1, len(head) - len(data))
        out, room = out + got, room - got
        if d.unconsumed_tail:  # the output bound was reached inside this member
            data = d.unconsumed_tail
            break
        data = d.unused_data
    return out / max(1, len(head) - len(data))


def split_limit(path: str, size: int, limits: Limits) -> int:
    """Most parts a splittable file may be read in: 1 for a gzip bomb, and never so many that
    the parts' shared decompression budget is smaller than the file inflates to."""
    ratio = gzip_ratio(path)
    if ratio is None:
        return 1 << 30
    if ratio > MAX_SPLIT_RATIO:
        return 1
    return max(1, int(limits.max_decompressed_bytes // max(1.0, ratio * size)))


class _Capped(io.RawIOBase):
    """A reader that stops with an error after `cap` bytes (gzip-bomb guard)."""

    def __init__(self, inner: io.BufferedIOBase, cap: int) -> None:
        self.inner, self.cap, self.n = inner, cap, 0

    def readable(self) -> bool:
        """This stream can be read."""
        return True

    def readinto(self, b: Any) -> int:
        """Read one decompression step into `b`, failing once more than `cap` bytes came out."""
        # read1: one decompression step; read() would loop and lose what it had at a truncation.
        data = self.inner.read1(len(b))
        self.n += len(data)
        if self.n > self.cap:
            raise DecompressionLimit(self.cap)
        b[: len(data)] = data
        return len(data)


def bounded_lines(fh: io.BufferedIOBase, cap: int) -> Iterator[tuple[int, bytes | None, int, str | None]]:
    """The non-empty lines of a binary stream with their 1-based numbers, never holding more
    than `cap` bytes of one line.

    Yields (number, line, length, None) for a line within the cap (without its newline), or
    (number, None, length, hash) for a longer one: it is skipped to the next newline while its
    bytes are hashed, so the caller can reject it with its real identity. Runs of empty lines
    are skipped in C (a file of a billion newlines is counted, not looped over in Python).
    """
    buf = bytearray()
    over: xxhash.xxh3_128 | None = None
    over_len = 0
    number = 1  # of the line being read
    while True:
        # read1: what one underlying read gives, so a stream that breaks (a truncated gzip)
        # loses at most the block it broke in, not the lines before it.
        block = fh.read1(READ_BLOCK)
        if not block:
            break
        start = 0
        while True:
            if not buf and over is None and block[start : start + 1] in (b"\n", b"\r"):
                # a run of empty lines: up to its last newline, in C (bytes.lstrip, rfind, count)
                end = block.rfind(b"\n", start, len(block) - len(block[start:].lstrip(b"\r\n"))) + 1
                if end > start:
                    number += block.count(b"\n", start, end)
                    start = end
            nl = block.find(b"\n", start)
            piece = block[start:] if nl < 0 else block[start:nl]
            if over is not None:
                over.update(piece)
                over_len += len(piece)
            elif len(buf) + len(piece) > cap:
                over = xxhash.xxh3_128(bytes(buf))
                over.update(piece)
                over_len = len(buf) + len(piece)
                buf.clear()
            else:
                buf += piece
            if nl < 0:
                break
            if over is not None:
                yield number, None, over_len, over.hexdigest()
                over, over_len = None, 0
            else:
                yield number, bytes(buf), len(buf), None
                buf.clear()
            number += 1
            start = nl + 1
    if over is not None:
        yield number, None, over_len, over.hexdigest()
    elif buf:
        yield number, bytes(buf), len(buf), None


def read_file(
    path: str, limits: Limits = Limits(), part: int = 0, parts: int = 1, progress: Progress | None = None
) -> Iterator[RawDoc | Reject]:
    """Every document (or reject) in one input file, or in part `part` of `parts` of it.

    A file that holds no records is itself a reject (reported by part 0 only).
    """
    if not 0 <= part < parts:
        raise ValueError(f"part must be in [0, {parts}), got {part}")
    seen = [0]
    yield from _read_any(path, limits, part, parts, seen, progress)
    if seen[0] == 0 and part == 0:
        yield Reject(
            path,
            None,
            "file",
            Stage.READ,
            RejectReason.NO_DOCUMENTS,
            "the file holds no records (blank JSON lines, or no HTML responses in a WARC)",
        )


def _mine(index: int, part: int, parts: int) -> bool:
    return parts == 1 or (index // PART_BLOCK) % parts == part


def _read_any(
    path: str, limits: Limits, part: int, parts: int, seen: list[int], progress: Progress | None
) -> Iterator[RawDoc | Reject]:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            if part == 0:
                seen[0] += 1
                yield Reject(
                    path,
                    None,
                    "file",
                    Stage.READ,
                    RejectReason.NOT_A_FILE,
                    "not a regular file (a pipe, socket or device): never opened",
                )
            return
        fmt = format_of(path) or sniff_format(path)
        if fmt in ("html", "txt"):
            if part == 0:
                seen[0] += 1
                yield from _read_single(path, limits, fmt, st.st_size)
        elif fmt == "jsonl":
            yield from _read_jsonl(path, limits, part, parts, seen, progress)
        elif fmt == "warc":
            yield from _read_warc(path, limits, part, parts, seen, progress)
        elif part == 0:
            seen[0] += 1
            yield Reject(
                path,
                None,
                "file",
                Stage.READ,
                RejectReason.UNSUPPORTED_FORMAT,
                f"not HTML, JSON Lines, WARC or text (by name or first bytes); known: {', '.join(sorted(FORMATS))}",
                raw_hash=_hash_file(path),
            )
    except OSError as e:
        if part == 0:
            seen[0] += 1
            yield Reject(path, None, "file", Stage.READ, RejectReason.UNREADABLE, str(e)[:500])


def _hash_file(path: str) -> str:
    h = xxhash.xxh3_128()
    with open(path, "rb") as fh:
        while block := fh.read(READ_BLOCK):
            h.update(block)
    return h.hexdigest()


def _read_single(path: str, limits: Limits, fmt: str, size: int) -> Iterator[RawDoc | Reject]:
    if size > limits.max_doc_bytes:
        yield Reject(
            path,
            None,
            "file",
            Stage.READ,
            RejectReason.TOO_LARGE,
            f"{size} bytes > max_doc_bytes {limits.max_doc_bytes}",
            raw_hash=_hash_file(path),
        )
        return
    with open(path, "rb") as fh:
        data = fh.read(limits.max_doc_bytes + 1)
    h = raw_hash(data)
    if not data.strip():
        yield Reject(path, None, "file", Stage.READ, RejectReason.EMPTY, "file is empty or whitespace", raw_hash=h)
        return
    if fmt == "html":
        yield RawDoc(path, None, "file", html=data, fmt="html", raw_hash=h)
        return
    try:
        text = decode_bytes(data)
    except DecodeError as e:
        yield Reject(path, None, "file", Stage.DECODE, e.reason, e.detail, raw_hash=h)
        return
    yield RawDoc(path, None, "file", text=text, fmt="txt", raw_hash=h)


def _str_or_none(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        return str(v)
    raise TypeError(type(v).__name__)


def _too_large(path: str, locator: str, cap: int, limits: Limits, parts: int) -> Reject:
    shared = f", shared by the {parts} parts it is read in" if parts > 1 else ""
    return Reject(
        path,
        None,
        locator,
        Stage.READ,
        RejectReason.TOO_LARGE,
        f"decompresses to more than {cap:,} bytes (max_decompressed_mb {limits.max_decompressed_bytes / 1e6:g}"
        f"{shared}); reading stopped there, the records before it are kept",
    )


def _open_stream(path: str, limits: Limits, parts: int = 1) -> tuple[io.BufferedIOBase, io.BufferedIOBase]:
    """(stream to read records from, the raw file whose position measures progress)."""
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    gzipped = raw.read(2) == b"\x1f\x8b"  # by content, not name: sniffed files have no extension
    raw.seek(0)
    if gzipped:
        return io.BufferedReader(
            _Capped(gzip.GzipFile(fileobj=raw, mode="rb"), decompression_budget(limits, parts)), READ_BLOCK
        ), raw
    return raw, raw


def _read_jsonl(
    path: str, limits: Limits, part: int, parts: int, seen: list[int], progress: Progress | None
) -> Iterator[RawDoc | Reject]:
    stream, raw_file = _open_stream(path, limits, parts)
    n = 0
    index = -1
    with raw_file, stream:
        try:
            for n, line, length, long_hash in bounded_lines(stream, limits.max_doc_bytes):
                if line is not None and not line.strip():
                    continue
                index += 1
                seen[0] += 1
                if not _mine(index, part, parts):
                    continue
                if progress is not None:
                    progress(raw_file.tell())
                loc = f"line:{n}"
                if line is None:
                    yield Reject(
                        path,
                        None,
                        loc,
                        Stage.READ,
                        RejectReason.TOO_LARGE,
                        f"{length} bytes > max_doc_bytes {limits.max_doc_bytes}",
                        raw_hash=long_hash,
                    )
                    continue
                yield _jsonl_record(path, loc, line.rstrip(b"\r"))
        except DecompressionLimit as e:
            if part == 0:
                seen[0] += 1
                yield _too_large(path, f"line:{n + 1}", e.args[0], limits, parts)
        except Exception as e:  # gzip/zlib errors, truncated stream
            if part == 0:
                seen[0] += 1
                yield Reject(
                    path, None, f"line:{n + 1}", Stage.READ, RejectReason.CORRUPT_FILE, f"{type(e).__name__}: {e}"[:500]
                )


def _jsonl_record(path: str, loc: str, line: bytes) -> RawDoc | Reject:
    h = raw_hash(line)
    try:
        obj = json.loads(line)
    except ValueError as e:
        return Reject(path, None, loc, Stage.READ, RejectReason.INVALID_JSON, str(e)[:200], raw_hash=h)
    if not isinstance(obj, dict):
        return Reject(
            path,
            None,
            loc,
            Stage.READ,
            RejectReason.NOT_AN_OBJECT,
            f"JSON {type(obj).__name__}, expected object",
            raw_hash=h,
        )
    try:
        sid = _str_or_none(obj.get("id"))
        url = _str_or_none(obj.get("url"))
        published = _str_or_none(obj.get("published_at"))
        title = _str_or_none(obj.get("title"))
    except TypeError as e:
        return Reject(path, None, loc, Stage.READ, RejectReason.WRONG_TYPE, f"a field has type {e}", raw_hash=h)
    key = id_key(obj["id"]) if sid is not None else ""
    html, text = obj.get("html"), obj.get("text")
    for name, value in (("html", html), ("text", text)):
        if value is not None and not isinstance(value, str):
            return Reject(
                path, sid, loc, Stage.READ, RejectReason.WRONG_TYPE, f"`{name}` must be a string", key=key, raw_hash=h
            )
    if not (html or text):
        return Reject(
            path,
            sid,
            loc,
            Stage.READ,
            RejectReason.MISSING_CONTENT,
            "object has no `html` or `text`",
            key=key,
            raw_hash=h,
        )
    return RawDoc(
        path,
        sid,
        loc,
        url=url,
        html=html or None,
        text=None if html else text,
        published_at=published,
        title=title,
        fmt="html" if html else "jsonl",
        key=key,
        raw_hash=h,
    )


def _read_warc(
    path: str, limits: Limits, part: int, parts: int, seen: list[int], progress: Progress | None
) -> Iterator[RawDoc | Reject]:
    from warcio.archiveiterator import ArchiveIterator

    # warcio decompresses .warc.gz record by record itself; each record's body is read with a
    # cap of max_doc_bytes, so a compressed bomb cannot exhaust memory.
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, arc2warc=True, check_digests=True)
        gzipped = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        cap = decompression_budget(limits, parts)
        if gzipped:
            _cap_warc(it, cap)
        offset = 0
        index = -1
        try:
            for rec in it:
                if rec.rec_type != "response":
                    continue
                ctype = (rec.http_headers.get_header("Content-Type") if rec.http_headers else "") or ""
                if ctype and "html" not in ctype.lower():
                    continue  # images, scripts, PDFs in a crawl are not articles (not documents here)
                index += 1
                seen[0] += 1
                if not _mine(index, part, parts):
                    continue  # warcio skips the unread body itself
                # warcio: the offset is known only once the record's body has been read.
                body = rec.content_stream().read(limits.max_doc_bytes + 1)
                offset = it.get_record_offset()
                if progress is not None:
                    progress(fh.tell())
                item = _warc_record(path, rec, body, ctype, f"offset:{offset}", limits)
                if item is not None:
                    yield item
        except DecompressionLimit:
            if part == 0:
                seen[0] += 1
                yield _too_large(path, f"offset:{offset}", cap, limits, parts)
        except Exception as e:  # warcio raises assorted errors on truncated/corrupt records
            if part == 0:
                seen[0] += 1
                yield Reject(
                    path,
                    None,
                    f"offset:{offset}",
                    Stage.READ,
                    RejectReason.CORRUPT_RECORD,
                    f"{type(e).__name__}: {e}"[:500],
                )


def _cap_warc(it: Any, cap: int) -> None:
    """Count what warcio inflates of a .warc.gz (record bodies it skips included) against `cap`:
    its reader's `_process_read` is handed each block it decompressed."""
    reader = it.reader
    process = reader._process_read
    total = [0]

    def counted(data: bytes) -> None:
        process(data)
        total[0] += reader.buff_size if reader.buff is not None else 0
        if total[0] > cap:
            raise DecompressionLimit(cap)

    reader._process_read = counted


def _warc_record(path: str, rec, body: bytes, ctype: str, loc: str, limits: Limits) -> RawDoc | Reject | None:  # type: ignore[no-untyped-def]
    sid = rec.rec_headers.get_header("WARC-Record-ID")
    url = rec.rec_headers.get_header("WARC-Target-URI")
    key = f"warc:{sid}" if sid else ""
    h = raw_hash(body)
    status = rec.http_headers.get_statuscode() if rec.http_headers else "200"
    if status and not str(status).startswith("2"):
        return Reject(path, sid, loc, Stage.READ, RejectReason.HTTP_STATUS, f"HTTP {status}", key=key, raw_hash=h)
    if len(body) > limits.max_doc_bytes:
        return Reject(
            path,
            sid,
            loc,
            Stage.READ,
            RejectReason.TOO_LARGE,
            f"> max_doc_bytes {limits.max_doc_bytes}",
            key=key,
            raw_hash=h,
        )
    if getattr(rec.raw_stream, "limit", 0) > 0:
        return Reject(
            path,
            sid,
            loc,
            Stage.READ,
            RejectReason.TRUNCATED_RECORD,
            f"record ends {rec.raw_stream.limit} bytes before its Content-Length",
            key=key,
            raw_hash=h,
        )
    if getattr(rec, "digest_checker", None) is not None and rec.digest_checker.passed is False:
        return Reject(
            path,
            sid,
            loc,
            Stage.READ,
            RejectReason.DIGEST_MISMATCH,
            "payload does not match WARC-Payload-Digest",
            key=key,
            raw_hash=h,
        )
    charset = None
    if "charset=" in ctype.lower():
        charset = ctype.lower().split("charset=")[-1].split(";")[0].strip(" \"'")
    try:
        html: str | bytes = decode_bytes(body, charset) if body else b""
    except DecodeError as e:
        return Reject(path, sid, loc, Stage.DECODE, e.reason, e.detail, key=key, raw_hash=h)
    return RawDoc(path, sid, loc, url=url, html=html, fmt="html", key=key, raw_hash=h)
