"""Typed summaries that cross the flow's modules: a work unit's, the staged tables', the run's.

`COUNTS` is the one list of a run's counts: the `runs` row, the previous-run comparison, the
completion event, the report and `newsclean runs` all read it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.manifest import FilePart

COUNTS = (
    "n_documents",
    "n_skipped",
    "n_articles",
    "n_duplicates",
    "n_clusters",
    "n_rejects",
    "n_removed_lines",
    "n_bad_dates",
)
"""A run's counts, in the order tables and reports show them."""


@dataclass(frozen=True)
class BatchSummary:
    """What one work unit did: its documents, what it skipped, cleaned and rejected."""

    batch: int
    key: str
    files: int
    units: int
    documents: int
    skipped: int
    cleaned: int
    rejected: int
    reject_reasons: dict[str, int]
    removed_lines: int
    file_parts: tuple[FilePart, ...]
    seconds: float
    reused: bool = False

    def data(self) -> dict[str, Any]:
        """The summary as JSON data (written next to the batch's outputs as its done marker)."""
        data = dataclasses.asdict(self)
        data["reused"] = False
        return data

    @classmethod
    def read(cls, path: Path) -> BatchSummary:
        """A finished batch's summary, marked as reused."""
        data = json.loads(path.read_text())
        data["file_parts"] = tuple(FilePart(**fp) for fp in data.get("file_parts", []))
        data["reused"] = True
        return cls(**data)


@dataclass(frozen=True)
class SiteCounts:
    """One site's row of the report: this run's articles, duplicates, rejects (`failed`: those
    other than ROUTINE_REASONS), removed lines."""

    domain: str
    articles: int
    duplicates: int
    rejects: int
    failed: int
    lines_removed: int


@dataclass(frozen=True)
class ArticleChange:
    """One of the run's articles as the report lists it: new, or a new version of a stored input."""

    title: str | None
    domain: str | None
    source: str
    revised: bool
    canonical: bool


STALE_NOTE = (
    "{n} stored articles were cleaned with other settings or another cleaner version; "
    "`newsclean reclean` applies the current ones"
)
"""The one line a run logs and reports when stored articles are not what the current cleaner gives."""


@dataclass(frozen=True)
class RawStaged:
    """What a run added to the raw store (`flows/raw_store.py`)."""

    records: int
    pages: int
    content_bytes: int
    """Bytes of the new content before compression (the stored files are zstd-compressed)."""


@dataclass(frozen=True)
class StagedRun:
    """What the dedup-and-stage step staged: the run's counts and what the report shows of them."""

    n_documents: int
    n_skipped: int
    n_articles: int
    n_duplicates: int
    n_clusters: int
    n_rejects: int
    n_removed_lines: int
    n_bad_dates: int
    n_relabelled: int
    bad_dates: list[tuple[str, str, str]]
    dedup: dict[str, int]
    timings: dict[str, float]
    reject_reasons: dict[str, int]
    rules: dict[str, int]
    cluster_sizes: dict[int, int]
    sites: list[SiteCounts]
    largest_clusters: list[tuple[str, str | None, int]]
    articles: list[ArticleChange] = field(default_factory=list)
    raw: RawStaged | None = None
    """What the raw store got; None when the run keeps no raw pages (`keep_raw` off)."""


@dataclass(frozen=True)
class PreviousRun:
    """The counts of the run committed before this one (for the report's comparison)."""

    run_id: str
    counts: dict[str, int]


@dataclass(frozen=True)
class RunSummary:
    """A whole run: where, what it read, its counts, timings and report material."""

    run_id: str
    warehouse: str
    n_files: int
    n_refused: int
    n_files_skipped: int
    n_batches: int
    workers: int | None
    missing_inputs: list[str]
    flow_run_id: str | None
    deployment: str | None
    n_documents: int
    n_skipped: int
    n_articles: int
    n_duplicates: int
    n_clusters: int
    n_rejects: int
    n_removed_lines: int
    n_bad_dates: int
    n_relabelled: int
    seconds: float
    timings: dict[str, float]
    reject_reasons: dict[str, int]
    rules: dict[str, int]
    cluster_sizes: dict[int, int]
    sites: list[SiteCounts]
    largest_clusters: list[tuple[str, str | None, int]]
    dedup: dict[str, int]
    bad_dates: list[tuple[str, str, str]] = field(default_factory=list)
    previous: PreviousRun | None = None
    articles: list[ArticleChange] = field(default_factory=list)
    n_stale: int = 0
    """Stored articles cleaned with other settings or another cleaner version (`newsclean reclean` renews them)."""

    def counts(self) -> dict[str, int]:
        """The run's `COUNTS`, by name."""
        return {k: int(getattr(self, k)) for k in COUNTS}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (`newsclean run --json`, the commit's snapshot info)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Recleaned:
    """What a re-clean did (`flows/reclean.py`): its run, the records derived again, what changed."""

    run_id: str
    n_records: int
    n_articles: int
    n_rejects: int
    n_changed: int
    """Articles whose text changed, that are new (a former reject) or gone (now a reject)."""
    seconds: float

    def line(self) -> str:
        """The one line `newsclean reclean` prints and the flow logs."""
        return (
            f"reclean {self.run_id}: {self.n_records} stored documents -> {self.n_articles} articles, "
            f"{self.n_rejects} rejects; {self.n_changed} articles changed, in {self.seconds:.1f} s"
        )
