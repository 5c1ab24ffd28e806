"""Dedup on a Dask cluster against dedup in the flow's process, side by side, same data, same run.

    python -m benchmarks.dask_dedup              # writes the BENCHMARKS.md section
    python -m benchmarks.dask_dedup --no-write

Corpus: the real-text corpus of `benchmarks.dedup --real` (the full ground-truth bodies of the
labelled sets, each followed by a one-word-edited copy), drawn `--copies` times with other edits
(a wire story carried by several outlets), shuffled. The first half is stored (its band index
kept as one file per dedup part, as a warehouse keeps it); the second half is the new run,
deduplicated against it in parts (`--part-docs`). Local: `dedup_in_parts` in this process (numba
and Polars use every core). Dask: the same call with a `DaskExecutor` on a `LocalCluster` of
`--workers` processes of one thread each, started and warmed (one untimed pass) before timing.
The two alternate, `--repeats` times each (median), and must decide the same clusters.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.common import machine, publish
from benchmarks.dedup import SCHEMA, _keep_in, materialize_real, recall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--part-docs", type=int, default=5000)
    ap.add_argument("--copies", type=int, default=5, help="draws of the real corpus, each with its own edits")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from cleaners.config import DedupConfig
    from cleaners.dedup import History, dedup, dedup_in_parts
    from flows.dask_executor import DaskExecutor

    frames, planted = [], []
    for seed in range(args.copies):
        path = materialize_real(seed)
        draw = pl.read_parquet(f"{path}/*.parquet", schema=SCHEMA)
        offset = sum(f.height for f in frames)
        frames.append(draw.with_columns(pl.format("{}", pl.int_range(offset, offset + draw.height)).alias("k")))
        planted.append(np.load(f"{path}/pairs.npy") + offset)
    docs = (
        pl.concat(frames)
        .with_columns(pl.col("k").cast(pl.Int64).map_elements(lambda k: f"{k:016x}", pl.String).alias("doc_id"))
        .drop("k")
        .sample(fraction=1.0, shuffle=True, seed=0)
    )
    pairs = np.concatenate(planted)
    cut = docs.height // 2
    cfg = replace(DedupConfig(), part_docs=args.part_docs)
    dedup(docs.head(200), cfg)  # load the compiled kernels (not timed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "stored").mkdir()
        first = dedup_in_parts(docs.head(cut), cfg, None, _keep_in(root / "stored"))
        stored_articles = docs.head(cut).join(first.assignments, on="doc_id").lazy()
        band_files = sorted((root / "stored").glob("*.parquet"))
        new = docs.slice(cut)
        new.write_parquet(root / "new.parquet")
        scan = pl.scan_parquet(root / "new.parquet")
        times: dict[str, list[float]] = {"local": [], "dask": []}
        results = {}
        with (
            LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            ex = DaskExecutor(client)
            warm = root / "warm"
            warm.mkdir()
            scans = [pl.scan_parquet(f) for f in band_files]
            dedup_in_parts(scan, cfg, History(bands=scans, articles=stored_articles), _keep_in(warm), executor=ex)
            for rep in range(args.repeats):
                for mode in ("local", "dask"):
                    out = root / f"{mode}-{rep}"
                    out.mkdir()
                    scans = [pl.scan_parquet(f) for f in band_files]
                    history = History(bands=scans if mode == "dask" else pl.concat(scans), articles=stored_articles)
                    t = time.perf_counter()
                    r = dedup_in_parts(scan, cfg, history, _keep_in(out), executor=ex if mode == "dask" else None)
                    times[mode].append(time.perf_counter() - t)
                    results[mode] = r
    a, b = (results[m].assignments.sort("doc_id").rows() for m in ("local", "dask"))
    same = a == b
    stored_now = first.assignments.update(results["local"].relabels, on="doc_id")  # stored rows the run moved
    merged = pl.concat([stored_now, results["local"].assignments])
    local_s, dask_s = (float(np.median(times[m])) for m in ("local", "dask"))
    stats = results["local"].stats
    body = f"""Command: `python -m benchmarks.dask_dedup` ({machine()}). {new.height:,} new real-length
bodies (the labelled sets' truths and one-word-edited copies, drawn {args.copies} times with other edits) against
{cut:,} stored, in parts of
{args.part_docs:,} ({stats["parts"]} parts, {len(band_files)} stored band files, {stats["candidate_pairs"]:,}
candidate pairs, {stats["history_candidates"]:,} from history), median of {args.repeats} alternating runs.

| dedup of the run | wall s | docs / s | same clusters as local |
|---|---|---|---|
| in the flow's process (numba and Polars on every core) | {local_s:.2f} | {new.height / local_s:,.0f} | (baseline) |
| on a Dask `LocalCluster`, {args.workers} worker processes x 1 thread | {dask_s:.2f} | {new.height / dask_s:,.0f} | {"yes" if same else "NO"} |

Recall of the planted copies over both runs: {recall(merged, pairs):.3f}. On one machine the
cluster path costs {dask_s / local_s:.2f}x the in-process one (it ships texts and keys to the
workers and back, and the flow waits on each part); what it buys is that sketching, the history
join and verification run on as many machines as the cluster has, with the flow only
coordinating.
"""
    publish("Dedup on a Dask cluster (benchmarks/dask_dedup.py)", body, args.no_write)
    if not same:
        raise SystemExit("the Dask path decided other clusters than the local one")


if __name__ == "__main__":
    main()
