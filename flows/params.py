"""Run parameters: one pydantic model, validated before any work starts.

It is the one place where a run parameter's default, bounds, unit and description live: the
flow takes it as its parameter (so the Prefect UI's Custom run form shows every description
and the server refuses out-of-range values), the CLI builds its options from it and the README
table is generated from it. Defaults come from the frozen `cleaners.config` objects.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_validator, model_validator

from cleaners.config import BoilerplateConfig, DedupConfig, ExtractConfig, Limits, Settings, knob_info
from flows.alerts import AlertRules

_BP, _LIMITS = BoilerplateConfig(), Limits()


IDLE_DAYS_RANGE = (0, 100_000)
"""Allowed `--drop-idle-runs-after` / `idle_run_days`: days before a no-op run's row may go (0 = keep)."""


GROUPS = ("Inputs and warehouse", "Near-duplicates", "Cleaning", "Alerts", "Work units", "Limits", "Housekeeping")
"""The form's groups, in the order the form and docs/parameters.md show them."""


def _field(
    default: Any,
    description: str,
    *,
    title: str,
    group: str,
    unit: str = "",
    cli: str | None = None,
    **bounds: Any,
) -> Any:
    """A Field with a title in words ("Group · What (unit)") and a description ending with its
    unit and bounds (shown in the UI form and --help)."""
    assert group in GROUPS, group
    parts = []
    lo = bounds.get("ge", bounds.get("gt"))
    hi = bounds.get("le", bounds.get("lt"))
    if lo is not None or hi is not None:
        left = "[" if "ge" in bounds else "("
        right = "]" if "le" in bounds else ")"
        parts.append(f"range {left}{'' if lo is None else lo}, {'' if hi is None else hi}{right}")
    if unit:
        parts.append(f"unit: {unit}")
    text = description + (f" ({'; '.join(parts)})" if parts else "")
    extra: dict[str, JsonValue] = {"group": group, **({"cli": cli} if cli else {})}
    label = f"{group} · {title}" + (f" ({unit})" if unit else "")
    if callable(default):
        return Field(default_factory=default, title=label, description=text, json_schema_extra=extra, **bounds)
    return Field(default, title=label, description=text, json_schema_extra=extra, **bounds)


def _knob(cls: type, name: str, *, title: str, group: str) -> Any:
    """A parameter that is a config knob: default, bounds, unit and description all from `cleaners.config`."""
    default, description, unit, bounds = knob_info(cls, name)
    return _field(default, description, title=title, group=group, unit=unit, **dict[str, Any](bounds))


