"""Compaction memory and decompression bombs: this checkout side by side with an earlier one.

    python -m benchmarks.reliability [--rows 100000 400000] [--baseline-rev c21a444] [--no-write]

1. **Compaction memory.** A warehouse of `rows` articles in 200 per-run files (real-length bodies:
   the words of the Apache-2.0 readability set's truth bodies, shuffled per row so no two rows
   are alike), compacted by each version in a
   fresh process: wall time and peak RSS (VmHWM) of that process.
2. **Bombs.** `newsclean run` with the defaults (2 workers, against a running Prefect server) on
   one `.warc.gz` of 4 MB holding a 4 GB HTML record, and one `.jsonl.gz` of 4 MB that inflates
   to 4 GB of blank lines: wall time and how the file ends in the tables.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from benchmarks.common import CACHE, ROOT, PrefectServer, machine, publish, run_measured
from benchmarks.incremental import _baseline

BOMB_TIMEOUT = 900.0
"""A bomb run still going after this long is stopped and reported as such."""
LABELED = ROOT.parent / "shared" / "data" / "labeled-pages.tar.xz"

_COMPACT = """
import json, sys, time
sys.path.insert(0, {code!r})
from flows.warehouse import Warehouse
wh = Warehouse({root!r})
t = time.perf_counter()
try:
    from flows.maintenance import compact
    with wh.lock():
        compact(wh)
except ImportError:  # versions before flows/maintenance.py
    with wh.lock():
        wh.compact()
wall = time.perf_counter() - t
hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0] / 1024
print(json.dumps({{"wall": wall, "peak_mb": hwm}}))
"""

_BUILD = """
import sys, json
sys.path.insert(0, {code!r})
from datetime import UTC, datetime
import polars as pl
from cleaners.schema import empty
from flows.warehouse import Warehouse
import numpy as np
bodies = [np.array(b.split()) for b in json.loads(open({bodies!r}).read())]
rng = np.random.default_rng(7)
def body(k):  # real words and lengths, but no two rows alike (a real table does not compress away)
    return " ".join(rng.permutation(bodies[k % len(bodies)]))
wh = Warehouse({root!r})
wh.ensure_root()
rows, files = {rows}, 200
per = rows // files
schema = empty("articles").schema
for f in range(files):
    run = f"r{{f:04d}}"
    n = [f * per + i for i in range(per)]
    df = pl.DataFrame({{
        "doc_id": [f"{{k:016x}}" for k in n], "run_id": [run] * per, "source": [f"/in/{{k}}.html" for k in n],
        "text": [body(k) for k in n], "n_words": [len(bodies[k % len(bodies)]) for k in n],
        "content_hash": ["h"] * per, "raw_hash": ["r"] * per, "cluster_id": [f"{{k:016x}}" for k in n],
        "is_canonical": [True] * per, "ingested_at": [datetime(2026, 1, 1, tzinfo=UTC)] * per,
    }})
    df = df.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in df.columns])
    wh.stage(run, "articles", df.select(schema.names()))
    row = {{c: None for c in empty("runs").columns}} | {{"run_id": run, "started_at": datetime(2026, 1, 1, tzinfo=UTC),
           "finished_at": datetime(2026, 1, 1, tzinfo=UTC), "newsclean_version": "b", "settings_fingerprint": "f",
           "parameters": "{{}}", "seconds": 0.0}}
    row |= {{k: 0 for k, v in empty("runs").schema.items() if v == pl.Int64}}
    wh.stage(run, "runs", pl.DataFrame([row], schema=empty("runs").schema))
    wh.commit(run, {{}})
