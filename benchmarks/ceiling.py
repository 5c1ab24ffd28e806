"""What the labelled sets allow: conventions, text dumps and the ceiling of any line filter.

    python -m benchmarks.ceiling [--limit N] [--workers 2] [--no-write]

The cleaning issue's targets are differences to `trafilatura.extract` defaults on four sets
whose ground truths follow different conventions. This benchmark measures, on the same pages
in one run (`../shared/data/labeled-pages.tar.xz`, `../shared/tools/score_bodies.py`):

- trafilatura defaults, its main text only (the same call without the comment text it
  appends), and trafilatura with comments off: how much of the defaults' recall is text
  trafilatura itself files as comments;
- newsclean defaults (body only, the headline in `title`) and with `keep_headline`;
- newsclean on text dumps: each page given as a plain-text dump like the seed (its headline
  on the first line, then trafilatura's text with comments off), so no HTML evidence;
- two upper bounds that read the truth (not systems): a perfect line filter over the lines
  newsclean keeps, and over every line trafilatura gave newsclean (kept and removed). A line
  counts as body when at least half of the 4-token shingles starting in it are in the truth.
  No classifier or rule working on those lines can score above these bounds.

Nothing in newsclean is fitted on these sets.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.bodies import SETS, _scorer, _warm, load_set, pooled_scores, unpack_labeled
from benchmarks.common import machine, publish

TRAF, TRAF_MAIN, TRAF_OFF = "trafilatura defaults", "trafilatura defaults, main text only", "trafilatura, comments off"
NC, NC_HEAD, NC_DUMP = "newsclean", "newsclean, headline kept", "newsclean on text dumps"
BOUND_KEPT = "bound: perfect filter of newsclean's lines"
BOUND_ALL = "bound: perfect filter of every line trafilatura gave"
SYSTEMS = (TRAF, TRAF_MAIN, TRAF_OFF, NC, NC_HEAD, NC_DUMP, BOUND_KEPT, BOUND_ALL)
_TOKEN = re.compile(r"\w+")  # the scorer's tokens


def _page(job: tuple[str, str | None, str]) -> dict[str, Any]:
    """Every system's text of one page, and newsclean's kept and removed lines in page order."""
    import trafilatura

    from cleaners.config import BoilerplateConfig, Settings
    from cleaners.document import clean_document
    from cleaners.records import CleanDoc, RawDoc

    pid, url, html = job
    out: dict[str, Any] = {"id": pid}

    def guarded(fn: Any) -> Any:
        try:
            return fn()
        except Exception:  # a page that breaks an extractor scores as empty output
            return None

    out[TRAF] = guarded(lambda: trafilatura.extract(html, url=url)) or ""
    main = guarded(lambda: trafilatura.bare_extraction(html, url=url, with_metadata=False))
    out[TRAF_MAIN] = (getattr(main, "text", None) or "") if main is not None else ""
    out[TRAF_OFF] = guarded(lambda: trafilatura.extract(html, url=url, include_comments=False)) or ""
    page = RawDoc("page", pid, "page", url=url, html=html.encode("utf-8"))

    def clean(raw: RawDoc, settings: Settings = Settings()) -> CleanDoc | None:
        doc = guarded(lambda: clean_document(raw, settings))
        return doc if isinstance(doc, CleanDoc) else None  # a reject keeps no text

    doc = clean(page)
    head = clean(page, Settings(boilerplate=BoilerplateConfig(keep_headline=True)))
    title = doc.title if doc and doc.title else ""
    dump = f"{title}\n\n{out[TRAF_OFF]}" if title else out[TRAF_OFF]
    as_txt = clean(RawDoc("page", pid, "page", url=url, text=dump, fmt="txt"))
    for system, d in ((NC, doc), (NC_HEAD, head), (NC_DUMP, as_txt)):
        out[system] = "\n".join(d.lines) if d else ""
    out["kept"] = doc.lines if doc else []
    removed = [(r.position, r.line) for r in doc.removed] if doc else []
    out["all"] = [line for _, line in sorted([*zip(doc.positions, doc.lines), *removed])] if doc else []
    return out


def body_lines(lines: list[str], truth_shingles: set[tuple[str, ...]]) -> list[str]:
    """The lines of which at least half of the 4-token shingles starting in them are in the truth."""
    tokens: list[str] = []
    owner: list[int] = []
    for i, line in enumerate(lines):
        toks = _TOKEN.findall(line)
        tokens += toks
        owner += [i] * len(toks)
    hits = [0] * len(lines)
    counts = [0] * len(lines)
    if len(tokens) < 4:  # the scorer's one shingle of a short text
        whole = tuple(tokens) in truth_shingles
        return [line for line in lines if whole and _TOKEN.search(line)]
    for j in range(len(tokens) - 3):
        i = owner[j]
        counts[i] += 1
        hits[i] += tuple(tokens[j : j + 4]) in truth_shingles
    return [line for i, line in enumerate(lines) if counts[i] and 2 * hits[i] >= counts[i]]


def _words(lines: list[str]) -> int:
    return sum(len(_TOKEN.findall(line)) for line in lines)


def evaluate(root: Path, limit: int | None, workers: int) -> dict[str, dict[str, dict[str, float]]]:
    """{set: {system: {f1, precision, recall, pages}}}."""
    scorer = _scorer()
    res: dict[str, dict[str, dict[str, float]]] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        for name in SETS:
            pages, truth = load_set(root, name, limit)
            preds: dict[str, dict[str, str]] = {s: {} for s in SYSTEMS}
            wrong = [0, 0]  # newsclean's non-body words: all, and on pages where most kept words are not body
            t0 = time.perf_counter()
            for page in pool.map(_page, [(p["id"], p.get("url"), p["html"]) for p in pages], chunksize=4):
                pid = page["id"]
                for s in SYSTEMS[:6]:
                    preds[s][pid] = page[s]
                shingles = set(scorer.shingles(truth[pid]["articleBody"])) if pid in truth else set()
                body = body_lines(page["kept"], shingles)
                preds[BOUND_KEPT][pid] = "\n".join(body)
                bad, words = _words(page["kept"]) - _words(body), _words(page["kept"])
                wrong[0] += bad
                wrong[1] += bad if 2 * bad > words else 0
                preds[BOUND_ALL][pid] = "\n".join(body_lines(page["all"], shingles))
            res[name] = {}
            for s in SYSTEMS:
                r = scorer.score(truth, preds[s])
                res[name][s] = {k: r[k] for k in ("f1", "precision", "recall")} | {"pages": len(pages)}
            res[name]["wrong pages"] = {"share": wrong[1] / max(wrong[0], 1), "pages": len(pages)}
            print(
                f"{name}: {time.perf_counter() - t0:.0f} s", {s: res[name][s]["f1"] for s in SYSTEMS}, file=sys.stderr
            )
    return res


def report(res: dict[str, dict[str, dict[str, float]]], cmd: str) -> str:
    """The BENCHMARKS.md section: the table and what it means for the cleaning issue's targets."""
    table = {**res, "pooled": {s: pooled_scores(res, s) for s in SYSTEMS}}
    rows = []
    for name in (*SETS, "pooled"):
        label = f"{name} ({table[name][TRAF]['pages']:.0f})"
        label = f"**{label}**" if name == "pooled" else label
        rows += [
            f"| {label} | {s} | {table[name][s]['f1']:.3f} | {table[name][s]['precision']:.3f} | "
            f"{table[name][s]['recall']:.3f} |"
            for s in SYSTEMS
        ]

    def target(name: str) -> str:
        t = table[name][TRAF]
        return f"{name} F1 {t['f1'] + 0.03:.3f} (bound {table[name][BOUND_ALL]['f1']:.3f})"

    def delta(name: str, system: str) -> str:
        a, b = table[name][system], table[name][TRAF]
        return (
            f"{name}: F1 {a['f1'] - b['f1']:+.3f}, P {a['precision'] - b['precision']:+.3f}, "
            f"R {a['recall'] - b['recall']:+.3f}"
        )

    wrong = "; ".join(f"{n} {res[n]['wrong pages']['share']:.0%}" for n in SETS)
    dump_gap = "; ".join(
        f"{n} {table[n][NC_DUMP]['precision']:.3f} vs {table[n][NC]['precision']:.3f}" for n in (*SETS, "pooled")
    )
    return "\n".join(
        [
            f"Command: `{cmd}` on {machine()}; the four labelled sets of `../shared/data/labeled-pages.tar.xz`, "
            "scored with `../shared/tools/score_bodies.py`; every row from the same pages in one run. Nothing in "
            "newsclean is fitted on these sets. The two `bound` rows read the truth and are not systems: a perfect "
            "line filter (a line is body when at least half of the 4-token shingles starting in it are in the truth) "
            "over the lines newsclean keeps, and over every line trafilatura gave newsclean before its rules.",
            "",
            "| set (pages) | system | F1 | precision | recall |",
            "|---|---|---:|---:|---:|",
            *rows,
            "",
            "What F1 the cleaning issue asks per set (trafilatura defaults + 0.03) against the best any line filter "
            "over trafilatura's lines reaches: " + "; ".join(target(n) for n in SETS) + ".",
            "",
            "newsclean minus trafilatura defaults, headline kept (targets F1 >= +0.03, P >= +0.05, R >= -0.01): "
            + "; ".join(delta(n, NC_HEAD) for n in (*SETS, "pooled"))
            + ".",
            "",
            "Text dumps (no HTML evidence) against the same pages as HTML, precision: " + dump_gap + ".",
            "",
            "Of the words newsclean keeps that are not body (by the rule of the bound rows), the share on pages "
            "where most kept words are not body (the extraction took the wrong part of the page, or the truth "
            "holds something else): " + wrong + ". A line filter cannot fix those pages, only the choice of what "
            "to extract can.",
        ]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    res = evaluate(unpack_labeled(), args.limit, args.workers)
    text = report(res, ("python -m benchmarks.ceiling " + " ".join(sys.argv[1:])).strip())
    publish("What the labelled sets allow (benchmarks/ceiling.py)", text, args.no_write)


if __name__ == "__main__":
    main()
