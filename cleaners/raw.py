"""Raw pages as rows: a `RawDoc` <-> one raw-record row (where it came from) + its content.

The warehouse keeps every ingested record so stored articles can be derived again when the
cleaner or its settings change: the record's place and its input's own fields in
`raw_records` (one row per document), its content once per `raw_hash` in `raw_pages`. The
codec is exact: `raw_doc(raw_row(d))` is `d` field for field, so cleaning the stored copy gives
what cleaning the input gave.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from cleaners.records import RawDoc
from cleaners.schema import RAW_RECORDS


class ContentKind(StrEnum):
    """How a record's content was given: HTML bytes (a file, a WARC payload), an HTML string
    (a JSON Lines `html` field) or text (a `.txt` file, a JSON Lines `text` field)."""

    HTML_BYTES = "html_bytes"
    HTML_STR = "html_str"
    TEXT = "text"


_ENCODING = ("utf-8", "surrogatepass")
"""Strings are stored as UTF-8; a lone surrogate from a JSON `\\ud800` escape survives too."""

RECORD_FIELDS = tuple(c.name for c in RAW_RECORDS.columns if c.name != "run_id")
"""The raw-record columns a batch writes: the `raw_records` contract but `run_id`."""


def content_of(doc: RawDoc) -> tuple[ContentKind, bytes] | None:
    """The record's content and how it was given; None for a record without content."""
    if isinstance(doc.html, bytes):
        return ContentKind.HTML_BYTES, doc.html
    if isinstance(doc.html, str):
        return ContentKind.HTML_STR, doc.html.encode(*_ENCODING)
    if doc.text is not None:
        return ContentKind.TEXT, doc.text.encode(*_ENCODING)
    return None


def raw_row(doc: RawDoc) -> dict[str, Any] | None:
    """One row holding everything `raw_doc` needs to rebuild `doc`; None without content or hash."""
    content = content_of(doc)
    if content is None or doc.raw_hash is None:
        return None
    kind, data = content
    row: dict[str, Any] = {name: getattr(doc, name) for name in RECORD_FIELDS if name != "doc_id"}
    row.update(doc_id=doc.doc_id, content_kind=kind.value, content=data)
    return row


def raw_doc(row: dict[str, Any]) -> RawDoc:
    """The `RawDoc` a raw-record row and its page's content (`content_kind`, `content`) stand for."""
    kind = ContentKind(row["content_kind"])
    data: bytes = row["content"]
    html: str | bytes | None = None
    text: str | None = None
    if kind is ContentKind.HTML_BYTES:
        html = data
    elif kind is ContentKind.HTML_STR:
        html = data.decode(*_ENCODING)
    else:
        text = data.decode(*_ENCODING)
    return RawDoc(
        source=row["source"],
        source_id=row["source_id"],
        locator=row["locator"],
        url=row["url"],
        html=html,
        text=text,
        published_at=row["published_at"],
        title=row["title"],
        fmt=row["fmt"],
        key=row["key"],
        raw_hash=row["raw_hash"],
    )
