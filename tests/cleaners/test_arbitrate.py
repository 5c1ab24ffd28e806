"""Arbitration (cleaners/arbitrate.py): the evidence, the choice and its margin, the shipped model
reproduced from its shipped rows, and the choice recorded on every cleaned document."""

from __future__ import annotations

import json
from dataclasses import replace

import polars as pl
import pytest

from benchmarks.arbitration import MODEL_JSON, TRAIN_ROWS, fit
from cleaners.arbitrate import (
    ALTERNATIVES,
    FEATURES,
    MARGIN,
    Bodies,
    Candidate,
    Linear,
    choose,
    features,
    model_from_json,
)
from cleaners.config import Settings
from cleaners.document import clean_document, weigh_candidates
from cleaners.records import CleanDoc, RawDoc

LINES = [
    "The regional council approved the new tram line on Thursday after a debate that lasted most of the night.",
    "Construction is expected to start next spring and the first trams should run before the end of 2028.",
]
N = len(FEATURES)


def _model(gains: dict[Candidate, float]) -> dict[Candidate, Linear]:
    """Models that predict a fixed gain whatever the evidence."""
    return {c: Linear((0.0,) * N, (1.0,) * N, (0.0,) * N, g) for c, g in gains.items()}


def test_features_follow_the_declared_order_and_see_agreement() -> None:
    same = Bodies(LINES, LINES, LINES, 0.1, 0.2)
    x = features(same, "\n".join(LINES), {"log_words": 3.0}, 0.9)
    assert len(x) == N
    named = dict(zip(FEATURES, x, strict=True))
    assert named["trafilatura_in_readability"] == named["readability_in_trafilatura"] == 1.0
    assert named["trafilatura_in_judge"] == 1.0 and named["p_article"] == 0.9
    apart = Bodies(LINES[:1], LINES[1:], LINES, 0.0, 0.0)
    named = dict(zip(FEATURES, features(apart, LINES[0], {}, None), strict=True))
    assert named["trafilatura_in_readability"] == 0.0 and named["readability_judge_in"] == 0.0


def test_an_alternative_needs_more_than_the_margin() -> None:
    x = [0.0] * N
    assert (
        choose(x, _model({Candidate.READABILITY: MARGIN + 0.01, Candidate.MERGED: 0.0})).candidate
        is Candidate.READABILITY
    )
    assert (
        choose(x, _model({Candidate.READABILITY: MARGIN, Candidate.MERGED: MARGIN})).candidate is Candidate.TRAFILATURA
    )
    picked = choose(x, _model({Candidate.READABILITY: 0.05, Candidate.MERGED: 0.08}))
    assert picked.candidate is Candidate.MERGED and "merged +0.080" in picked.why()


def test_a_model_of_other_features_is_refused() -> None:
    text = json.dumps({"features": ["a"], "models": {}})
    with pytest.raises(ValueError, match="refit"):
        model_from_json(text)


def test_shipped_model_is_reproduced_from_its_rows() -> None:
    rows = pl.read_parquet(TRAIN_ROWS)
    assert set(rows["set"]) == {"readability", "page-types-2025"}  # the Apache-2.0 sets only
    assert not {"id", "host", "url"} & set(rows.columns)  # numbers, no page names or sites
    shipped = json.loads(MODEL_JSON.read_text())
    refit = fit(rows)
    assert refit["features"] == shipped["features"] == list(FEATURES)
    for c in ALTERNATIVES:
        for key in ("mean", "scale", "coef"):
            assert refit["models"][c.value][key] == pytest.approx(shipped["models"][c.value][key], abs=1e-9)
        assert refit["models"][c.value]["intercept"] == pytest.approx(shipped["models"][c.value]["intercept"], abs=1e-9)


PAGE = (
    "<html><head><title>Tram line approved</title></head><body><nav>"
    + "".join(f"<a href='/s{i}'>Section {i}</a> " for i in range(8))
    + "</nav><article><h1>Tram line approved</h1>"
    + "".join(f"<p>{ln}</p>" for ln in LINES * 3)
    + "</article><footer>Contact us · Privacy</footer></body></html>"
)


def test_every_page_records_its_body_and_why() -> None:
    doc = clean_document(RawDoc("t", None, "file", url="https://example.org/a", html=PAGE.encode()), Settings())
    assert isinstance(doc, CleanDoc)
    assert doc.extraction in {c.value for c in Candidate} - {Candidate.TEXT.value}
    assert doc.extraction_why.startswith(doc.extraction)
    text = clean_document(RawDoc("t", None, "file", text="\n".join(LINES)), Settings())
    assert isinstance(text, CleanDoc) and text.extraction == Candidate.TEXT.value


def test_arbitration_off_keeps_trafilaturas_body() -> None:
    on = Settings()
    off = replace(on, extract=replace(on.extract, arbitrate=False))
    raw = RawDoc("t", None, "file", url="https://example.org/a", html=PAGE.encode())
    doc = clean_document(raw, off)
    assert isinstance(doc, CleanDoc) and doc.extraction == Candidate.TRAFILATURA.value
    weighed_doc, _ = weigh_candidates(raw, on)
    assert isinstance(weighed_doc, CleanDoc) and weighed_doc.lines == doc.lines