class IngestParams(BaseModel):
    """Parameters of one `ingest` run."""

    model_config = ConfigDict(extra="forbid", title="Ingest parameters")

    inputs: list[str] = _field(
        lambda: ["seeds"],
        "Input files, directories (walked recursively) or glob patterns: .html/.htm, .warc/.warc.gz, "
        ".jsonl/.jsonl.gz, .txt. A path that does not exist is an error; a glob that matches nothing is not.",
        min_length=1,
        title="Inputs",
        group="Inputs and warehouse",
    )
    warehouse: str = _field(
        "warehouse",
        "Warehouse root directory (created if missing).",
        title="Warehouse folder",
        group="Inputs and warehouse",
    )
    page_types: list[str] = _field(
        lambda: ["article"],
        "Page types kept in `articles` (article, listing, forum, product, documentation, service, other); "
        "other pages are `not_an_article` rejects.",
        cli="--page-type",
        title="Page types kept",
        group="Inputs and warehouse",
    )
    threshold: float = _knob(DedupConfig, "threshold", title="Similarity threshold", group="Near-duplicates")
    containment: float = _knob(DedupConfig, "containment", title="Containment threshold", group="Near-duplicates")
    min_words: int = _knob(ExtractConfig, "min_words", title="Fewest words in an article", group="Cleaning")
    site_min_pages: int = _knob(
        BoilerplateConfig, "site_min_pages", title="Pages before a site's lines are learned", group="Cleaning"
    )
    disabled_rules: list[str] = _field(
        list,
        "Cleaning rules to switch off, by name or prefix (e.g. 'markup', 'byline.bio'); see docs/rules.md.",
        cli="--disable-rule",
        title="Rules switched off",
        group="Cleaning",
    )
    keep_headline: bool = _field(
        _BP.keep_headline,
        "Keep the headline as the body's first line where the page shows it (it is in `title` either way).",
        cli="--keep-headline",
        title="Keep the headline in the body",
        group="Cleaning",
    )
    alert_reject_share: float = _field(
        0.5,
        "Alert (`newsclean.alert.rejects`) when more than this share of a run's new documents is rejected "
        "(or the share doubles against the previous run).",
        unit="share",
        gt=0,
        le=1,
        title="Reject share that alerts",
        group="Alerts",
    )
    alert_idle_runs: int = _field(
        6,
        "Alert (`newsclean.alert.inbox_idle`) after this many runs in a row with no new or changed document; "
        "0 = never.",
        unit="runs",
        ge=0,
        le=100_000,
        title="Idle runs that alert",
        group="Alerts",
    )
    workers: int = _field(
        0,
        "Parallel worker processes; 0 = one per CPU core.",
        unit="processes",
        ge=0,
        le=256,
        title="Worker processes",
        group="Work units",
    )
    batch_mb: int = _field(
        64,
        "Largest input per work unit; smaller units are planned so every worker is busy.",
        unit="MB",
        ge=1,
        le=4096,
        title="Largest work unit",
        group="Work units",
    )
    batch_files: int = _field(
        2000,
        "Most input files per work unit.",
        unit="files",
        ge=1,
        le=1_000_000,
        title="Most files per work unit",
        group="Work units",
    )
    dask_address: str = _field(
        "",
        "Address of an existing Dask scheduler (tcp://host:8786) to run batches and dedup on; empty = local processes.",
        title="Dask scheduler address",
        group="Work units",
    )
    dedup_part_docs: int = _knob(DedupConfig, "part_docs", title="Documents per dedup part", group="Work units")
    max_doc_mb: float = _field(
        _LIMITS.max_doc_bytes / 1e6,
        "Largest document; larger ones are rejected (too_large).",
        unit="MB",
        gt=0,
        le=10_000,
        title="Largest document",
        group="Limits",
    )
    max_decompressed_mb: float = _field(
        _LIMITS.max_decompressed_bytes / 1e6,
        "Most decompressed data read from one .gz input; reading stops past it.",
        unit="MB",
        gt=0,
        le=1_000_000,
        title="Most decompressed data per file",
        group="Limits",
    )
    max_extract_seconds: float = _field(
        _LIMITS.max_extract_seconds,
        "Time one document may spend in extraction and cleaning before it is rejected (timeout).",
        unit="seconds",
        gt=0,
        le=3600,
        title="Longest extraction per document",
        group="Limits",
    )
    keep_raw: bool = _field(
        True,
        "Keep every stored document's raw content and input fields in the warehouse (`raw_records`, "
        "`raw_pages`), so stored articles can be derived again when the cleaner or its settings change.",
        cli="--no-keep-raw",
        title="Keep raw pages",
        group="Inputs and warehouse",
    )
    allow_outside_links: bool = _field(
        False,
        "Read files that links inside an input folder point to outside it "
        "(refused by default: `outside_input` rejects).",
        title="Follow links out of input folders",
        group="Limits",
    )
    retry_after_runs: int = _field(
        24,
        "An unchanged file that gave transient rejects (corrupt, unreadable, timeout) is read again after "
        "this many runs; a changed one at once.",
        unit="runs",
        ge=1,
        le=100_000,
        title="Runs before a broken file is retried",
        group="Limits",
    )
    lock_timeout: float = _field(
        3600.0,
        "How long to wait for another run's warehouse lock before failing.",
        unit="seconds",
        ge=0,
        le=86_400,
        title="Longest wait for the warehouse lock",
        group="Limits",
    )

    compact_files: int = _field(
        200,
        "After a run, compact the warehouse (`newsclean compact`) when a table has more files than this; 0 = never.",
        unit="files",
        ge=0,
        le=1_000_000,
        title="Files per table before compaction",
        group="Housekeeping",
    )

    idle_run_days: int = _field(
        0,
        "When a run compacts, drop the `runs` rows of runs that found nothing new and finished more than this "
        "many days ago; 0 = keep every row.",
        unit="days",
        ge=IDLE_DAYS_RANGE[0],
        le=IDLE_DAYS_RANGE[1],
        title="Days before a no-op run's row is dropped",
        group="Housekeeping",
    )

    @field_validator("disabled_rules")
    @classmethod
    def _known_rules(cls, v: list[str]) -> list[str]:
        from cleaners.rules import families, unknown_prefixes

        cleaned = [p.strip() for p in v if p and p.strip()]
        unknown = unknown_prefixes(cleaned)
        if unknown:
            raise ValueError(f"no rule starts with {unknown}; rule families: {', '.join(families())}")
        return cleaned

    @field_validator("page_types")
    @classmethod
    def _known_types(cls, v: list[str]) -> list[str]:
        from cleaners.page_types import PageType

        cleaned = list(dict.fromkeys(t.strip().lower() for t in v if t and t.strip()))
        unknown = sorted(set(cleaned) - {t.value for t in PageType})
        if unknown:
            raise ValueError(f"unknown page types {unknown}; page types: {', '.join(t.value for t in PageType)}")
        if not cleaned:
            raise ValueError("keep at least one page type (article)")
        return cleaned

    @field_validator("inputs")
    @classmethod
    def _non_empty_paths(cls, v: list[str]) -> list[str]:
        cleaned = [p.strip() for p in v if p and p.strip()]
        if not cleaned:
            raise ValueError("give at least one file, directory or glob")
        return cleaned

    @model_validator(mode="after")
    def _thresholds(self) -> IngestParams:
        self.settings()  # raises ConfigError with the fix in its message
        return self

    @property
    def n_workers(self) -> int:
        """Worker processes this run uses (workers, or one per core)."""
        return self.workers or (os.cpu_count() or 1)

    def alert_rules(self) -> AlertRules:
        """The bounds this run's alerts are judged by."""
        return AlertRules(reject_share=self.alert_reject_share, idle_runs=self.alert_idle_runs)

    def settings(self) -> Settings:
        """The frozen cleaning/dedup settings these parameters select (built once per run)."""
        base = Settings()
        return replace(
            base,
            dedup=replace(
                base.dedup,
                threshold=self.threshold,
                containment=self.containment,
                part_docs=self.dedup_part_docs,
            ),
            extract=replace(base.extract, min_words=self.min_words, page_types=tuple(self.page_types)),
            boilerplate=replace(
                base.boilerplate,
                site_min_pages=self.site_min_pages,
                keep_headline=self.keep_headline,
                disabled_rules=tuple(self.disabled_rules),
            ),
            limits=replace(
                base.limits,
                max_doc_bytes=int(self.max_doc_mb * 1_000_000),
                max_decompressed_bytes=int(self.max_decompressed_mb * 1_000_000),
                max_extract_seconds=self.max_extract_seconds,
            ),
        )


