"""Typed records passed between stages; a dropped document always carries a `Reject`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class Stage(str, Enum):
    """Pipeline stage at which a document was rejected (the `rejects.stage` column)."""

    READ = "read"
    DECODE = "decode"
    EXTRACT = "extract"
    CLEAN = "clean"


@dataclass(frozen=True, slots=True)
class RawDoc:
    """One input document as read from a source file, before any cleaning.

    `locator` identifies the document inside its file (line number, WARC offset) when the
    source carries no id of its own, so `doc_id` stays stable across re-runs.
    """

    source: str
    source_id: str | None
    locator: str
    url: str | None = None
    html: str | bytes | None = None
    text: str | None = None
    published_at: str | None = None
    title: str | None = None
    fmt: str = "html"


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not become an article, with the stage and a human-readable reason."""

    source: str
    source_id: str | None
    locator: str
    stage: Stage
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A body line the cleaner dropped and the dotted name of the rule that dropped it."""

    position: int
    line: str
    rule: str


@dataclass(slots=True)
class CleanDoc:
    """A cleaned article body plus metadata, ready for site-line learning and dedup."""

    source: str
    source_id: str | None
    locator: str
    url: str | None
    domain: str | None
    title: str | None
    author: str | None
    published_at: datetime | None
    lines: list[str]
    positions: list[int] = field(default_factory=list)
    """Index of each kept line among the extracted, normalized lines (for the audit)."""
    removed: list[RemovedLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
