"""Which candidate body a page keeps: a small fitted model weighs how the candidates agree.

The candidates (`cleaners.candidates`), each cleaned by the same line rules: `trafilatura`
(trafilatura's main text, today's body), `readability` (the readability-lxml body trafilatura
computed inside its call) and `merged` (trafilatura's lines plus the readability lines it lacks
that the judge backs). The evidence (`FEATURES`): how much of each candidate the other and the
judge (resiliparse's main content) hold, their lengths against the judge's and the page's, their
line shapes, and a few page facts (page-type score, link share). For each alternative a linear
model (ridge regression) predicts how much better its body is than trafilatura's (shingle F1);
the page keeps the alternative with the largest predicted gain when that gain is over `MARGIN`,
else trafilatura's body (the choice when unsure).

The model is fitted by `python -m benchmarks.arbitration --fit` on the shipped feature rows
(`models/arbitration_train.parquet`: Apache-2.0 pages only, numbers, no page text), and
`tests/cleaners/test_arbitrate.py` refits it and compares with `models/arbitration.json`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np

from cleaners.candidates import Shingles, shingles


class Candidate(StrEnum):
    """Where an article's body came from (the `extraction` column)."""

    TRAFILATURA = "trafilatura"
    READABILITY = "readability"
    MERGED = "merged"
    TEXT = "text"
    """The input was text, not a page: nothing to choose."""


ALTERNATIVES = (Candidate.READABILITY, Candidate.MERGED)
"""The candidates the model weighs against trafilatura's body."""

_PAGE_FACTS = ("log_words", "link_share", "links_per_100_words", "paragraphs_20", "main_share")
_SHAPE = ("in_judge", "judge_in", "words_vs_judge", "words_vs_page", "lines", "mean_line_words", "short_lines")
FEATURES: tuple[str, ...] = (
    "trafilatura_in_readability",
    "readability_in_trafilatura",
    "p_article",
    "judge_vs_page",
    "trafilatura_removed",
    "readability_removed",
    *_PAGE_FACTS,
    *(f"{c.value}_{s}" for c in (Candidate.TRAFILATURA, *ALTERNATIVES) for s in _SHAPE),
)

MARGIN = 0.01
"""Predicted F1 gain an alternative needs over trafilatura's body to be chosen."""
AGREE = 0.95
"""Mutual agreement of the two extracted texts at or above which a run does not weigh the page:
trafilatura's body is kept without cleaning the second candidate or asking the judge. A bound for
cost (about half the pages with two candidates agree this closely, and they carry little of the
gain); the model is still fitted on those pages' rows."""


def agreement(a: str, b: str) -> float:
    """The smaller of the two shares of each text's shingles found in the other."""
    sa, sb = shingles(a), shingles(b)
    return min(_cover(sa, sb), _cover(sb, sa))


def _cover(a: Shingles, b: Shingles) -> float:
    """Share of `a` found in `b` (0 for an empty `a`)."""
    return len(a & b) / len(a) if a else 0.0


def _shape(lines: Sequence[str]) -> tuple[float, float, float, float]:
    """(log words, log lines, log mean words a line, share of lines under 6 words)."""
    counts = [len(ln.split()) for ln in lines if ln.strip()]
    n = max(1, len(counts))
    words = sum(counts)
    return math.log1p(words), math.log1p(len(counts)), math.log1p(words / n), sum(k < 6 for k in counts) / n


@dataclass(frozen=True, slots=True)
class Bodies:
    """The cleaned lines of each candidate, and how much of its extracted text the rules removed."""

    trafilatura: Sequence[str]
    readability: Sequence[str]
    merged: Sequence[str]
    trafilatura_removed: float
    readability_removed: float


def features(bodies: Bodies, judge: str, page: Mapping[str, float], p_article: float | None) -> list[float]:
    """The model's evidence for one page, in `FEATURES` order."""
    texts = {
        Candidate.TRAFILATURA: bodies.trafilatura,
        Candidate.READABILITY: bodies.readability,
        Candidate.MERGED: bodies.merged,
    }
    sh = {c: shingles("\n".join(lines)) for c, lines in texts.items()}
    j = shingles(judge)
    judge_words = math.log1p(len(judge.split()))
    page_words = page.get("log_words", 0.0)
    out = [
        _cover(sh[Candidate.TRAFILATURA], sh[Candidate.READABILITY]),
        _cover(sh[Candidate.READABILITY], sh[Candidate.TRAFILATURA]),
        p_article if p_article is not None else 1.0,
        judge_words - page_words,
        bodies.trafilatura_removed,
        bodies.readability_removed,
        *(page.get(k, 0.0) for k in _PAGE_FACTS),
    ]
    for c, lines in texts.items():
        words, n_lines, mean_words, short = _shape(lines)
        out += [_cover(sh[c], j), _cover(j, sh[c]), words - judge_words, words - page_words, n_lines, mean_words, short]
    return out


@dataclass(frozen=True, slots=True)
class Linear:
    """One alternative's fitted gain model: standardize, then a dot product."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def predict(self, x: Sequence[float]) -> float:
        """Predicted F1 gain over trafilatura's body."""
        z = (np.asarray(x, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(z @ np.asarray(self.coef) + self.intercept)


@dataclass(frozen=True, slots=True)
class Choice:
    """The body a page keeps and why: each alternative's predicted gain."""

    candidate: Candidate
    gains: tuple[tuple[Candidate, float], ...] = ()
    agreement: float | None = None
    """When the page was not weighed because its two texts agree: how much."""

    def why(self) -> str:
        """One line for `explain`: the choice and the predicted gains."""
        if self.agreement is not None:
            return f"{self.candidate.value} (readability's text agrees: {self.agreement:.2f} >= {AGREE})"
        if not self.gains:
            return f"{self.candidate.value} (nothing to choose)"
        told = ", ".join(f"{c.value} {g:+.3f}" for c, g in self.gains)
        return f"{self.candidate.value} (predicted F1 gain over trafilatura: {told}; margin {MARGIN})"


MODEL_FILE = "arbitration.json"


def model_from_json(text: str) -> dict[Candidate, Linear]:
    """The fitted models of a model file's text (`{alternative: {mean, scale, coef, intercept}}`)."""
    data = json.loads(text)
    if tuple(data["features"]) != FEATURES:
        raise ValueError("arbitration model: its features differ from FEATURES; refit it")
    return {
        Candidate(name): Linear(tuple(m["mean"]), tuple(m["scale"]), tuple(m["coef"]), float(m["intercept"]))
        for name, m in data["models"].items()
    }


@lru_cache(maxsize=1)
def _model() -> dict[Candidate, Linear]:
    """The shipped model (`models/arbitration.json`), loaded once per process."""
    path = Path(str(files("cleaners") / "models" / MODEL_FILE))
    return model_from_json(path.read_text(encoding="utf-8"))


def choose(x: Sequence[float], model: Mapping[Candidate, Linear] | None = None) -> Choice:
    """The candidate a page with evidence `x` keeps (trafilatura's unless an alternative wins by MARGIN)."""
    models = _model() if model is None else model
    gains = tuple((c, round(models[c].predict(x), 4)) for c in ALTERNATIVES if c in models)
    best = max(gains, key=lambda cg: cg[1], default=None)
    if best is None or best[1] <= MARGIN:
        return Choice(Candidate.TRAFILATURA, gains)
    return Choice(best[0], gains)
