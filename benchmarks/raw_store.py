"""What keeping the raw pages costs: disk per page against the input, and run time, side by side.

    python -m benchmarks.raw_store [--docs 1000] [--repeats 2] [--no-write]

Input: one JSON Lines file of `--docs` real pages (trafilatura's evaluation set and Mozilla
Readability's test pages, the Apache-2.0 development sets), as a feed delivers them. Each repeat
runs `newsclean run` on it twice into fresh warehouses, alternating: with the raw store (the
default) and with `--no-keep-raw` (which goes first alternates), against one running Prefect server (its start-up is not what
is measured). Reported: the raw tables' bytes on disk (`raw_records` + `raw_pages`, zstd
Parquet) per stored page against the input's bytes per page, and the median wall time, batch CPU
seconds, the `raw` staging step and the peak memory of each mode.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, PrefectServer, machine, publish, run_measured
from benchmarks.incremental import corpus

RAW_TABLES = ("raw_records", "raw_pages")


def _raw_bytes(wh: Path) -> tuple[int, int]:
    """(bytes on disk, rows) of the raw tables in the current snapshot."""
    import polars as pl

    snap = Path(os.path.realpath(wh / "current")) / "_internal"
    size = sum(f.stat().st_size for t in RAW_TABLES for f in (snap / t).glob("*.parquet"))
    files = [str(f) for f in (snap / "raw_pages").glob("*.parquet")]
    rows = pl.scan_parquet(files).select(pl.len()).collect().item() if files else 0
    return size, rows


def _one(feed: Path, keep: bool, env: dict) -> dict:
    wh = Path(tempfile.mkdtemp(prefix="raw-wh-"))
    try:
        cmd = [sys.executable, "-m", "flows.cli", "run", str(feed), "--warehouse", str(wh), "--workers", "2"]
        cmd += ["--no-progress", "--json"] + ([] if keep else ["--no-keep-raw"])
        wall, peak, out = run_measured(cmd, {**env, "PYTHONPATH": str(ROOT)})
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        summary = json.loads(out.stdout[out.stdout.index("{") :])
        size, pages = _raw_bytes(wh)
        t = summary["timings"]
        return {
            "wall": wall,
            "peak_mb": peak,
            "batch_cpu": t["clean_batches_cpu"],
            "raw_step": t.get("raw", 0.0),
            "raw_bytes": size,
            "raw_pages": pages,
            "stored": summary["n_articles"] + summary["n_rejects"],
        }
    finally:
        shutil.rmtree(wh, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    first, _, _ = corpus(args.docs, 0)
    d = Path(tempfile.mkdtemp(prefix="raw-in-"))
    feed = d / "feed.jsonl"
    feed.write_text("\n".join(first) + "\n")
    size_in = feed.stat().st_size
    runs: dict[bool, list[dict]] = {True: [], False: []}
    try:
        with PrefectServer() as server:
            for k in range(args.repeats):  # the order alternates, so neither mode always runs first
                for keep in (True, False) if k % 2 == 0 else (False, True):
                    runs[keep].append(_one(feed, keep, server.env))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    on = runs[True][-1]

    def med(keep: bool, key: str) -> float:
        return statistics.median(r[key] for r in runs[keep])

    rows = [
        f"| {name} | {med(k, 'wall'):.1f} | {med(k, 'batch_cpu'):.1f} | {med(k, 'raw_step'):.2f} | "
        f"{med(k, 'peak_mb'):.0f} |"
        for name, k in (("raw store on (default)", True), ("`--no-keep-raw`", False))
    ]
    per_in = size_in / len(first)
    per_raw = on["raw_bytes"] / max(on["stored"], 1)
    body = f"""Command: `python -m benchmarks.raw_store --docs {args.docs} --repeats {args.repeats}` ({machine()}).

Method: one JSON Lines feed of {len(first):,} real pages (the Apache-2.0 development sets), run
with the raw store and with `--no-keep-raw` into fresh warehouses, {args.repeats} times each, the
order alternating, against one running Prefect server; medians (each mode's runs: wall
{", ".join(f"{r['wall']:.1f}" for r in runs[True])} s with the store, {", ".join(f"{r['wall']:.1f}" for r in runs[False])} s without).

| | bytes |
|---|---:|
| input per page (JSON line) | {per_in:,.0f} |
| raw store per stored page (`raw_records` + `raw_pages`, zstd Parquet) | {per_raw:,.0f} |
| raw store against the input | {per_raw / per_in:.2f}x |
| pages stored / documents stored | {on["raw_pages"]:,} / {on["stored"]:,} |

| mode | wall s | batch CPU s | `raw` step s | peak MB |
|---|---:|---:|---:|---:|
{chr(10).join(rows)}
"""
    publish("Raw store: disk and time (benchmarks/raw_store.py)", body, args.no_write)


if __name__ == "__main__":
    main()
