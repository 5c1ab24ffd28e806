"""Typed records passed between stages; a dropped document always carries a `Reject`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum

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


class RejectReason(StrEnum):
    """Every `rejects.reason`. What each means and whether it is retried: `REASONS`, the one table."""

    UNREADABLE = "unreadable"
    NOT_A_FILE = "not_a_file"
    BAD_FILE_NAME = "bad_file_name"
    UNSUPPORTED_FORMAT = "unsupported_format"
    OUTSIDE_INPUT = "outside_input"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NO_DOCUMENTS = "no_documents"
    CORRUPT_FILE = "corrupt_file"
    CORRUPT_RECORD = "corrupt_record"
    TRUNCATED_RECORD = "truncated_record"
    DIGEST_MISMATCH = "digest_mismatch"
    INVALID_JSON = "invalid_json"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_CONTENT = "missing_content"
    WRONG_TYPE = "wrong_type"
    HTTP_STATUS = "http_status"
    NOT_HTML = "not_html"
    NO_CONTENT = "no_content"
    DUPLICATE_RECORD = "duplicate_record"
    BINARY = "binary"
    NO_MAIN_CONTENT = "no_main_content"
    TOO_DEEP = "too_deep"
    TIMEOUT = "timeout"
    EXTRACT_ERROR = "extract_error"
    TOO_SHORT = "too_short"
    ONLY_BOILERPLATE = "only_boilerplate"
    NOT_AN_ARTICLE = "not_an_article"

    @property
    def meaning(self) -> str:
        """What the reason means (the README's reject table)."""
        return REASONS[self].meaning

    @property
    def transient(self) -> bool:
        """Whether it can pass without the record's bytes changing, so the record is retried."""
        return REASONS[self].transient


@dataclass(frozen=True, slots=True)
class ReasonInfo:
    """One row of the reasons table: what a reject reason means, and whether it is transient."""

    meaning: str
    transient: bool = False


REASONS: dict[RejectReason, ReasonInfo] = {
    RejectReason.UNREADABLE: ReasonInfo("the file could not be opened or read, or a folder could not be listed", True),
    RejectReason.NOT_A_FILE: ReasonInfo("a FIFO, socket or device under an input folder", True),
    RejectReason.BAD_FILE_NAME: ReasonInfo(
        "a file name that is not valid UTF-8 (`source` shows its bytes escaped); rename the file"
    ),
    RejectReason.UNSUPPORTED_FORMAT: ReasonInfo("not HTML, JSON Lines, WARC or text, by name or first bytes"),
    RejectReason.OUTSIDE_INPUT: ReasonInfo("a link to a file outside the input folder (see allow_outside_links)"),
    RejectReason.EMPTY: ReasonInfo("no bytes, or no text after normalization"),
    RejectReason.TOO_LARGE: ReasonInfo("a document or line over max_doc_mb"),
    RejectReason.NO_DOCUMENTS: ReasonInfo("a file with no records (blank JSON lines, or no HTML responses in a WARC)"),
    RejectReason.CORRUPT_FILE: ReasonInfo("a compressed file that cannot be read on", True),
    RejectReason.CORRUPT_RECORD: ReasonInfo("a record that cannot be parsed", True),
    RejectReason.TRUNCATED_RECORD: ReasonInfo("a WARC record cut short", True),
    RejectReason.DIGEST_MISMATCH: ReasonInfo("a WARC payload whose digest does not match its header"),
    RejectReason.INVALID_JSON: ReasonInfo("a JSON Lines line that is not JSON"),
    RejectReason.NOT_AN_OBJECT: ReasonInfo("a JSON Lines line that is not an object"),
    RejectReason.MISSING_CONTENT: ReasonInfo("a JSON Lines object without `html` or `text`"),
    RejectReason.WRONG_TYPE: ReasonInfo("a JSON Lines field of the wrong type"),
    RejectReason.HTTP_STATUS: ReasonInfo("a WARC response that is not a success"),
    RejectReason.NOT_HTML: ReasonInfo("an HTML input with no markup in its first 64 KiB"),
    RejectReason.NO_CONTENT: ReasonInfo("a record with neither html nor text"),
    RejectReason.DUPLICATE_RECORD: ReasonInfo("the same file, id and bytes as an earlier record of the run"),
    RejectReason.BINARY: ReasonInfo("bytes that are not text (images, archives, executables)"),
    RejectReason.NO_MAIN_CONTENT: ReasonInfo("trafilatura found no main text"),
    RejectReason.TOO_DEEP: ReasonInfo("a document nested deeper than the parser's recursion limit"),
    RejectReason.TIMEOUT: ReasonInfo("extraction and cleaning took longer than max_extract_seconds", True),
    RejectReason.EXTRACT_ERROR: ReasonInfo("an unexpected error while cleaning this document", True),
    RejectReason.TOO_SHORT: ReasonInfo("fewer than min_words words after cleaning"),
    RejectReason.ONLY_BOILERPLATE: ReasonInfo("nothing left after cleaning: every line was boilerplate"),
    RejectReason.NOT_AN_ARTICLE: ReasonInfo(
        "a page that is not an article (`page_type` says what it is: listing, forum, product ...); keep a type "
        "with page_types"
    ),
}
if set(REASONS) != set(RejectReason):  # a reason without its row would have no meaning to show
    raise ImportError(f"REASONS lacks {sorted(set(RejectReason) - set(REASONS))}")

TRANSIENT_REASONS = frozenset(r.value for r, info in REASONS.items() if info.transient)
ROUTINE_REASONS = frozenset({RejectReason.NOT_AN_ARTICLE.value, RejectReason.DUPLICATE_RECORD.value})
"""Rejects that say nothing is wrong: a page that is not an article, a record seen twice."""
"""Reasons that may pass without the record's bytes changing (permissions, load, a file still
being written): such rejects are retried on the next run. Every other reject is tied to the
record's content hash, so a fixed record comes back with a new hash and is retried too."""


def reject_table() -> str:
    """The README's table of reject reasons (`python -m flows.readme`)."""
    rows = ["| reason | meaning | retried next run |", "|---|---|---|"]
    for r in RejectReason:
        rows.append(f"| `{r.value}` | {r.meaning} | {'yes' if r.transient else ''} |")
    return "\n".join(rows) + "\n"


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not become an article, with the stage and a human-readable reason."""

    source: str
    source_id: str | None
    locator: str
    stage: Stage
    reason: RejectReason
    detail: str = ""
    key: str = ""
    raw_hash: str | None = None
    page_type: str | None = None
    page_type_score: float | None = None

    def row(self) -> dict[str, str | float | None]:
        """The reject as a row of a batch's `rejects` frame (`cleaners.schema.REJECTS_SCHEMA`)."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "source_id": self.source_id,
            "locator": self.locator,
            "stage": self.stage.value,
            "reason": self.reason.value,
            "detail": self.detail,
            "raw_hash": self.raw_hash,
            "page_type": self.page_type,
            "page_type_score": self.page_type_score,
        }

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
    published_precision: str | None = None
    """`date` or `datetime`: how much of `published_at` its source gave (None without a date)."""
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
    page_type: str = "article"
    """What the page is (`cleaners.page_types.PageType`)."""
    page_type_score: float | None = None
    """P(article) from the page-type model; None for inputs without markup."""
    extraction: str = "text"
    """Which candidate body the lines were cleaned from (`cleaners.arbitrate.Candidate`)."""
    extraction_why: str = ""
    """Why that candidate (`Choice.why`): shown by `newsclean clean --explain`, not stored."""

    @property
    def doc_id(self) -> str:
        """The document's stable id (place + content, see `cleaners.identity`)."""
        return identity.doc_id(self.source, self.key, self.raw_hash)

    @property
    def text(self) -> str:
        """The body: kept lines joined by newlines."""
        return "\n".join(self.lines)
