"""One frozen settings object per stage, validated on creation; errors name the fix."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import Field, asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any

from cleaners.rules import RuleSet, families, rule_set, unknown_prefixes


class ConfigError(ValueError):
    """A setting is out of range; the message says which and what to use instead."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


_OPS: dict[str, tuple[str, Callable[[Any, float], bool]]] = {
    "ge": (">=", lambda v, b: bool(v >= b)),
    "gt": (">", lambda v, b: bool(v > b)),
    "le": ("<=", lambda v, b: bool(v <= b)),
}


def knob(default: Any, description: str, *, unit: str = "", **bounds: float) -> Any:
    """A setting whose default, bounds (ge/gt/le), unit and description live here, in one place.

    The config checks the bounds on creation; the run parameters (CLI, Prefect form, README)
    read all four from the field (`knob_info`).
    """
    unknown = set(bounds) - set(_OPS)
    if unknown:
        raise TypeError(f"knob bounds are ge/gt/le, not {sorted(unknown)}")
    return field(default=default, metadata={"description": description, "unit": unit, "bounds": bounds})


def knob_info(cls: type, name: str) -> tuple[Any, str, str, dict[str, float]]:
    """(default, description, unit, bounds) of the knob `name` of config class `cls`."""
    f: Field[Any] = next(f for f in fields(cls) if f.name == name)
    return f.default, f.metadata["description"], f.metadata["unit"], dict(f.metadata["bounds"])


def _check_knobs(obj: Any) -> None:
    for f in fields(obj):
        for op, bound in f.metadata.get("bounds", {}).items():
            sign, ok = _OPS[op]
            value = getattr(obj, f.name)
            _check(ok(value, bound), f"{type(obj).__name__}.{f.name} must be {sign} {bound}, got {value}")


