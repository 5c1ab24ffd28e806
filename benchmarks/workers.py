"""Two workers at the default settings: many small files, a few medium files, one big file.

    python -m benchmarks.workers [--repeats 1]

Input: the same real pages (trafilatura's evaluation set and Readability's test pages, the
Apache-2.0 development pages) in three shapes: one HTML file per page, 8 JSON Lines files, and
one JSON Lines file. Each shape runs `newsclean run` at its default settings (no batch or
part options) with `--workers 1` and `--workers 2`, against a running Prefect server (its
start-up is measured by benchmarks.startup). Medians of --repeats runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

from benchmarks.common import CACHE, ROOT, PrefectServer, machine, newsclean_run, write_section
from benchmarks.incremental import _pages

SHAPES = ("many small files", "a few medium files", "one big file")


def corpus() -> tuple[dict[str, Path], int, float]:
    """The three shapes' input folders (cached), the page count and the input megabytes."""
    root = CACHE / "workers"
    pages = _pages()
    dirs = {name: root / name.replace(" ", "-") for name in SHAPES}
    if not all(d.exists() for d in dirs.values()):
        shutil.rmtree(root, ignore_errors=True)
        lines = [json.dumps({"id": f"doc-{i}", "url": u, "html": h}) for i, (u, h) in enumerate(pages)]
        small = dirs["many small files"]
        small.mkdir(parents=True)
        for i, (_, html) in enumerate(pages):
            (small / f"page-{i:05d}.html").write_text(html)
        medium = dirs["a few medium files"]
        medium.mkdir(parents=True)
        for f in range(8):
            (medium / f"feed-{f}.jsonl").write_text("\n".join(lines[f::8]) + "\n")
        big = dirs["one big file"]
        big.mkdir(parents=True)
        (big / "feed.jsonl").write_text("\n".join(lines) + "\n")
    mb = sum(p.stat().st_size for p in dirs["one big file"].iterdir()) / 1e6
    return dirs, len(pages), mb


def run(inputs: Path, workers: int, env: dict) -> tuple[float, float, int]:
    """(wall seconds of the command, wall seconds of its batch stage, articles written)."""
    wall, summary = newsclean_run([inputs], ["--workers", str(workers)], env)
    return wall, summary["timings"]["clean_batches_wall"], summary["n_articles"]


def _init_worker() -> None:
    from cleaners import language

    language.warm_up()


def _clean_one(job: tuple[str | None, str]) -> int:
    from cleaners.config import Settings
    from cleaners.document import clean_document
    from cleaners.records import RawDoc

    url, html = job
    doc = clean_document(RawDoc("page", None, "page", url=url, html=html.encode("utf-8")), Settings())
    return len(getattr(doc, "lines", []) or [])


def ceiling(pages: list[tuple[str | None, str]], workers: int) -> float:
    """Wall seconds of `clean_document` over `pages` in a bare process pool (the machine's own
    scaling: no reading, no Prefect, no tables; warm-up not timed)."""
    import multiprocessing as mp
    import time

    with mp.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
        pool.map(_clean_one, pages[: 2 * workers], chunksize=1)  # imports and model load in every process
        t = time.perf_counter()
        list(pool.imap_unordered(_clean_one, sorted(pages, key=lambda p: -len(p[1])), chunksize=1))
        return time.perf_counter() - t


def main() -> None:
    """Measure every shape with 1 and 2 workers and write the BENCHMARKS.md section."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES), help="only these inputs")
    args = ap.parse_args()
    dirs, n_pages, mb = corpus()
    results: dict[tuple[str, int], list[tuple[float, float, int]]] = {}
    bare: dict[int, list[float]] = {}
    pages = _pages()
    with PrefectServer() as server:
        # Not timed: the first run of a fresh checkout compiles the numba kernels (~20 s), which
        # would otherwise land on whichever shape runs first.
        newsclean_run([ROOT / "seeds" / "feed.jsonl"], ["--workers", "2"], server.env)
        for _ in range(args.repeats):
            for w in (1, 2):
                bare.setdefault(w, []).append(ceiling(pages, w))
                print(f"bare process pool, {w} process(es): {bare[w][-1]:.1f}s", file=sys.stderr)
            for shape in args.shapes:
                for w in (1, 2):
                    r = run(dirs[shape], w, server.env)
                    results.setdefault((shape, w), []).append(r)
                    print(
                        f"{shape}, workers={w}: {r[0]:.1f}s (batch stage {r[1]:.1f}s), {r[2]} articles", file=sys.stderr
                    )
    if args.no_write:
        return
    rows = [
        "| input | workers | whole command, s | batch stage, s | articles | speed-up, whole | speed-up, batch stage |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for shape in args.shapes:
        med = {w: [statistics.median(r[i] for r in results[(shape, w)]) for i in range(2)] for w in (1, 2)}
        for w in (1, 2):
            up = f"**{med[1][0] / med[2][0]:.2f}x** | **{med[1][1] / med[2][1]:.2f}x**" if w == 2 else "- | -"
            rows.append(f"| {shape} | {w} | {med[w][0]:.1f} | {med[w][1]:.1f} | {results[(shape, w)][0][2]:,} | {up} |")
    b1, b2 = statistics.median(bare[1]), statistics.median(bare[2])
    rows.append(
        f"| baseline: `clean_document` on the same pages in a bare process pool | 1 | - | {b1:.1f} | - | - | - |"
    )
    rows.append(
        f"| baseline: `clean_document` on the same pages in a bare process pool | 2 | - | {b2:.1f} | - | - | "
        f"**{b1 / b2:.2f}x** |"
    )
    cmd = "python -m benchmarks.workers " + " ".join(sys.argv[1:])
    write_section(
        "Two workers at the default settings (benchmarks/workers.py)",
        "\n".join(
            [
                f"Command: `{cmd.strip()}` on {machine()}; {n_pages:,} real pages ({mb:.0f} MB as JSON Lines) as "
                f"{n_pages:,} HTML files, as 8 JSON Lines files, and as one JSON Lines file; `newsclean run` with no "
                f"option but `--workers`, against a running Prefect server; medians of {args.repeats} run(s).",
                "",
                *rows,
                "",
                "Target (speed issue): whole flow on 2 workers >= 1.8x one worker for each shape. The whole command "
                "holds serial work too (start-up, spawning workers, site learning, dedup, commit). The baseline rows "
                "are the machine's own ceiling, measured in the same run: the same pages cleaned by `clean_document` "
                "in a bare `multiprocessing` pool of 1 and 2 processes (largest pages first, one page per task, "
                "imports and warm-up not timed), so nothing of newsclean's reading, planning, Prefect or tables.",
            ]
        ),
    )


if __name__ == "__main__":
    main()
