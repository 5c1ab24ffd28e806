"""Choosing each page's body: the candidates, the fitted selector and the oracle, on every set.

    python -m benchmarks.arbitration [--limit N] [--workers 2] [--no-write]   # measure, write BENCHMARKS.md
    python -m benchmarks.arbitration --rows   # recompute the shipped training rows (needs ../shared)
    python -m benchmarks.arbitration --fit    # refit cleaners/models/arbitration.json from those rows

Every page of the five sets with a full truth (`../shared/data/labeled-pages.tar.xz`: readability,
cleanportaleval, cleaneval, dragnet; the article pages of `page-types-2025`) is cleaned once with
every candidate body kept (`cleaners.document.weigh_candidates`): trafilatura's (newsclean
without arbitration), readability's (the readability-lxml body trafilatura computed inside its
call), and the merge. Scores: token 4-gram F1 / P / R (`../shared/tools/score_bodies.py`).

The selector's rows are held out: the model is fitted only on the Apache-2.0 sets (readability,
page-types-2025); a readability page is judged by a model fitted on page-types-2025 alone, a
page-types-2025 page by one fitted on readability and the page-types-2025 sites of the other four
folds (folds by host, no site in two), and the three measurement sets (never fitted on) by the
shipped model's fit on both. The oracle reads the truth (a bound, not a system).

Cost: `clean_document` with arbitration off and on, side by side on the same pages in the same
worker (CPU time, one core).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from benchmarks.bodies import _scorer, _warm, load_set, unpack_labeled
from benchmarks.common import CACHE, ROOT, machine, write_section

SHARED = ROOT.parent / "shared" / "data"
FIT_SETS = ("readability", "page-types-2025")
"""The Apache-2.0 sets the shipped model may be fitted on."""
MEASURE_SETS = ("cleanportaleval", "cleaneval", "dragnet")
SETS = (*FIT_SETS, *MEASURE_SETS)
MODELS = ROOT / "cleaners" / "models"
TRAIN_ROWS = MODELS / "arbitration_train.parquet"
MODEL_JSON = MODELS / "arbitration.json"
RIDGE_ALPHA = 10.0
"""Ridge penalty of every alternative's gain model (on standardized features)."""
FOLDS = 5


