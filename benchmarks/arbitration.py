"""Choosing each page's body: the candidates, the fitted selector and the oracle, on every set.

    python -m benchmarks.arbitration [--limit N] [--workers 2] [--no-write]   # measure, write BENCHMARKS.md
    python -m benchmarks.arbitration --rows   # recompute the shipped training rows (needs ../shared)
    python -m benchmarks.arbitration --fit    # refit cleaners/models/arbitration.json from those rows

Every page of the six development sets (`../shared/data/labeled-pages.tar.xz`: readability,
cleanportaleval, cleaneval, dragnet; the article pages of `page-types-2025`; webpages-eval) is
cleaned once with every candidate body kept (`cleaners.document.weigh_candidates`):
trafilatura's (newsclean without arbitration), readability's (the readability-lxml body
trafilatura computed inside its call), and the merge. Scores: token 4-gram F1 / P / R
(`../shared/tools/score_bodies.py`); webpages-eval, which has snippets and no full truth, by its
must-keep / must-drop snippet rates.

The selector's rows are held out: the model is fitted only on the Apache-2.0 sets with a full
truth (readability, page-types-2025); a readability page is judged by a model fitted on
page-types-2025 alone, a page-types-2025 page by one that never saw its site (five folds by host,
readability added), and the four measurement sets (never fitted on) by the fit on both. The
oracle reads the truth (a bound, not a system).

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
"""The Apache-2.0 sets with a full truth: the shipped model is fitted on these alone. webpages-eval
(Apache-2.0 too) is measured only: fitted on as well (its target the share of snippets right), the
selector kept webpages-eval's snippets better but lost F1 on four of the five full-truth sets held out
(pooled 0.906 against 0.910), the metric the cleaning targets use."""
MEASURE_SETS = ("cleanportaleval", "cleaneval", "dragnet", "webpages-eval")
FULL_TRUTH = ("readability", "page-types-2025", "cleanportaleval", "cleaneval", "dragnet")
"""The sets with a full body truth (scored by F1); webpages-eval has snippets only."""
SNIPPETS = "webpages-eval"
SETS = (*FIT_SETS, *MEASURE_SETS)
FOLDED = tuple(s for s in FIT_SETS if s != "readability")
"""Fitted sets judged by site (folds by host); readability is left out whole."""
CANDIDATES = ("trafilatura", "readability", "merged")
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


def _snippet_pages(limit: int | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from benchmarks.cleaning import DEFAULT_DATA, unpack

    root = unpack(DEFAULT_DATA)
    ev = list(json.loads((root / "evaldata.json").read_text()).items())[:limit]
    pages = [{"id": m["file"], "url": u, "html": (root / "pages" / m["file"]).read_bytes()} for u, m in ev]
    return pages, {m["file"]: {"with": m["with"], "without": m["without"]} for _, m in ev}


def load(name: str, limit: int | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One set's pages and truths: {id: {"articleBody"}}, or {id: {"with", "without"}} snippets."""
    if name == "page-types-2025":
        return _page_types_articles(limit)
    if name == SNIPPETS:
        return _snippet_pages(limit)
    return load_set(unpack_labeled(), name, limit)


def host(url: str | None, pid: str) -> str:
    """The page's host (its id when it has no URL): the unit of the by-site folds (`fold`, its hash
    modulo FOLDS, is all the rows keep of it)."""
    m = re.match(r"https?://([^/:]+)", url or "")
    return m[1].removeprefix("www.") if m else pid


def _row(job: tuple[str, str, str | None, bytes, Any]) -> dict[str, Any]:
    """One page's row: the evidence, and each candidate's score against the page's truth: precision
    and recall for a full body; snippets kept and dropped for webpages-eval. `y_<candidate>`, what
    the model's gains are differences of, is the page's F1, or its share of snippets right."""
    from benchmarks.cleaning import _score
    from cleaners.arbitrate import FEATURES, Candidate
    from cleaners.config import Settings
    from cleaners.document import weigh_candidates
    from cleaners.records import RawDoc

    set_name, pid, url, html, truth = job
    scorer = _scorer()
    doc, weighed = weigh_candidates(RawDoc("page", pid, "page", url=url, html=html), Settings())
    own = "\n".join(getattr(doc, "lines", []) or [])
    texts = weighed.texts if weighed else {Candidate(c): own for c in CANDIDATES}
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
        p = r = None
        kept = n_with = dropped = n_without = None
        if isinstance(truth, str):
            tp, fp, fn, _ = scorer.page_scores(truth, text)
            p, r = (tp / (tp + fp) if tp + fp else None), (tp / (tp + fn) if tp + fn else None)
            y = 2 * p * r / (p + r) if p and r else 0.0
        else:
            kept, n_with, dropped, n_without = _score(text, truth)
            y = (kept + dropped) / max(1, n_with + n_without)
        row |= {f"p_{c.value}": p, f"r_{c.value}": r, f"y_{c.value}": y, f"kept_{c.value}": kept}
        row |= {f"with_{c.value}": n_with, f"dropped_{c.value}": dropped, f"without_{c.value}": n_without}
    return row


