"""Typed records passed between stages; a dropped document always carries a `Reject`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from cleaners import identity


class Stage(str, Enum):
    """Pipeline stage at which a document was rejected (the `rejects.stage` column)."""

    READ = "read"
    DECODE = "decode"
    EXTRACT = "extract"
    CLEAN = "clean"


@dataclass(frozen=True, slots=True)
class RawDoc:
    """One input document as read from a source file, before any cleaning.

    `locator` says where the document sits in its file (line number, WARC offset); identity
    is `key` + `raw_hash` (see `cleaners.identity`), so a record that moves keeps its id.
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
    key: str = ""
    """Identity key: the record's own typed id (`cleaners.identity.id_key`) or '' when it has none."""
    raw_hash: str | None = None
    """Hash of the record's raw bytes (`cleaners.identity.raw_hash`)."""

    @property
    def doc_id(self) -> str:
        """The document's stable id (place + content, see `cleaners.identity`)."""
        return identity.doc_id(self.source, self.key, self.raw_hash)


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not become an article, with the stage and a human-readable reason."""

    source: str
    source_id: str | None
    locator: str
    stage: Stage
    reason: str
    detail: str = ""
    key: str = ""
    raw_hash: str | None = None

    @property
    def doc_id(self) -> str:
        """Id of the rejected document; without a content hash, tied to its place (`locator`)."""
        key = self.key if self.raw_hash is not None else f"{self.key}\x00{self.locator}"
        return identity.doc_id(self.source, key, self.raw_hash)


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
    date_error: str | None = None
    """Why the input's own `published_at` could not be used (it is then guessed from the page)."""
    site_name: str | None = None
    """The site's name from page metadata (og:site_name etc.)."""
    language: str | None = None
    """ISO 639-1 code of the body's language (`cleaners.language`), None when too short to tell."""
    raw_hash: str | None = None
    key: str = ""

    @property
    def doc_id(self) -> str:
        """The document's stable id (place + content, see `cleaners.identity`)."""
        return identity.doc_id(self.source, self.key, self.raw_hash)

    @property
    def text(self) -> str:
        """The body: kept lines joined by newlines."""
        return "\n".join(self.lines)
