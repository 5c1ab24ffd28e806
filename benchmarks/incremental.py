"""Re-runs and one big file: this version side by side with an earlier one, in the same run.

    python -m benchmarks.incremental [--docs 5000] [--new 50] [--baseline-rev 38dcd3e]

Input: one JSON Lines file of `--docs` real pages (trafilatura's evaluation set and Mozilla
Readability's test pages, the Apache-2.0 development sets; cycled with distinct ids when more
documents are asked for than there are pages), as an hourly feed looks. Each step runs
`newsclean run` as a user would, against a running Prefect server (its start-up is not what is
measured), once with this checkout and once with `--baseline-rev` checked out in a git worktree:

1. first run of the file on 2 workers;
2. re-run after `--new` new documents were appended to the file (a growing feed);
3. re-run after `--new` other new documents arrived in a new file beside the big one (skipped
   for the baseline, which redoes all work on any re-run);
4. the first run again on 1 worker (scaling of one big file).

Reported: whole-command seconds and the parallel batch stage's seconds (`timings.clean_batches_wall`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from benchmarks.cleaning import DEFAULT_DATA, unpack
from benchmarks.common import CACHE, ROOT, PrefectServer, machine, newsclean_run, write_section

LABELED = ROOT.parent / "shared" / "data" / "labeled-pages.tar.xz"


def _pages() -> list[tuple[str | None, str]]:
    """(url, html) of the Apache-2.0 development pages."""
    ev = unpack(DEFAULT_DATA)
    meta = json.loads((ev / "evaldata.json").read_text())
    out = [(url, (ev / "pages" / m["file"]).read_text(errors="replace")) for url, m in sorted(meta.items())]
    dest = CACHE / "labeled-pages"
    if not dest.exists() and LABELED.exists():
        with tarfile.open(LABELED) as tf:
            tf.extractall(CACHE, filter="data")
    readability = dest / "readability" / "pages.jsonl"
    if readability.exists():
        for line in readability.read_text().splitlines():
            obj = json.loads(line)
            out.append((obj.get("url"), obj["html"]))
    return out


def corpus(n_docs: int, n_new: int) -> tuple[list[str], list[str], list[str]]:
    """(first lines, lines appended later, lines of a new file): distinct ids, real pages."""
    pages = _pages()
    lines = [
        json.dumps({"id": f"doc-{i}", "url": pages[i % len(pages)][0], "html": pages[i % len(pages)][1]})
        for i in range(n_docs + 2 * n_new)
    ]
    return lines[:n_docs], lines[n_docs : n_docs + n_new], lines[n_docs + n_new :]


def _baseline(rev: str) -> Path:
    path = CACHE / f"baseline-{rev}"
    if not path.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True, capture_output=True
        )
    return path


def _run(code: Path, inputs: list[Path], wh: Path, workers: int, env: dict) -> tuple[float, float, dict]:
    wall, summary = newsclean_run(inputs, ["--workers", str(workers)], env, code=code, warehouse=wh)
    return wall, summary["timings"]["clean_batches_wall"], summary


def scenario(
    code: Path, first: list[str], new: list[str], beside: list[str] | None, env: dict
) -> dict[str, tuple[float, float, dict]]:
    """Every step of the benchmark with the code at `code` (`beside=None` skips that step)."""
    res = {}
    d = Path(tempfile.mkdtemp(prefix="incr-"))
    try:
        feed = d / "in" / "feed.jsonl"
        feed.parent.mkdir()
        feed.write_text("\n".join(first) + "\n")
        res["first, 2 workers"] = _run(code, [feed.parent], d / "wh", 2, env)
        with open(feed, "a") as fh:
            fh.write("\n".join(new) + "\n")
        res["re-run, new lines appended"] = _run(code, [feed.parent], d / "wh", 2, env)
        if beside is not None:
            (feed.parent / "new.jsonl").write_text("\n".join(beside) + "\n")
            res["re-run, new file beside"] = _run(code, [feed.parent], d / "wh", 2, env)
        feed.write_text("\n".join(first) + "\n")
        for extra in feed.parent.glob("new.jsonl"):
            extra.unlink()
        res["first, 1 worker"] = _run(code, [feed.parent], d / "wh1", 1, env)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--new", type=int, default=50)
    ap.add_argument("--baseline-rev", default="38dcd3e")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    first, new, beside = corpus(args.docs, args.new)
    base = _baseline(args.baseline_rev)
    with PrefectServer() as server:
        now = scenario(ROOT, first, new, beside, server.env)
        # The baseline redoes all work on any re-run; the "new file beside" step would only repeat that.
        before = scenario(base, first, new, None, server.env)
    rows = []
    for step in now:
        w1, b1, s1 = now[step]
        w0, b0, s0 = before.get(step, (None, None, {"n_articles": "-"}))
        base = f"{w0:.1f} | {b0:.1f}" if w0 is not None else "- | -"
        rows.append(
            f"| {step} | {base} | {s0['n_articles']} | {w1:.1f} | {b1:.1f} | {s1['n_articles']} "
            f"| {s1.get('n_skipped', 0)} |"
        )
        print(f"{step}: baseline {base} s, now {w1:.1f}s (batches {b1:.1f}s)", file=sys.stderr)
    f_now, f_before = now["first, 2 workers"][1], before["first, 2 workers"][1]
    rr = [now[k][1] for k in ("re-run, new lines appended", "re-run, new file beside")]
    sc_now = now["first, 1 worker"][1] / f_now
    sc_before = before["first, 1 worker"][1] / f_before
    if args.no_write:
        return
    cmd = "python -m benchmarks.incremental " + " ".join(sys.argv[1:])
    write_section(
        "Re-runs and one big file (benchmarks/incremental.py)",
        "\n".join(
            [
                f"Command: `{cmd.strip()}` on {machine()}; one JSON Lines file of {args.docs} real pages (trafilatura's "
                f"evaluation set and Readability's test pages, cycled with distinct ids), then {args.new} new documents; "
                f"`newsclean run` against a running Prefect server. Baseline: commit `{args.baseline_rev}` (before content "
                "identity, skip-before-work and file parts), run in the same benchmark run from a git worktree.",
                "",
                "| step | baseline whole, s | baseline batch stage, s | baseline articles | now whole, s | "
                "now batch stage, s | now articles | now skipped |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
                *rows,
                "",
                f"Re-run with {args.new} new documents: batch stage **{max(rr) / f_now:.1%}** of the first run's "
                f"(target <= 10 %; baseline {before['re-run, new lines appended'][1] / f_before:.0%}). "
                f"One big file, 2 workers vs 1: **{sc_now:.2f}x** on the batch stage (target >= 1.7x; baseline "
                f"{sc_before:.2f}x, the file was one batch on one core).",
            ]
        ),
    )


if __name__ == "__main__":
    main()
