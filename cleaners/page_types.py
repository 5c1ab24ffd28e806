"""Page types: is this page an article, and if not, what is it (a small fitted model, shipped).

Types: `article` (news stories, blog posts, op-eds, press releases: one main text written as a
piece), `listing` (home, section, tag, category, author, search and archive pages, topic hubs),
`forum` (threads, Q&A), `product`, `documentation`, `service` (landing, contact, pricing, legal,
login pages) and `other` (galleries, video and error pages: no labelled pages yet, so the model
does not predict it). A gradient-boosted model (LightGBM, multiclass) weighs the evidence of
`cleaners.page_features`; a page is an article when P(article) >= `ARTICLE_THRESHOLD`, a bound
chosen for the asymmetric cost (a lost article costs more than a kept listing).

The model is fitted by `python -m benchmarks.page_types --fit` on the shipped feature rows
(`models/page_types_train.parquet`: Apache-2.0 pages only, numbers, no page text), and
`tests/cleaners/test_page_types.py` refits it and compares with the shipped file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import polars as pl

from cleaners.page_features import FEATURES


class PageType(StrEnum):
    """What a page is (the `page_type` column)."""

    ARTICLE = "article"
    LISTING = "listing"
    FORUM = "forum"
    PRODUCT = "product"
    DOCUMENTATION = "documentation"
    SERVICE = "service"
    OTHER = "other"


TYPES: tuple[str, ...] = ("article", "listing", "forum", "product", "documentation", "service")
"""The model's classes, in its output order (article first)."""
ARTICLE_THRESHOLD = 0.2
"""P(article) at or above which a page is an article (chosen by the held-out table in BENCHMARKS.md)."""
MODEL_PATH = Path(str(files("cleaners") / "models" / "page_types.txt"))
TRAIN_PATH = Path(str(files("cleaners") / "models" / "page_types_train.parquet"))
PARAMS = {
    "objective": "multiclass",
    "num_class": len(TYPES),
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 8,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbosity": -1,
}
ROUNDS = 150
SET_WEIGHT = {"page-types-2025": 1.0, "readability": 1.0, "webpages-eval": 0.25}
"""Sample weight per training set: webpages-eval's 990 older article pages would otherwise
outweigh the 230 articles of 2025-26 sites."""


@dataclass(frozen=True)
class Typed:
    """A page's type, how sure the model is, and the evidence that weighed most."""

    page_type: PageType
    score: float
    """P(article) for an article; 1 - P(article) for a page kept out of `articles`."""
    evidence: tuple[str, ...] = ()


def _matrix(df: pl.DataFrame) -> np.ndarray:
    return df.select([pl.col(f).cast(pl.Float64) for f in FEATURES]).to_numpy()


STRUCTURED = ("ld_article", "og_article", "meta_published")
"""Structured data that announces an article, and that some sites put on every page."""
AUGMENT_WEIGHT = 0.5


def augmented(rows: pl.DataFrame) -> pl.DataFrame:
    """The training rows plus rows the project makes: every non-article again with article
    structured data (sites that mark every page an Article), so that structured data alone
    never makes a page an article. (Articles stripped of theirs were tried too: the model then
    read the absence of structured data as nothing and called front pages articles.)"""
    weight = rows["set"].replace_strict(SET_WEIGHT, default=1.0, return_dtype=pl.Float64)
    rows = rows.with_columns(weight.alias("weight"))
    lying = rows.filter(pl.col("type") != "article").with_columns([pl.lit(1.0).alias(c) for c in STRUCTURED])
    return pl.concat([rows, lying.with_columns(pl.col("weight") * AUGMENT_WEIGHT)], how="vertical_relaxed")


def fit(rows: pl.DataFrame) -> str:
    """The model (LightGBM text) fitted on feature rows with a `type` (and `set`) column."""
    import lightgbm as lgb

    rows = augmented(rows)
    y = rows["type"].replace_strict({t: i for i, t in enumerate(TYPES)}, return_dtype=pl.Int32).to_numpy()
    w = rows["weight"].to_numpy()
    data = lgb.Dataset(_matrix(rows), label=y, weight=w, feature_name=list(FEATURES), free_raw_data=False)
    booster = lgb.train(PARAMS, data, num_boost_round=ROUNDS)
    return str(booster.model_to_string())


class PageTypeModel:
    """The shipped model (or one given as LightGBM text)."""

    def __init__(self, text: str | None = None) -> None:
        import lightgbm as lgb

        self.booster = lgb.Booster(model_str=text if text is not None else MODEL_PATH.read_text())

    def probabilities(self, rows: pl.DataFrame) -> np.ndarray:
        """P(type) per row, columns in `TYPES` order."""
        return np.asarray(self.booster.predict(_matrix(rows), num_threads=1))

    def classify(self, features: dict[str, float]) -> Typed:
        """One page's type from its features."""
        x = np.array([[features.get(f, np.nan) for f in FEATURES]], dtype=np.float64)
        p = np.asarray(self.booster.predict(x, num_threads=1))[0]
        if p[0] >= ARTICLE_THRESHOLD:
            return Typed(PageType.ARTICLE, float(p[0]))
        other = 1 + int(np.argmax(p[1:]))
        return Typed(PageType(TYPES[other]), float(1.0 - p[0]), self._evidence(x))

    def _evidence(self, x: np.ndarray, n: int = 3) -> tuple[str, ...]:
        """The features that pushed the page furthest from `article` (SHAP values of its class)."""
        contrib = np.asarray(self.booster.predict(x, pred_contrib=True, num_threads=1))[0]
        article = contrib[: len(FEATURES)]  # the article class's contributions come first
        order = np.argsort(article)[:n]
        return tuple(f"{FEATURES[i]}={x[0, i]:.2f}" for i in order if article[i] < 0)


@lru_cache(maxsize=1)
def shipped_model() -> PageTypeModel:
    """The model in `models/page_types.txt`, loaded once per process."""
    return PageTypeModel()


def classify(features: dict[str, float]) -> Typed:
    """A page's type by the shipped model."""
    return shipped_model().classify(features)