def _page_types_articles(limit: int | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    import tarfile

    root = CACHE / "page-types-2025"
    if not root.exists():
        with tarfile.open(SHARED / "page-types-2025.tar.xz") as tf:
            tf.extractall(CACHE, filter="data")
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    pages = [p for p in map(json.loads, (root / "pages.jsonl").open(encoding="utf-8")) if p["page_type"] == "article"]
    pages = pages[:limit] if limit else pages
    return pages, {p["id"]: {"articleBody": truth[p["id"]]["main_content"] or ""} for p in pages}


def load(name: str, limit: int | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One set's pages and truths ({id: {"articleBody"}})."""
    if name == "page-types-2025":
        return _page_types_articles(limit)
    return load_set(unpack_labeled(), name, limit)


def host(url: str | None, pid: str) -> str:
    """The page's host (its id when it has no URL): the unit of the by-site folds (`fold`, its hash
    modulo FOLDS, is all the rows keep of it)."""
    m = re.match(r"https?://([^/:]+)", url or "")
    return m[1].removeprefix("www.") if m else pid


def _row(job: tuple[str, str, str | None, str, str]) -> dict[str, Any]:
    """One page's row: features, and each candidate's precision and recall against the truth."""
    from cleaners.arbitrate import FEATURES, Candidate
    from cleaners.config import Settings
    from cleaners.document import weigh_candidates
    from cleaners.records import RawDoc

    set_name, pid, url, html, truth = job
    scorer = _scorer()
    doc, weighed = weigh_candidates(RawDoc("page", pid, "page", url=url, html=html.encode("utf-8")), Settings())
    own = "\n".join(getattr(doc, "lines", []) or [])
    texts = (
        weighed.texts
        if weighed
        else dict.fromkeys((Candidate.TRAFILATURA, Candidate.READABILITY, Candidate.MERGED), own)
    )
    fold = zlib.crc32(host(url, pid).encode()) % FOLDS
    row: dict[str, Any] = {
        "set": set_name,
        "id": pid,
        "fold": fold,
        "weighed": weighed is not None,
        "agreement": weighed.agreement if weighed else 1.0,
    }
    for name, value in zip(FEATURES, weighed.evidence if weighed else [0.0] * len(FEATURES), strict=True):
        row[f"x_{name}"] = float(value)
    for c, text in texts.items():
        tp, fp, fn, _ = scorer.page_scores(truth, text)
        row[f"p_{c.value}"] = tp / (tp + fp) if tp + fp else None
        row[f"r_{c.value}"] = tp / (tp + fn) if tp + fn else None
    return row


def compute_rows(sets: tuple[str, ...], limit: int | None, workers: int) -> pl.DataFrame:
    """Every page's row (`_row`) of the given sets."""
    jobs = []
    for name in sets:
        pages, truth = load(name, limit)
        jobs += [
            (name, p["id"], p.get("url"), p["html"], truth[p["id"]]["articleBody"]) for p in pages if p["id"] in truth
        ]
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        rows = list(pool.map(_row, jobs, chunksize=4))
    return pl.DataFrame(rows, infer_schema_length=None)


def _f1(df: pl.DataFrame, c: str) -> pl.Series:
    p, r = df[f"p_{c}"].fill_null(0.0), df[f"r_{c}"].fill_null(0.0)
    return (2 * p * r / (p + r)).fill_nan(0.0)


def fit(rows: pl.DataFrame) -> dict[str, Any]:
    """The model file's content: per alternative, a ridge regression (closed form) of its F1 gain
    over trafilatura's body on the standardized features, fitted on the rows with a second candidate."""
    from cleaners.arbitrate import ALTERNATIVES, FEATURES, MARGIN, Candidate

    rows = rows.filter(pl.col("weighed"))
    x = rows.select([f"x_{f}" for f in FEATURES]).to_numpy()
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale  # centred, so the intercept is the mean gain
    gram = z.T @ z + RIDGE_ALPHA * np.eye(z.shape[1])
    base = _f1(rows, Candidate.TRAFILATURA.value).to_numpy()
    models = {}
    for c in ALTERNATIVES:
        gain = _f1(rows, c.value).to_numpy() - base
        coef = np.linalg.solve(gram, z.T @ (gain - gain.mean()))
        models[c.value] = {
            "mean": [round(float(v), 12) for v in mean],
            "scale": [round(float(v), 12) for v in scale],
            "coef": [round(float(v), 12) for v in coef],
            "intercept": round(float(gain.mean()), 12),
        }
    return {
        "features": list(FEATURES),
        "margin": MARGIN,
        "fitted_on": sorted(set(rows["set"].to_list())),
        "rows": rows.height,
        "ridge_alpha": RIDGE_ALPHA,
        "models": models,
    }


def write_model(rows: pl.DataFrame, path: Path = MODEL_JSON) -> None:
    path.write_text(json.dumps(fit(rows), indent=1) + "\n", encoding="utf-8")


def held_out_choices(rows: pl.DataFrame) -> pl.Series:
    """The candidate each page would keep, judged by a model that never saw its set (or its site);
    a page whose texts agree to `AGREE` keeps trafilatura's body unweighed, as in a run."""
    from cleaners.arbitrate import AGREE, Candidate, choose, model_from_json

    chosen = np.array([Candidate.TRAFILATURA.value] * rows.height, dtype=object)
    sets, fold = rows["set"].to_numpy(), rows["fold"].to_numpy()
    fit_rows = rows.filter(pl.col("set").is_in(FIT_SETS))
    plans: list[tuple[np.ndarray, pl.DataFrame]] = [
        (np.isin(sets, MEASURE_SETS), fit_rows),
        (sets == "readability", rows.filter(pl.col("set") == "page-types-2025")),
    ]
    for k in range(FOLDS):
        test = (sets == "page-types-2025") & (fold == k)
        train_mask = (sets == "readability") | ((sets == "page-types-2025") & (fold != k))
        plans.append((test, rows.filter(pl.Series(train_mask))))
    x = rows.select([c for c in rows.columns if c.startswith("x_")]).to_numpy()
    weighed = rows["weighed"].to_numpy() & (rows["agreement"].to_numpy() < AGREE)
    for mask, train in plans:
        model = model_from_json(json.dumps(fit(train)))
        for i in np.where(mask & weighed)[0]:
            chosen[i] = choose(x[i], model).candidate.value
    return pl.Series("chosen", chosen.tolist(), dtype=pl.String)


def _set_scores(p: pl.Series, r: pl.Series) -> tuple[float, float, float]:
    """Set-level F1 / P / R as the scorer computes them (means over pages, then the harmonic mean)."""
    mp, mr = float(p.drop_nulls().mean() or 0.0), float(r.drop_nulls().mean() or 0.0)
    return (2 * mp * mr / (mp + mr) if mp + mr else 0.0), mp, mr


def table(rows: pl.DataFrame) -> list[str]:
    """Markdown rows: per set and pooled, each candidate, the held-out selector and the oracle."""
    from cleaners.arbitrate import Candidate

    cands = [c.value for c in (Candidate.TRAFILATURA, Candidate.READABILITY, Candidate.MERGED)]
    rows = rows.with_columns(held_out_choices(rows))
    f1s = pl.DataFrame({c: _f1(rows, c) for c in cands})
    best = pl.Series([cands[i] for i in f1s.to_numpy().argmax(axis=1)])
    rows = rows.with_columns(best.alias("oracle"))

    def pick(frame: pl.DataFrame, col: str, kind: str) -> pl.Series:
        return frame.select(
            pl.coalesce(*[pl.when(pl.col(col) == c).then(pl.col(f"{kind}_{c}")) for c in cands])
        ).to_series()

    out = []
    for label, frame in [*((s, rows.filter(pl.col("set") == s)) for s in SETS), ("**pooled**", rows)]:
        systems = [
            ("trafilatura's body (newsclean without arbitration)", frame[f"p_{cands[0]}"], frame[f"r_{cands[0]}"]),
            ("readability's body (captured)", frame[f"p_{cands[1]}"], frame[f"r_{cands[1]}"]),
            ("merged body", frame[f"p_{cands[2]}"], frame[f"r_{cands[2]}"]),
            ("**selector, held out**", pick(frame, "chosen", "p"), pick(frame, "chosen", "r")),
            ("bound: oracle of the three (reads the truth)", pick(frame, "oracle", "p"), pick(frame, "oracle", "r")),
        ]
        mix = frame["chosen"].value_counts().sort("chosen")
        told = ", ".join(f"{r['chosen']} {r['count']}" for r in mix.iter_rows(named=True))
        for name, p, r in systems:
            f, mp, mr = _set_scores(p, r)
            extra = f" (kept: {told})" if name.startswith("**selector") else ""
            out.append(f"| {label} ({frame.height}) | {name}{extra} | {f:.3f} | {mp:.3f} | {mr:.3f} |")
    return out


def _cost(job: tuple[str | None, str]) -> tuple[float, float]:
    """CPU seconds of `clean_document` on one page with arbitration off, then on (same worker)."""
    from dataclasses import replace

    from cleaners.config import Settings
    from cleaners.document import clean_document
    from cleaners.records import RawDoc

    url, html = job
    on = Settings()
    off = replace(on, extract=replace(on.extract, arbitrate=False))
    raw = RawDoc("page", None, "page", url=url, html=html.encode("utf-8"))
    t0 = time.process_time()
    clean_document(raw, off)
    t1 = time.process_time()
    clean_document(raw, on)
    return t1 - t0, time.process_time() - t1


def cost(limit: int | None, workers: int) -> tuple[int, float, float]:
    """(pages, CPU seconds off, CPU seconds on) over every set's pages."""
    jobs = [(p.get("url"), p["html"]) for name in SETS for p in load(name, limit)[0]]
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        times = list(pool.map(_cost, jobs, chunksize=4))
    return len(jobs), sum(t[0] for t in times), sum(t[1] for t in times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rows", action="store_true", help=f"recompute {TRAIN_ROWS.name} from the Apache-2.0 sets")
    ap.add_argument("--fit", action="store_true", help=f"refit {MODEL_JSON.name} from {TRAIN_ROWS.name}")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.rows:
        rows = compute_rows(FIT_SETS, args.limit, args.workers)
        # numbers only: no page text, id, URL or site (the fold stands for the site)
        keep = ["set", "fold", "weighed", "agreement", *[c for c in rows.columns if c[:2] in ("x_", "p_", "r_")]]
        rows.select(keep).write_parquet(TRAIN_ROWS)
        print(f"wrote {TRAIN_ROWS} ({rows.height} rows)", file=sys.stderr)
    if args.fit:
        write_model(pl.read_parquet(TRAIN_ROWS))
        print(f"wrote {MODEL_JSON}", file=sys.stderr)
    if args.rows or args.fit:
        return
    rows = compute_rows(SETS, args.limit, args.workers)
    rows.write_parquet(CACHE / "arbitration_rows.parquet")
    lines = table(rows)
    print("\n".join(lines), file=sys.stderr)
    pages, off, on = cost(args.limit, args.workers)
    print(f"cost: {pages} pages, {off:.1f} s off, {on:.1f} s on ({on / off:.2f}x)", file=sys.stderr)
    if args.no_write:
        return
    cmd = "python -m benchmarks.arbitration " + " ".join(sys.argv[1:])
    write_section(
        "Choosing each page's body (benchmarks/arbitration.py)",
        "\n".join(
            [
                f"Command: `{cmd.strip()}` on {machine()}. Token 4-gram F1 / P / R (`../shared/tools/score_bodies.py`), "
                "every page weighs the same; all rows in one run on the same pages. The selector is fitted only on the "
                "Apache-2.0 sets and every selector row is held out: readability pages judged by a model fitted on "
                "page-types-2025 alone, page-types-2025 pages by models that never saw their site (5 folds by host, "
                "readability added), cleanportaleval / cleaneval / dragnet (never fitted on) by the fit on both.",
                "",
                "| set (pages) | body | F1 | precision | recall |",
                "|---|---|---:|---:|---:|",
                *lines,
                "",
                f"Cost, side by side in the same workers: `clean_document` over the {pages} pages used {off:.1f} CPU-s "
                f"with arbitration off and {on:.1f} with it on: {on / off:.2f}x ({pages / off:.1f} vs {pages / on:.1f} "
                "pages per CPU-second).",
            ]
        ),
    )


if __name__ == "__main__":
    main()
