"""Re-cleaning a warehouse against ingesting the same pages fresh, side by side.

    python -m benchmarks.reclean [--docs 3000] [--repeats 2] [--no-write]

Input: one JSON Lines feed of `--docs` real pages (trafilatura's evaluation set and Mozilla
Readability's test pages, the Apache-2.0 development sets, cycled with distinct ids when more
documents are asked for than there are pages), ingested once with the default settings. Then,
alternating, `--repeats` times each: `newsclean reclean --min-words 25 --disable-rule subscribe`
on a copy of that warehouse, and `newsclean run` of the same feed with the same settings into
a fresh warehouse (against one running Prefect server, so its start-up is not measured; the
re-clean needs none). Both use 2 workers. Reported: median wall seconds and peak memory of the
whole process tree, and the re-clean's time against the fresh run's (target <= 1.1x).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, PrefectServer, machine, publish, run_measured
from benchmarks.incremental import corpus

SETTINGS = ["--min-words", "25", "--disable-rule", "subscribe", "--workers", "2"]


def _cli(args: list[str], env: dict) -> tuple[float, float, dict]:
    wall, peak, out = run_measured([sys.executable, "-m", "flows.cli", *args], {**env, "PYTHONPATH": str(ROOT)})
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return wall, peak, json.loads(out.stdout[out.stdout.index("{") :])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    first, _, _ = corpus(args.docs, 0)
    d = Path(tempfile.mkdtemp(prefix="reclean-"))
    feed = d / "in" / "feed.jsonl"
    feed.parent.mkdir()
    feed.write_text("\n".join(first) + "\n")
    res: dict[str, list[tuple[float, float]]] = {"reclean": [], "fresh": []}
    try:
        with PrefectServer() as server:
            base = d / "stored"
            _cli(["run", str(feed), "--warehouse", str(base), "--workers", "2", "--no-progress", "--json"], server.env)
            for k in range(args.repeats):
                for kind in ("reclean", "fresh") if k % 2 == 0 else ("fresh", "reclean"):
                    wh = d / f"{kind}-{k}"
                    if kind == "reclean":
                        shutil.copytree(base, wh, symlinks=True)
                        wall, peak, done = _cli(["reclean", "--warehouse", str(wh), *SETTINGS, "--json"], server.env)
                        n = done["n_records"]
                    else:
                        cmd = ["run", str(feed), "--warehouse", str(wh), *SETTINGS, "--no-progress", "--json"]
                        wall, peak, _ = _cli(cmd, server.env)
                    res[kind].append((wall, peak))
                    shutil.rmtree(wh, ignore_errors=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)

    def med(kind: str, i: int) -> float:
        return statistics.median(r[i] for r in res[kind])

    walls = {k: ", ".join(f"{w:.1f}" for w, _ in v) for k, v in res.items()}
    body = f"""Command: `python -m benchmarks.reclean --docs {args.docs} --repeats {args.repeats}` ({machine()}).

Method: a feed of {len(first):,} real pages (the Apache-2.0 development sets, cycled with distinct
ids) ingested once with the default settings; then, alternating, {args.repeats} times each,
`newsclean reclean {" ".join(SETTINGS)}` of a copy of that warehouse ({n:,} stored documents)
against `newsclean run` of the feed with the same settings into a fresh warehouse (a running
Prefect server; the re-clean needs none). Medians; each run's wall: re-clean {walls["reclean"]} s,
fresh {walls["fresh"]} s.

| | wall s | peak MB |
|---|---:|---:|
| `newsclean reclean` | {med("reclean", 0):.1f} | {med("reclean", 1):.0f} |
| fresh `newsclean run` of the same pages | {med("fresh", 0):.1f} | {med("fresh", 1):.0f} |
| re-clean / fresh | {med("reclean", 0) / med("fresh", 0):.2f}x (target <= 1.1x) | |
"""
    publish("Re-clean against a fresh ingest (benchmarks/reclean.py)", body, args.no_write)


if __name__ == "__main__":
    main()
