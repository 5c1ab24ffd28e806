"""Streaming readers: HTML, WARC, JSON Lines and plain-text files -> RawDoc | Reject.

Readers never raise on bad input: a broken file, record or line becomes a `Reject` and
reading goes on with the next one.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from cleaners.config import Limits
from cleaners.decode import DecodeError, decode_bytes
from cleaners.records import RawDoc, Reject, Stage

FORMATS = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".warc": "warc", ".warc.gz": "warc",
    ".jsonl": "jsonl", ".jsonl.gz": "jsonl", ".ndjson": "jsonl",
    ".txt": "txt",
}


def doc_id(source: str, key: str) -> str:
    """Stable 16-hex-digit id of a document: its file plus its id or place inside the file."""
    return hashlib.blake2b(f"{source}\x00{key}".encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def raw_doc_id(doc: RawDoc | Reject) -> str:
    return doc_id(doc.source, doc.source_id or doc.locator)


def format_of(path: str | Path) -> str | None:
    name = str(path).lower()
    for ext in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(ext):
            return FORMATS[ext]
    return None


def discover(inputs: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """Expand files, directories (recursively) and globs into (files, ignored, missing).

    Inside directories only known formats are taken (others are `ignored`, e.g. READMEs);
    a file named explicitly is always taken, and rejected later if its format is unknown.
    """
    import glob

    files: list[str] = []
    ignored: list[str] = []
    missing: list[str] = []
    for item in inputs:
        paths = [item] if os.path.exists(item) else sorted(glob.glob(item, recursive=True))
        if not paths:
            missing.append(item)
        for p in paths:
            if os.path.isdir(p):
                for root, dirs, names in os.walk(p):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in sorted(names):
                        full = os.path.join(root, name)
                        (files if format_of(full) and not name.startswith(".") else ignored).append(full)
            else:
                files.append(p)
    seen: set[str] = set()
    unique = []
    for f in files:
        a = os.path.abspath(f)
        if a not in seen:
            seen.add(a)
            unique.append(a)
    return unique, ignored, missing


class _Capped(io.RawIOBase):
    """A reader that stops with an error after `cap` bytes (gzip-bomb guard)."""

    def __init__(self, inner: io.BufferedIOBase, cap: int) -> None:
        self.inner, self.cap, self.n = inner, cap, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self.inner.read(len(b))
        self.n += len(data)
        if self.n > self.cap:
            raise OverflowError(f"decompressed size exceeds max_decompressed_bytes={self.cap}")
        b[: len(data)] = data
        return len(data)


def _open(path: str, limits: Limits) -> io.BufferedIOBase:
    if path.lower().endswith(".gz"):
        return io.BufferedReader(_Capped(gzip.open(path, "rb"), limits.max_decompressed_bytes))  # type: ignore[arg-type]
    return open(path, "rb")


def read_file(path: str, limits: Limits = Limits()) -> Iterator[RawDoc | Reject]:
    """Every document (or reject) in one input file; a file that holds none is itself a reject."""
    n = 0
    for n, item in enumerate(_read_any(path, limits), start=1):
        yield item
    if n == 0:
        yield Reject(path, None, "file", Stage.READ, "no_documents",
                     "the file holds no records (blank JSON lines, or no HTML responses in a WARC)")


def _read_any(path: str, limits: Limits) -> Iterator[RawDoc | Reject]:
    fmt = format_of(path)
    try:
        if fmt == "html":
            yield from _read_single(path, limits, "html")
        elif fmt == "txt":
            yield from _read_single(path, limits, "txt")
        elif fmt == "jsonl":
            yield from _read_jsonl(path, limits)
        elif fmt == "warc":
            yield from _read_warc(path, limits)
        else:
            yield Reject(path, None, "file", Stage.READ, "unsupported_format",
                         f"unknown file type; known: {', '.join(sorted(FORMATS))}")
    except OSError as e:
        yield Reject(path, None, "file", Stage.READ, "unreadable", str(e)[:500])


def _read_single(path: str, limits: Limits, fmt: str) -> Iterator[RawDoc | Reject]:
    size = os.path.getsize(path)
    if size > limits.max_doc_bytes:
        yield Reject(path, None, "file", Stage.READ, "too_large", f"{size} bytes > max_doc_bytes {limits.max_doc_bytes}")
        return
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.strip():
        yield Reject(path, None, "file", Stage.READ, "empty", "file is empty or whitespace")
        return
    if fmt == "html":
        yield RawDoc(path, None, "file", html=data, fmt="html")
        return
    try:
        text = decode_bytes(data)
    except DecodeError as e:
        yield Reject(path, None, "file", Stage.DECODE, e.reason, e.detail)
        return
    yield RawDoc(path, None, "file", text=text, fmt="txt")


def _str_or_none(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        return str(v)
    raise TypeError(type(v).__name__)


def _read_jsonl(path: str, limits: Limits) -> Iterator[RawDoc | Reject]:
    with _open(path, limits) as fh:
        n = 0
        try:
            for n, raw in enumerate(fh, start=1):
                loc = f"line:{n}"
                if not raw.strip():
                    continue
                if len(raw) > limits.max_doc_bytes:
                    yield Reject(path, None, loc, Stage.READ, "too_large", f"{len(raw)} bytes > max_doc_bytes")
                    continue
                try:
                    obj = json.loads(raw)
                except ValueError as e:
                    yield Reject(path, None, loc, Stage.READ, "invalid_json", str(e)[:200])
                    continue
                if not isinstance(obj, dict):
                    yield Reject(path, None, loc, Stage.READ, "not_an_object", f"JSON {type(obj).__name__}, expected object")
                    continue
                try:
                    sid = _str_or_none(obj.get("id"))
                    url = _str_or_none(obj.get("url"))
                    published = _str_or_none(obj.get("published_at"))
                    html = obj.get("html")
                    text = obj.get("text")
                    title = _str_or_none(obj.get("title"))
                except TypeError as e:
                    yield Reject(path, None, loc, Stage.READ, "wrong_type", f"a field has type {e}")
                    continue
                if html is not None and not isinstance(html, str):
                    yield Reject(path, sid, loc, Stage.READ, "wrong_type", "`html` must be a string")
                    continue
                if text is not None and not isinstance(text, str):
                    yield Reject(path, sid, loc, Stage.READ, "wrong_type", "`text` must be a string")
                    continue
                if not (html or text):
                    yield Reject(path, sid, loc, Stage.READ, "missing_content", "object has no `html` or `text`")
                    continue
                yield RawDoc(path, sid, loc, url=url, html=html or None, text=None if html else text,
                             published_at=published, title=title, fmt="html" if html else "jsonl")
        except Exception as e:  # gzip/zlib errors, size cap (OverflowError), truncated stream
            yield Reject(path, None, f"line:{n + 1}", Stage.READ, "corrupt_file", f"{type(e).__name__}: {e}"[:500])


def _read_warc(path: str, limits: Limits) -> Iterator[RawDoc | Reject]:
    from warcio.archiveiterator import ArchiveIterator

    # warcio decompresses .warc.gz record by record itself; each record's body is read with a
    # cap of max_doc_bytes, so a compressed bomb cannot exhaust memory.
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, arc2warc=True, check_digests=True)
        offset = 0
        try:
            for rec in it:
                if rec.rec_type != "response":
                    continue
                # warcio: the offset is known only once the record's body has been read.
                body = rec.content_stream().read(limits.max_doc_bytes + 1)
                offset = it.get_record_offset()
                loc = f"offset:{offset}"
                sid = rec.rec_headers.get_header("WARC-Record-ID")
                url = rec.rec_headers.get_header("WARC-Target-URI")
                ctype = (rec.http_headers.get_header("Content-Type") if rec.http_headers else "") or ""
                if ctype and "html" not in ctype.lower():
                    continue  # images, scripts, PDFs in a crawl are not articles (not documents here)
                status = rec.http_headers.get_statuscode() if rec.http_headers else "200"
                if status and not str(status).startswith("2"):
                    yield Reject(path, sid, loc, Stage.READ, "http_status", f"HTTP {status}")
                    continue
                if len(body) > limits.max_doc_bytes:
                    yield Reject(path, sid, loc, Stage.READ, "too_large", f"> max_doc_bytes {limits.max_doc_bytes}")
                    continue
                if getattr(rec.raw_stream, "limit", 0) > 0:
                    yield Reject(path, sid, loc, Stage.READ, "truncated_record",
                                 f"record ends {rec.raw_stream.limit} bytes before its Content-Length")
                    continue
                if getattr(rec, "digest_checker", None) is not None and rec.digest_checker.passed is False:
                    yield Reject(path, sid, loc, Stage.READ, "digest_mismatch", "payload does not match WARC-Payload-Digest")
                    continue
                charset = None
                if "charset=" in ctype.lower():
                    charset = ctype.lower().split("charset=")[-1].split(";")[0].strip(" \"'")
                try:
                    html: str | bytes = decode_bytes(body, charset) if body else b""
                except DecodeError as e:
                    yield Reject(path, sid, loc, Stage.DECODE, e.reason, e.detail)
                    continue
                yield RawDoc(path, sid, loc, url=url, html=html, fmt="html")
        except Exception as e:  # warcio raises assorted errors on truncated/corrupt records
            yield Reject(path, None, f"offset:{offset}", Stage.READ, "corrupt_record",
                         f"{type(e).__name__}: {e}"[:500])