class ParameterError(ValueError):
    """Invalid run parameters; the message is one line per field, naming the field and the fix."""


def one_line_errors(e: ValidationError) -> str:
    """pydantic's errors as `field: problem (got value)`, joined by '; '."""
    out = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "parameters"
        msg = err["msg"].removeprefix("Value error, ")
        got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict) else ""
        hint = ""
        desc = IngestParams.model_fields.get(str(err["loc"][0]) if err["loc"] else "")
        if desc is not None and desc.description and "range" in desc.description:
            hint = "; allowed " + desc.description[desc.description.index("range") :].rstrip(")")
        out.append(f"{loc}: {msg}{got}{hint}")
    return "; ".join(out)


def validate(params: IngestParams | dict[str, Any]) -> IngestParams:
    """Parameters from the CLI, the UI form or the API as a model, or ParameterError in one line."""
    if isinstance(params, IngestParams):
        return params
    try:
        return IngestParams.model_validate(params or {})
    except ValidationError as e:
        raise ParameterError(f"invalid ingest parameters: {one_line_errors(e)}") from None


def preflight(params: IngestParams) -> list[str]:
    """Problems found before any work: inputs that do not exist, a warehouse that cannot be written."""
    from flows.discovery import is_glob, reaches, unreadable_input

    problems = []
    for item in params.inputs:
        if not is_glob(item) and not os.path.lexists(item):
            problems.append(f"input not found: {item}")
        elif (why := unreadable_input(item)) is not None:
            problems.append(why)
    wh = os.path.abspath(params.warehouse)
    probe = wh
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    from flows.warehouse import check_root

    if os.path.exists(wh) and not os.path.isdir(wh):
        problems.append(f"warehouse is not a directory: {params.warehouse}")
    elif (pseudo := pseudo_filesystem(probe)) is not None:
        problems.append(
            f"warehouse is on a {pseudo} pseudo file system, which cannot hold files: {params.warehouse}; "
            "give a folder on a disk"
        )
    elif not os.path.isdir(probe) or not os.access(probe, os.W_OK | os.X_OK):
        problems.append(f"warehouse is not writable: {params.warehouse} ({probe} does not allow writing)")
    elif (foreign := check_root(wh)) is not None:
        problems.append(foreign)
    for item in params.inputs:
        if reaches(item, wh):
            problems.append(
                f"warehouse {params.warehouse} is inside the input {item}: its own files would be "
                "read as input; give a warehouse outside the inputs"
            )
    return problems


