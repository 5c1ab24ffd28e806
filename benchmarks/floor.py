"""Where `clean_document`'s time goes next to `trafilatura.extract`: the floor of the speed target.

    python -m benchmarks.floor [--every 4] [--rounds 3] [--no-write]

The speed issue asks `clean_document` for >= 0.9x the pages/s of `trafilatura.extract` defaults,
which returns text only (no metadata). This measures, in one process on the same pages, CPU time
per step that newsclean adds, each row including the ones above it:

1. `trafilatura.extract(html, url=url)` defaults (the baseline);
2. parse + `bare_extraction` as newsclean calls it (comments off, no metadata);
3. + the metadata newsclean returns (title, author, date, site: `cleaners.extract.page_metadata`);
4. `cleaners.extract.extract_html` (+ the page-markup pass newsclean's rules read);
5. `clean_document` (+ normalization, rules, language).

Pages: every `--every`-th page of the four labelled sets (`../shared/data/labeled-pages.tar.xz`);
rows alternate within each round, the median round counts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.bodies import SETS, unpack_labeled
from benchmarks.common import machine, publish


def _steps() -> dict[str, Callable[[dict[str, Any]], object]]:
    import trafilatura
    from trafilatura.settings import set_date_params
    from trafilatura.utils import load_html

    from cleaners.config import ExtractConfig, Settings
    from cleaners.document import clean_document
    from cleaners.extract import extract_html, page_metadata
    from cleaners.records import RawDoc

    cfg, settings, date_params = ExtractConfig(), Settings(), set_date_params(False)

    def bare(page: dict[str, Any], metadata: bool = False) -> object:
        tree = load_html(page["html"])
        if tree is None:
            return None
        if metadata:
            page_metadata(tree, page.get("url"), date_params)
        return trafilatura.bare_extraction(
            tree,
            url=page.get("url"),
            with_metadata=False,
            include_comments=cfg.include_comments,
            include_tables=cfg.include_tables,
            include_images=False,
            include_links=False,
            deduplicate=False,
        )

    return {
        "`trafilatura.extract` defaults": lambda p: trafilatura.extract(p["html"], url=p.get("url")),
        "parse + `bare_extraction` (comments off)": bare,
        "+ metadata (title, author, date, site)": lambda p: bare(p, metadata=True),
        "+ page markup (`extract_html`)": lambda p: extract_html(p["html"], p.get("url"), cfg),
        "`clean_document` (+ normalization, rules, language)": lambda p: clean_document(
            RawDoc("page", p["id"], "page", url=p.get("url"), html=p["html"].encode("utf-8")), settings
        ),
    }


def measure(pages: list[dict[str, Any]], rounds: int) -> dict[str, list[float]]:
    """CPU seconds of every step over all pages, per round (steps alternate within a round)."""
    from cleaners import language

    language.warm_up()
    steps = _steps()
    for fn in steps.values():  # imports, caches, models: not timed
        for page in pages[:10]:
            _guarded(fn, page)
    out: dict[str, list[float]] = {name: [] for name in steps}
    for r in range(rounds):
        for name, fn in steps.items():
            t = time.process_time()
            for page in pages:
                _guarded(fn, page)
            out[name].append(time.process_time() - t)
            print(f"round {r + 1}: {name} {out[name][-1]:.1f} s", file=sys.stderr)
    return out


def _guarded(fn: Callable[[dict[str, Any]], object], page: dict[str, Any]) -> None:
    with contextlib.suppress(Exception):  # a page that breaks a step costs what it cost
        fn(page)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=int, default=4, help="take every N-th page of each set")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    root = unpack_labeled()
    pages = [
        json.loads(line)
        for name in SETS
        for line in list((root / name / "pages.jsonl").open(encoding="utf-8"))[:: args.every]
    ]
    res = measure(pages, args.rounds)
    names = list(res)
    base = statistics.median(res[names[0]])
    rows = [
        f"| {name} | {statistics.median(v):.1f} | {len(pages) / statistics.median(v):.1f} | "
        f"{base / statistics.median(v):.2f}x | {', '.join(f'{x:.1f}' for x in v)} |"
        for name, v in res.items()
    ]
    cmd = ("python -m benchmarks.floor " + " ".join(sys.argv[1:])).strip()
    text = "\n".join(
        [
            f"Command: `{cmd}` on {machine()}; {len(pages):,} pages (every {args.every}th of the four labelled sets), "
            f"CPU seconds in one process, the steps alternating within each of {args.rounds} rounds, median round. "
            "Each row does what the rows above it do, plus its own step.",
            "",
            "| step | s | pages/s | of `trafilatura.extract` defaults | rounds, s |",
            "|---|---:|---:|---:|---|",
            *rows,
            "",
            "The speed issue's target is `clean_document` >= 0.90x of the first row. `trafilatura.extract` defaults "
            "return no metadata; newsclean must (title, author, date, site), and the markup pass is the page "
            "evidence its rules read.",
        ]
    )
    publish("Where the cleaning time goes (benchmarks/floor.py)", text, args.no_write)


if __name__ == "__main__":
    main()