"""


def _bodies() -> Path:
    """Real-length news bodies (readability truth, Apache-2.0) as a JSON list in the cache."""
    out = CACHE / "bodies.json"
    if not out.exists():
        import tarfile

        with tarfile.open(LABELED) as tf:
            truth = json.load(tf.extractfile("labeled-pages/readability/truth.json"))  # type: ignore[arg-type]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps([t["articleBody"] for t in truth.values() if len(t["articleBody"]) > 500]))
    return out


def compaction(code: Path, rows: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix="compact-"))
    try:
        subprocess.run(
            [sys.executable, "-c", _BUILD.format(code=str(code), bodies=str(_bodies()), root=str(root), rows=rows)],
            check=True,
            cwd=ROOT,
        )
        size = sum(f.stat().st_size for f in (root / "current" / "articles").glob("*.parquet")) / 2**20
        out = subprocess.run(
            [sys.executable, "-c", _COMPACT.format(code=str(code), root=str(root))],
            check=True,
            capture_output=True,
            text=True,
            cwd=code,
        )
        return {**json.loads(out.stdout.strip().splitlines()[-1]), "table_mb": size}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _gzip_of(chunks, path: Path) -> None:
    """Stream `chunks` into one gzip member at `path` (level 9: a bomb's ratio)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(path, "wb") as fh:
        for c in chunks:
            fh.write(comp.compress(c))
        fh.write(comp.flush())


def bombs(folder: Path) -> dict[str, Path]:
    """A .warc.gz with one 4 GB HTML response and a .jsonl.gz of 4 GB of blank lines (~4 MB each)."""
    folder.mkdir(parents=True, exist_ok=True)
    size, block = 4 << 30, b" " * (1 << 20)
    warc = folder / "bomb.warc.gz"
    if not warc.exists():
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % size
        head = (
            b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
            b"WARC-Target-URI: https://bomb.example/\r\nContent-Type: application/http; msgtype=response\r\n"
            b"Content-Length: %d\r\n\r\n" % (len(http) + size)
        )
        _gzip_of([head, http, *(block for _ in range(size // len(block))), b"\r\n\r\n"], warc)
    jsonl = folder / "bomb.jsonl.gz"
    if not jsonl.exists():
        _gzip_of((b"\n" * (1 << 20) for _ in range(size >> 20)), jsonl)
    return {"warc": warc, "jsonl": jsonl}


def bomb_run(code: Path, path: Path, env: dict) -> dict:
    wh = Path(tempfile.mkdtemp(prefix="wh-"))
    inbox = Path(tempfile.mkdtemp(prefix="in-"))
    try:
        (inbox / path.name).symlink_to(path)
        cmd = [sys.executable, "-m", "flows.cli", "run", str(inbox), "--warehouse", str(wh), "--workers", "2"]
        wall, _, out = run_measured(
            [*cmd, "--no-progress", "--json", "--allow-outside-links"], env, cwd=code, timeout=BOMB_TIMEOUT
        )
        if out.returncode == -9:
            return {"wall": wall, "outcome": f"stopped after {BOMB_TIMEOUT:.0f} s, not finished"}
        if out.returncode != 0:
            return {"wall": wall, "outcome": f"exit {out.returncode}: {out.stderr.strip().splitlines()[-1][:120]}"}
        summary = json.loads(out.stdout[out.stdout.index("{") :])
        return {"wall": wall, "outcome": ", ".join(f"{k} {v}" for k, v in summary["reject_reasons"].items())}
    finally:
        shutil.rmtree(wh, ignore_errors=True)
        shutil.rmtree(inbox, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 400_000])
    ap.add_argument("--baseline-rev", default="c21a444")
    ap.add_argument("--only", choices=["compaction", "bombs"], help="run one of the two parts")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    base = _baseline(args.baseline_rev)
    versions = {"this checkout": ROOT, f"baseline {args.baseline_rev}": base}
    lines = [
        "| articles | table on disk | version | compact wall | peak RSS |",
        "|---:|---:|---|---:|---:|",
    ]
    for rows in args.rows if args.only != "bombs" else []:
        for name, code in versions.items():
            r = compaction(code, rows)
            lines.append(f"| {rows:,} | {r['table_mb']:.0f} MB | {name} | {r['wall']:.1f} s | {r['peak_mb']:,.0f} MB |")
            print(lines[-1], flush=True)
    bomb_lines = ["| input | version | wall | outcome |", "|---|---|---:|---|"]
    with PrefectServer() as server:
        for path in bombs(CACHE / "bombs").values() if args.only != "compaction" else []:
            for name, code in versions.items():
                r = bomb_run(code, path, {**server.env, "PYTHONPATH": str(code)})
                mb = path.stat().st_size / 2**20
                bomb_lines.append(
                    f"| {path.name} ({mb:.1f} MB -> 4 GB) | {name} | {r['wall']:.0f} s | {r['outcome']} |"
                )
                print(bomb_lines[-1], flush=True)
    body = (
        f"`python -m benchmarks.reliability` on {machine()}. Each version in its own process, side by\n"
        "side in one run; the baseline is the commit before the reliability round three fixes.\n\n"
        "**Compaction memory** (200 per-run files of real-length bodies; `compact` now streams rows\n"
        "from the input files to the outputs 2,000 at a time instead of reading a whole table):\n\n"
        + "\n".join(lines)
        + "\n\n**Decompression bombs** (`newsclean run`, defaults, 2 workers, a running Prefect server; a\n"
        "file that inflates more than 30x is no longer split into parts that each inflate it, and its\n"
        "parts share one `max_decompressed_mb` budget, WARC included):\n\n" + "\n".join(bomb_lines)
    )
    if args.only:
        print(body)
        return
    publish("Compaction memory and decompression bombs (benchmarks/reliability.py)", body, args.no_write)


if __name__ == "__main__":
    main()