def compute_rows(sets: tuple[str, ...], limit: int | None, workers: int) -> pl.DataFrame:
    """Every page's row (`_row`) of the given sets."""
    jobs: list[tuple[str, str, str | None, bytes, Any]] = []
    for name in sets:
        pages, truth = load(name, limit)
        for p in pages:
            if p["id"] in truth:
                html = p["html"] if isinstance(p["html"], bytes) else p["html"].encode("utf-8")
                t = truth[p["id"]]
                jobs.append((name, p["id"], p.get("url"), html, t.get("articleBody", t)))
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        rows = list(pool.map(_row, jobs, chunksize=4))
    return pl.DataFrame(rows, infer_schema_length=None)


def fit(rows: pl.DataFrame) -> dict[str, Any]:
    """The model file's content: per alternative, a ridge regression (closed form) of its F1 gain
    over trafilatura's body (`y_`: F1, or the share of snippets right) on the standardized
    features, fitted on the rows with a second candidate."""
    from cleaners.arbitrate import ALTERNATIVES, FEATURES, MARGIN, Candidate

    rows = rows.filter(pl.col("weighed"))
    x = rows.select([f"x_{f}" for f in FEATURES]).to_numpy()
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale  # centred, so the intercept is the mean gain
    gram = z.T @ z + RIDGE_ALPHA * np.eye(z.shape[1])
    base = rows[f"y_{Candidate.TRAFILATURA.value}"].to_numpy()
    models = {}
    for c in ALTERNATIVES:
        gain = rows[f"y_{c.value}"].to_numpy() - base
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
    """The candidate each page would keep, judged by a model that never saw its set (readability,
    the measurement sets) or its site (page-types-2025; five folds by host);
    a page whose texts agree to `AGREE` keeps trafilatura's body unweighed, as in a run."""
    from cleaners.arbitrate import AGREE, Candidate, choose, model_from_json

    chosen = np.array([Candidate.TRAFILATURA.value] * rows.height, dtype=object)
    sets, fold = rows["set"].to_numpy(), rows["fold"].to_numpy()
    fitted = np.isin(sets, FIT_SETS)
    plans: list[tuple[np.ndarray, np.ndarray]] = [
        (np.isin(sets, MEASURE_SETS), fitted),
        (sets == "readability", fitted & (sets != "readability")),  # the whole set left out
    ]
    for name in FOLDED:  # by site: five folds by host
        for k in range(FOLDS):
            test = (sets == name) & (fold == k)
            plans.append((test, fitted & ~((sets == name) & (fold == k))))
    x = rows.select([c for c in rows.columns if c.startswith("x_")]).to_numpy()
    weighed = rows["weighed"].to_numpy() & (rows["agreement"].to_numpy() < AGREE)
    for mask, train in plans:
        model = model_from_json(json.dumps(fit(rows.filter(pl.Series(train)))))
        for i in np.where(mask & weighed)[0]:
            chosen[i] = choose(x[i], model).candidate.value
    return pl.Series("chosen", chosen.tolist(), dtype=pl.String)


def _set_scores(p: pl.Series, r: pl.Series) -> tuple[float, float, float]:
    """Set-level F1 / P / R as the scorer computes them (means over pages, then the harmonic mean)."""
    mp, mr = float(p.drop_nulls().mean() or 0.0), float(r.drop_nulls().mean() or 0.0)
    return (2 * mp * mr / (mp + mr) if mp + mr else 0.0), mp, mr


