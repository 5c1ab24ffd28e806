"""Full-body quality on the four labeled development sets, side by side with trafilatura.

    python -m benchmarks.bodies [--limit N] [--workers 2]

Data: `../shared/data/labeled-pages.tar.xz` (cleaneval, cleanportaleval, readability, dragnet:
2,303 pages with a full ground-truth body each), scored with `../shared/tools/score_bodies.py`
(token 4-gram shingle F1 / precision / recall, every page weighs the same). Per set and page,
in one run: `trafilatura.extract` defaults, `trafilatura.extract(include_comments=False)`, and
newsclean's `clean_document` defaults (the article text it would store). Speed is pages per
second per core (CPU time of the worker processes). newsclean's arbitration model is fitted on
the readability set (its held-out figures: `benchmarks.arbitration`); nothing else is. The
webpages-eval snippet rates are `benchmarks/cleaning.py`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tarfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.common import CACHE, ROOT, machine, write_section

DATA = ROOT.parent / "shared" / "data" / "labeled-pages.tar.xz"
SCORER = ROOT.parent / "shared" / "tools" / "score_bodies.py"
SETS = ("cleaneval", "cleanportaleval", "readability", "dragnet")
SYSTEMS = ("trafilatura defaults", "trafilatura, comments off", "newsclean")


def unpack_labeled(archive: Path = DATA) -> Path:
    """The unpacked sets (`<cache>/labeled-pages/<set>/`), extracted on first use."""
    dest = CACHE / "labeled-pages"
    if not all((dest / name / "truth.json").exists() for name in SETS):
        CACHE.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tf:
            tf.extractall(CACHE, filter="data")
    return dest


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_bodies", SCORER)
    if spec is None or spec.loader is None:
        raise SystemExit(f"scorer not found: {SCORER}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _extract(job: tuple[str, str, str | None, str]) -> tuple[str, str, str, float]:
    """(system, page id, text, CPU seconds) of one system on one page."""
    system, pid, url, html = job
    t = time.process_time()
    text = ""
    try:
        if system == "newsclean":
            from cleaners.config import Settings
            from cleaners.document import clean_document
            from cleaners.records import RawDoc

            doc = clean_document(RawDoc("page", pid, "page", url=url, html=html.encode("utf-8")), Settings())
            text = "\n".join(getattr(doc, "lines", []) or [])
        else:
            import trafilatura

            text = trafilatura.extract(html, url=url, include_comments=system == SYSTEMS[0]) or ""
    except Exception:  # a page that breaks an extractor scores as empty output
        text = ""
    return system, pid, text, time.process_time() - t


def _warm() -> None:
    from cleaners import language

    language.warm_up()


def load_set(root: Path, name: str, limit: int | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One set's pages (the first `limit`, or all) and the truth of those pages."""
    pages = [json.loads(line) for line in (root / name / "pages.jsonl").open(encoding="utf-8")]
    pages = pages[:limit] if limit else pages
    truth_all = json.loads((root / name / "truth.json").read_text(encoding="utf-8"))
    return pages, {p["id"]: truth_all[p["id"]] for p in pages if p["id"] in truth_all}


def evaluate(root: Path, limit: int | None, workers: int) -> dict[str, dict[str, dict[str, float]]]:
    """{set: {system: {f1, precision, recall, pages_per_s}}}."""
    scorer = _scorer()
    out: dict[str, dict[str, dict[str, float]]] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        for name in SETS:
            pages, truth = load_set(root, name, limit)
            jobs = [(s, p["id"], p.get("url"), p["html"]) for s in SYSTEMS for p in pages]
            preds: dict[str, dict[str, str]] = {s: {} for s in SYSTEMS}
            cpu = dict.fromkeys(SYSTEMS, 0.0)
            for system, pid, text, secs in pool.map(_extract, jobs, chunksize=8):
                preds[system][pid] = text
                cpu[system] += secs
            out[name] = {}
            for s in SYSTEMS:
                r = scorer.score(truth, preds[s])
                out[name][s] = {
                    "f1": r["f1"],
                    "precision": r["precision"],
                    "recall": r["recall"],
                    "pages_per_s": len(pages) / max(cpu[s], 1e-9),
                    "pages": len(pages),
                }
                print(f"{name} {s}: {out[name][s]}", file=sys.stderr)
    return out


def pooled_scores(res: dict[str, dict[str, dict[str, float]]], system: str) -> dict[str, float]:
    """One system's F1 / precision / recall over all sets, every page weighing the same, and its pages."""
    pages = sum(res[n][system]["pages"] for n in SETS)
    return {
        k: sum(res[n][system][k] * res[n][system]["pages"] for n in SETS) / pages for k in ("f1", "precision", "recall")
    } | {"pages": pages}


def _pooled(res: dict[str, dict[str, dict[str, float]]], system: str) -> dict[str, float]:
    """`pooled_scores` with pages/s over all pages and all CPU time."""
    out = pooled_scores(res, system)
    seconds = sum(res[n][system]["pages"] / res[n][system]["pages_per_s"] for n in SETS)
    return out | {"pages_per_s": out["pages"] / seconds}


def table_rows(res: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """Markdown rows (set, system, F1, P, R, pages/s/core) of every set and the pooled figures."""
    named = [(f"{n} ({res[n][s]['pages']:.0f})", res[n][s], s) for n in SETS for s in SYSTEMS]
    for s in SYSTEMS:
        r = _pooled(res, s)
        named.append((f"**pooled ({r['pages']:.0f})**", r, s))
    return [
        f"| {label} | {s} | {r['f1']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} | {r['pages_per_s']:.1f} |"
        for label, r, s in named
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    root = unpack_labeled()
    res = evaluate(root, args.limit, args.workers)
    if args.no_write:
        return
    rows = table_rows(res)
    pooled = {s: _pooled(res, s) for s in SYSTEMS}
    ours, base = "newsclean", "trafilatura defaults"
    table = {**res, "pooled": pooled}
    gaps = [
        f"{name}: F1 {table[name][ours]['f1'] - table[name][base]['f1']:+.3f}, P "
        f"{table[name][ours]['precision'] - table[name][base]['precision']:+.3f}, R "
        f"{table[name][ours]['recall'] - table[name][base]['recall']:+.3f}"
        for name in (*SETS, "pooled")
    ]
    cmd = "python -m benchmarks.bodies " + " ".join(sys.argv[1:])
    write_section(
        "Full-body quality on the labeled sets (benchmarks/bodies.py)",
        "\n".join(
            [
                f"Command: `{cmd.strip()}` on {machine()}; `../shared/data/labeled-pages.tar.xz` scored with "
                "`../shared/tools/score_bodies.py` (token 4-gram shingles, pages weigh the same); the three systems "
                "run on the same pages in the same run. newsclean's arbitration model is fitted on the readability "
                "set, so its readability row is not held out (held out: the arbitration table); nothing "
                "else in newsclean is fitted on these sets.",
                "",
                "| set (pages) | system | F1 | precision | recall | pages/s/core |",
                "|---|---|---:|---:|---:|---:|",
                *rows,
                "",
                "newsclean's text is what `articles.text` would hold (the body alone, the default: the headline is in "
                "`title`); ground-truth conventions differ by set (headline, bylines, captions). Pooled: "
                "every page of the four sets weighs the same (pages/s: all pages over all CPU time).",
                "",
                "newsclean minus trafilatura defaults (cleaning issue targets: F1 >= +0.03, precision >= +0.05, recall "
                "no lower than -0.01, pooled and on three sets): " + "; ".join(gaps) + ".",
            ]
        ),
    )


if __name__ == "__main__":
    main()