@dataclass(frozen=True)
class Limits:
    """Caps that keep one hostile input from sinking a run (documented in the README)."""

    max_doc_bytes: int = 20_000_000
    """Raw bytes of one document; larger documents are rejected at `read`."""
    max_decompressed_bytes: int = 2_000_000_000
    """Decompressed bytes of one `.gz` input file; reading stops (and rejects the rest) past it."""
    max_line_chars: int = 100_000
    """Longest text line kept from a `.txt` body or extracted text; longer lines are cut."""
    max_extract_seconds: float = 30.0
    """Wall time one document may spend in cleaning; slower ones are rejected (`timeout`)."""

    def __post_init__(self) -> None:
        for name in ("max_doc_bytes", "max_decompressed_bytes", "max_line_chars", "max_extract_seconds"):
            _check(getattr(self, name) > 0, f"Limits.{name} must be > 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class ExtractConfig:
    """trafilatura options, chosen by measurement (see BENCHMARKS.md)."""

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    date_extensive_search: bool = False
    """htmldate's text-wide search guesses a date from any year in the page ("© 2024", "since
    2010") and reports it as January 1st; off, dates come from markup (meta tags, <time>,
    URL) and then from the body's own dateline ("Published on 3 March 2023")."""
    min_words: int = knob(
        20, "Bodies shorter than this after cleaning are rejected (too_short).", unit="words", ge=0, le=100_000
    )
    arbitrate: bool = True
    """Choose each page's body among trafilatura's, readability's and their merge
    (`cleaners.arbitrate`, a fitted model); off: trafilatura's body alone."""
    page_types: tuple[str, ...] = ("article",)
    """Page types kept in `articles` (`cleaners.page_types.PageType`); other pages are
    `not_an_article` rejects."""

    def __post_init__(self) -> None:
        _check(
            not (self.favor_precision and self.favor_recall),
            "ExtractConfig: set at most one of favor_precision / favor_recall",
        )
        from cleaners.page_types import PageType

        known = {t.value for t in PageType}
        bad = sorted(set(self.page_types) - known)
        _check(not bad, f"ExtractConfig.page_types: unknown {bad}; page types: {', '.join(sorted(known))}")
        _check(bool(self.page_types), "ExtractConfig.page_types: keep at least one page type")
        _check_knobs(self)


@dataclass(frozen=True)
class BoilerplateConfig:
    """Line-rule and site-learning switches."""

    enabled_rules: tuple[str, ...] = ()
    """Rule-name prefixes to enable (empty = all rules), e.g. ("subscribe", "comments")."""
    disabled_rules: tuple[str, ...] = ()
    """Rule-name prefixes to disable, applied after `enabled_rules`."""
    site_min_pages: int = knob(
        3,
        "A line on this many distinct pages of one domain is site boilerplate "
        "(2 at least: a domain seen once never loses a line).",
        unit="pages",
        ge=2,
        le=1_000_000,
    )
    site_max_line_words: int = 40
    """Only lines up to this many words are profiled: long paragraphs are article text."""
    keep_headline: bool = False
    """Keep the headline where the page shows it, as the body's first line. Off by default:
    `text` is the body alone (readers and near-duplicate detection want it), the headline is in
    `title`. Either way a second copy, or the title with a section/site trail ("Headline |
    Politics | Site"), goes as `title.repeat`."""

    def __post_init__(self) -> None:
        _check_knobs(self)
        _check(self.site_max_line_words >= 1, "BoilerplateConfig.site_max_line_words must be >= 1")
        unknown = unknown_prefixes(self.enabled_rules + self.disabled_rules)
        _check(
            not unknown,
            f"BoilerplateConfig: no rule starts with {unknown}; rule families: {', '.join(families())}",
        )

    @property
    def rules(self) -> RuleSet:
        """The rules these switches leave on (the one switch every stage reads)."""
        return rule_set(self.enabled_rules, self.disabled_rules)


@dataclass(frozen=True)
class NormalizeConfig:
    """Text normalization steps; every step is idempotent."""

    fix_mojibake: bool = True
    unicode_form: str = "NFC"
    ascii_quotes: bool = True
    unify_dashes: bool = True
    fix_homoglyphs: bool = True
    """Cyrillic/Greek look-alike letters inside otherwise Latin words ("Аdvеrtіѕе", used to
    dodge filters) become Latin; words wholly in Cyrillic or Greek are left alone."""

    def __post_init__(self) -> None:
        _check(
            self.unicode_form in {"NFC", "NFKC"},
            f"NormalizeConfig.unicode_form must be 'NFC' or 'NFKC', got {self.unicode_form!r}",
        )


CANONICAL_ORDER: tuple[tuple[str, bool], ...] = (("published_at", False), ("n_words", True), ("doc_id", False))
"""The canonical-copy policy, stated once: a cluster's members sorted by these (column, descending)
keys, unknown values last; the first is canonical and its doc_id is the `cluster_id`. That is:
the earliest `published_at` (unknown dates last), then the longest body, then the smallest doc_id.
Applied over the whole cluster, stored and new members alike (`cleaners/clusters.py`)."""


@dataclass(frozen=True)
class DedupConfig:
    """Near-duplicate detection settings (method and defaults explained in the README)."""

    shingle_size: int = 5
    """Word n-gram size for shingles."""
    num_perm: int = 128
    """MinHash permutations."""
    seed: int = 1
    """Permutation seed (datasketch's default, so signatures match datasketch's)."""
    threshold: float = knob(0.5, "Verified Jaccard at or above which two bodies are the same story.", gt=0.0, le=1.0)
    containment: float = knob(
        0.8, "Verified containment at or above which a trimmed copy joins its original.", gt=0.0, le=1.0
    )
    min_shingles_for_containment: int = 30
    """The smaller body needs this many shingles before containment alone may join it."""
    part_docs: int = knob(
        250_000,
        "Documents deduplicated at a time: a larger run is split into parts, each checked against the stored "
        "index and the parts before it, so memory depends on this, not on the run or the warehouse.",
        unit="documents",
        ge=1,
        le=100_000_000,
    )
    candidate_threshold: float = 0.4
    """Jaccard the LSH bands are tuned for (via datasketch's optimiser); lower = more recall."""
    false_negative_weight: float = 0.8
    """Weight of misses vs. spurious candidates in datasketch's band optimiser."""

    def __post_init__(self) -> None:
        _check(self.shingle_size >= 1, f"DedupConfig.shingle_size must be >= 1, got {self.shingle_size}")
        _check(
            8 <= self.num_perm <= 1024,
            f"DedupConfig.num_perm must be between 8 and 1024, got {self.num_perm}",
        )
        _check_knobs(self)
        for name in ("candidate_threshold", "false_negative_weight"):
            value = getattr(self, name)
            _check(0.0 < value <= 1.0, f"DedupConfig.{name} must be in (0, 1], got {value}")

    @property
    def lsh_threshold(self) -> float:
        """The Jaccard the bands are tuned for: `candidate_threshold`, or `threshold` when that is
        lower (LSH must propose every pair verification could accept)."""
        return min(self.candidate_threshold, self.threshold)

    @property
    def bands_rows(self) -> tuple[int, int]:
        """LSH (bands, rows) from datasketch's own false-positive/false-negative optimiser."""
        return optimal_bands_rows(self.lsh_threshold, self.num_perm, self.false_negative_weight)


@lru_cache(maxsize=32)
def optimal_bands_rows(threshold: float, num_perm: int, fn_weight: float) -> tuple[int, int]:
    """Bands/rows minimising datasketch's weighted false-positive + false-negative error."""
    from datasketch.lsh import _optimal_param

    bands, rows = _optimal_param(threshold, num_perm, 1.0 - fn_weight, fn_weight)
    return int(bands), int(rows)


@dataclass(frozen=True)
class Settings:
    """Everything a run's cleaning depends on; its fingerprint keys cached batch results."""

    limits: Limits = field(default_factory=Limits)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)

    def to_dict(self) -> dict[str, Any]:
        """Every setting as plain data (JSON-able; `from_dict` reads it back)."""
        return asdict(self)

    def fingerprint(self) -> str:
        """Stable short hash of every setting (and the library version)."""
        from cleaners import __version__

        payload = json.dumps({"v": __version__, **self.to_dict()}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Settings from `to_dict` output (lists become the tuples the frozen configs hold)."""
        extract: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.get("extract", {}).items()
        }
        boilerplate: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.get("boilerplate", {}).items()
        }
        return cls(
            limits=Limits(**data.get("limits", {})),
            extract=ExtractConfig(**extract),
            boilerplate=BoilerplateConfig(**boilerplate),
            normalize=NormalizeConfig(**data.get("normalize", {})),
            dedup=DedupConfig(**data.get("dedup", {})),
        )