def table(rows: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Markdown rows: per full-truth set and pooled, each candidate, the held-out selector and the
    oracle; and the same for webpages-eval's snippets."""

    cands = list(CANDIDATES)
    best = rows.select([f"y_{c}" for c in cands]).to_numpy().argmax(axis=1)
    rows = rows.with_columns(held_out_choices(rows), pl.Series("oracle", [cands[i] for i in best]))
    snippets = rows.filter(pl.col("set") == SNIPPETS)
    rows = rows.filter(pl.col("set").is_in(FULL_TRUTH))

    def pick(frame: pl.DataFrame, col: str, kind: str) -> pl.Series:
        return frame.select(
            pl.coalesce(*[pl.when(pl.col(col) == c).then(pl.col(f"{kind}_{c}")) for c in cands])
        ).to_series()

    out = []
    for label, frame in [*((s, rows.filter(pl.col("set") == s)) for s in FULL_TRUTH), ("**pooled**", rows)]:
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
    return out, snippet_table(snippets) if snippets.height else []


def snippet_table(rows: pl.DataFrame) -> list[str]:
    """Markdown rows of webpages-eval (with `chosen` and `oracle`): snippet rates of each body."""

    def rates(col: str | None, label: str) -> str:
        def total(kind: str) -> int:
            if col is None:
                return int(rows[f"{kind}_{label}"].sum())
            expr = pl.coalesce(*[pl.when(pl.col(col) == c).then(pl.col(f"{kind}_{c}")) for c in CANDIDATES])
            return int(rows.select(expr).to_series().sum())

        return f"{total('kept') / total('with'):.3f} | {total('dropped') / total('without'):.3f}"

    mix = rows["chosen"].value_counts().sort("chosen")
    told = ", ".join(f"{r['chosen']} {r['count']}" for r in mix.iter_rows(named=True))
    n = f"{SNIPPETS} ({rows.height})"
    return [
        f"| {n} | trafilatura's body (newsclean without arbitration) | {rates(None, 'trafilatura')} |",
        f"| {n} | readability's body (captured) | {rates(None, 'readability')} |",
        f"| {n} | merged body | {rates(None, 'merged')} |",
        f"| {n} | **selector, held out** (kept: {told}) | {rates('chosen', '')} |",
        f"| {n} | bound: oracle of the three (most snippets right) | {rates('oracle', '')} |",
    ]


def _cost(job: tuple[str | None, str | bytes]) -> tuple[float, float]:
    """CPU seconds of `clean_document` on one page with arbitration off, then on (same worker)."""
    from dataclasses import replace

    from cleaners.config import Settings
    from cleaners.document import clean_document
    from cleaners.records import RawDoc

    url, html = job
    on = Settings()
    off = replace(on, extract=replace(on.extract, arbitrate=False))
    raw = RawDoc("page", None, "page", url=url, html=html if isinstance(html, bytes) else html.encode("utf-8"))
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
        keep = [
            "set",
            "fold",
            "weighed",
            "agreement",
            *[
                c
                for c in rows.columns
                if c.startswith(("x_", "p_", "r_", "y_", "kept_", "with_", "dropped_", "without_"))
            ],
        ]
        rows.select(keep).write_parquet(TRAIN_ROWS)
        print(f"wrote {TRAIN_ROWS} ({rows.height} rows)", file=sys.stderr)
    if args.fit:
        write_model(pl.read_parquet(TRAIN_ROWS))
        print(f"wrote {MODEL_JSON}", file=sys.stderr)
    if args.rows or args.fit:
        return
    rows = compute_rows(SETS, args.limit, args.workers)
    rows.write_parquet(CACHE / "arbitration_rows.parquet")
    lines, snippets = table(rows)
    print("\n".join(lines + snippets), file=sys.stderr)
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
                "Apache-2.0 sets with a full truth (readability, page-types-2025) and every selector row is held out: "
                "readability pages judged by a model fitted on page-types-2025 alone, page-types-2025 pages by models "
                "that never saw their site (5 folds by host, readability added), cleanportaleval / cleaneval / dragnet "
                "/ webpages-eval (never fitted on) by the fit on both, the shipped model. Pages whose two extracted "
                "texts agree to 0.95 keep trafilatura's body unweighed, as in a run.",
                "",
                "| set (pages) | body | F1 | precision | recall |",
                "|---|---|---:|---:|---:|",
                *lines,
                "",
                "webpages-eval (trafilatura's evaluation set: must-keep / must-drop snippets, no full truth):",
                "",
                "| set (pages) | body | must-keep kept | must-drop removed |",
                "|---|---|---:|---:|",
                *snippets,
                "",
                f"Cost, side by side in the same workers (every page of the six sets): `clean_document` over the {pages} pages used {off:.1f} CPU-s "
                f"with arbitration off and {on:.1f} with it on: {on / off:.2f}x ({pages / off:.1f} vs {pages / on:.1f} "
                "pages per CPU-second).",
            ]
        ),
    )


if __name__ == "__main__":
    main()
