"""The author search: trafilatura's `extract_author` vs `cleaners.author.page_author`, side by side.

    python -m benchmarks.author [--rounds 3]

Pages: every page of the five development sets (`../shared/data/labeled-pages.tar.xz` and
`webpages-eval.tar.xz`), parsed once with trafilatura's `load_html` (not timed). Each round
times both functions over all pages in one process, alternating, CPU time; the figure is the
median round. Equality is checked on every page: the same author string, or both none.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from benchmarks.bodies import SETS, unpack_labeled
from benchmarks.cleaning import DEFAULT_DATA, unpack
from benchmarks.common import machine, write_section


def _pages() -> list[str]:
    pages = []
    root = unpack_labeled()
    for name in SETS:
        with open(root / name / "pages.jsonl", encoding="utf-8") as fh:
            pages += [json.loads(line)["html"] for line in fh]
    for path in sorted((unpack(DEFAULT_DATA) / "pages").glob("*.html")):
        pages.append(path.read_text(encoding="utf-8", errors="replace"))
    return pages


def main() -> None:
    from trafilatura.metadata import extract_author
    from trafilatura.utils import load_html

    from cleaners.author import page_author

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    trees = [t for t in (load_html(h) for h in _pages()) if t is not None]
    same = sum(page_author(t) == extract_author(t) for t in trees)
    found = sum(extract_author(t) is not None for t in trees)
    times: dict[str, list[float]] = {"trafilatura": [], "newsclean": []}
    for _ in range(args.rounds):
        for name, fn in (("trafilatura", extract_author), ("newsclean", page_author)):
            t = time.process_time()
            for tree in trees:
                fn(tree)
            times[name].append(time.process_time() - t)
        print({k: round(v[-1], 2) for k, v in times.items()}, file=sys.stderr)
    old, new = statistics.median(times["trafilatura"]), statistics.median(times["newsclean"])
    if args.no_write:
        return
    cmd = "python -m benchmarks.author " + " ".join(sys.argv[1:])
    n = len(trees)
    lines = [
        f"Command: `{cmd.strip()}` on {machine()}; {n:,} pages of the five development sets, parsed once "
        f"(not timed); CPU seconds over all pages, median of {args.rounds} alternating rounds in one process.",
        "",
        "| author search | s (all pages) | ms / page | same author as trafilatura |",
        "|---|---:|---:|---:|",
        f"| trafilatura `extract_author` | {old:.1f} | {1000 * old / n:.1f} | - |",
        f"| newsclean `page_author` | {new:.1f} | {1000 * new / n:.1f} | {same:,} of {n:,} |",
        "",
        f"**{old / new:.1f}x** faster; {found:,} pages have an author in their markup. `clean_document` "
        "calls it when the meta tags and JSON-LD name no author (most pages); all rounds: trafilatura "
        + ", ".join(f"{x:.1f}" for x in times["trafilatura"])
        + " s, newsclean "
        + ", ".join(f"{x:.1f}" for x in times["newsclean"])
        + " s.",
    ]
    write_section("Author search (benchmarks/author.py)", "\n".join(lines))


if __name__ == "__main__":
    main()
