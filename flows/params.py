"""Run parameters: one pydantic model, validated before any work starts.

Its field descriptions become the form of the deployment in the Prefect UI.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field, field_validator, model_validator

from cleaners.config import DedupConfig, Settings


class IngestParams(BaseModel):
    """Parameters of one `ingest` run."""

    inputs: list[str] = Field(
        default_factory=lambda: ["seeds"],
        description="Input files, directories (walked recursively) or glob patterns: .html/.htm, "
        ".warc/.warc.gz, .jsonl/.jsonl.gz, .txt",
        min_length=1,
    )
    warehouse: str = Field("warehouse", description="Warehouse root directory (created if missing).")
    threshold: float = Field(
        0.5, gt=0.0, le=1.0, description="Verified Jaccard at or above which two bodies are the same story."
    )
    containment: float = Field(
        0.8, gt=0.0, le=1.0, description="Verified containment at or above which a trimmed copy joins its original."
    )
    workers: int = Field(
        0, ge=0, le=256, description="Parallel batch workers (processes); 0 = one per CPU core."
    )
    batch_mb: int = Field(64, ge=1, le=4096, description="Target input megabytes per batch task.")
    batch_files: int = Field(2000, ge=1, le=1_000_000, description="Maximum input files per batch task.")
    min_words: int = Field(20, ge=0, description="Bodies shorter than this after cleaning are rejected.")
    site_min_pages: int = Field(
        3, ge=2, description="A line on this many distinct pages of one domain is site boilerplate."
    )
    disabled_rules: list[str] = Field(
        default_factory=list,
        description="Cleaning rules to switch off, by name or prefix (e.g. 'markup', 'byline.bio'); see README.",
    )
    keep_headline: bool = Field(
        True, description="Keep the headline as the body's first line where the page shows it (it is in `title` too)."
    )
    dask_address: str | None = Field(
        None, description="Address of an existing Dask scheduler (tcp://host:8786) to run batches on."
    )
    max_doc_mb: float = Field(20.0, gt=0, description="Largest document (raw bytes, in MB); larger ones are rejected.")
    max_decompressed_mb: float = Field(
        2000.0, gt=0, description="Most decompressed data read from one .gz input (MB); reading stops past it."
    )
    max_extract_seconds: float = Field(
        30.0, gt=0, description="Seconds one document may spend in extraction and cleaning before it is rejected."
    )
    lock_timeout: float = Field(3600.0, ge=0, description="Seconds to wait for another run's warehouse lock.")

    @field_validator("disabled_rules")
    @classmethod
    def _known_rules(cls, v: list[str]) -> list[str]:
        from cleaners.boilerplate import CODE_RULES
        from cleaners.rules import RULES

        names = [r.name for r in RULES] + list(CODE_RULES) + ["site.repeated"]
        cleaned = [p.strip() for p in v if p and p.strip()]
        unknown = [p for p in cleaned if not any(n.startswith(p) for n in names)]
        if unknown:
            families = sorted({n.split(".")[0] for n in names})
            raise ValueError(f"disabled_rules: no rule starts with {unknown}; rule families: {', '.join(families)}")
        return cleaned

    @field_validator("inputs")
    @classmethod
    def _non_empty_paths(cls, v: list[str]) -> list[str]:
        cleaned = [p.strip() for p in v if p and p.strip()]
        if not cleaned:
            raise ValueError("inputs: give at least one file, directory or glob")
        return cleaned

    @model_validator(mode="after")
    def _thresholds(self) -> IngestParams:
        self.settings()  # raises ConfigError with the fix in its message
        return self

    @property
    def n_workers(self) -> int:
        return self.workers or (os.cpu_count() or 1)

    def settings(self) -> Settings:
        base = Settings()
        d = base.to_dict()
        d["dedup"].update(threshold=self.threshold, containment=self.containment,
                          candidate_threshold=min(DedupConfig().candidate_threshold, self.threshold))
        d["extract"]["min_words"] = self.min_words
        d["boilerplate"]["site_min_pages"] = self.site_min_pages
        d["boilerplate"]["keep_headline"] = self.keep_headline
        d["boilerplate"]["disabled_rules"] = tuple(self.disabled_rules)
        d["limits"]["max_doc_bytes"] = int(self.max_doc_mb * 1_000_000)
        d["limits"]["max_decompressed_bytes"] = int(self.max_decompressed_mb * 1_000_000)
        d["limits"]["max_extract_seconds"] = self.max_extract_seconds
        return Settings.from_dict(d)