COMPACT_ROWS = 1_000_000
"""Default rows per compacted file (`newsclean compact --rows`)."""
COMPACT_ROWS_RANGE = (1, 1_000_000_000)
"""Allowed rows per compacted file: the one bound the CLI and `compact` check."""


def check_idle_days(days: int) -> int:
    """`days` if it is in IDLE_DAYS_RANGE, else ValueError naming the range."""
    lo, hi = IDLE_DAYS_RANGE
    if not lo <= days <= hi:
        raise ValueError(f"idle-run retention must be in [{lo}, {hi}] days (0 = keep every row), got {days}")
    return days


def check_rows(rows: int) -> int:
    """`rows` if it is in COMPACT_ROWS_RANGE, else ValueError naming the range."""
    lo, hi = COMPACT_ROWS_RANGE
    if not lo <= rows <= hi:
        raise ValueError(f"--rows must be in [{lo:,}, {hi:,}] (rows per compacted file), got {rows}")
    return rows


PSEUDO_FILESYSTEMS = frozenset(
    {"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "pstore",
     "bpf", "configfs", "fusectl", "mqueue", "binfmt_misc", "autofs", "efivarfs", "hugetlbfs", "rpc_pipefs"}
)  # fmt: skip
"""Kernel file systems where a warehouse could never live (writes fail or vanish)."""


def pseudo_filesystem(path: str) -> str | None:
    """The kernel pseudo file system `path` is on (by /proc/self/mounts), or None."""
    try:
        with open("/proc/self/mounts") as fh:
            mounts = fh.read().splitlines()
    except OSError:
        return None
    real = os.path.realpath(path)
    best, kind = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, parts[2]
    return kind if kind in PSEUDO_FILESYSTEMS else None


def markdown_table() -> str:
    """The run parameters as a Markdown table (pasted into the README; a test keeps them equal)."""
    rows = ["| parameter | CLI | default | meaning |", "|---|---|---|---|"]
    group = ""
    for name, f in IngestParams.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        if extra.get("group") != group:
            group = str(extra.get("group"))
            rows.append(f"| **{group}** | | | |")
        flag = "INPUT ..." if name == "inputs" else str(extra.get("cli") or f"--{name.replace('_', '-')}")
        default = f.get_default(call_default_factory=True)
        rows.append(f"| `{name}` | `{flag}` | `{default!r}` | {f.description} |")
    return "\n".join(rows)
