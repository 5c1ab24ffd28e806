"""Near-duplicate detection: newsclean vs the textbook datasketch loop, side by side.

    python -m benchmarks.dedup                      # 10k, 100k, 1M + incremental; writes BENCHMARKS.md
    python -m benchmarks.dedup --sizes 10000 20000  # quicker
    python -m benchmarks.dedup --real               # real news-length bodies, one core each
    python -m benchmarks.dedup --scale 10000000     # memory: a run in parts, then 10k new against it

Real-text corpus (`--real`): the full ground-truth bodies of `../shared/data/labeled-pages.tar.xz`
(four sets of real web pages, bodies of 50 words or more), each followed by a copy with one
word replaced; both sides run on one thread (NUMBA_NUM_THREADS=1, POLARS_MAX_THREADS=1), so
the ratio is per core.

Corpus: synthetic ~400-word documents over a Zipf-distributed vocabulary of 50k words; 10% of
documents are planted near-copies of an earlier document of the same 100k-document block (2%
of words replaced, a boilerplate sentence appended, every third copy trimmed to 70%). Recall =
planted pairs that end in one cluster. Baseline = what a user glues together: datasketch
MinHash (128 perms, word 5-grams, `update_batch`) + MinHashLSH(threshold=0.8) + union-find.
Every measurement runs in a fresh process, so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.common import CACHE, machine, peak_rss_mb, run_isolated, write_section
from cleaners.dedup import BandSink

WORDS, VOCAB, BLOCK, DUP_SHARE = 400, 50_000, 100_000, 0.10
BOILER = " Subscribe to our newsletter for the latest news delivered to your inbox every morning"
SCHEMA = {"doc_id": pl.String, "text": pl.String, "published_at": pl.Datetime("us", "UTC"), "n_words": pl.Int32}


def _block_ids(seed: int, block: int, n: int) -> np.ndarray:
    return (np.random.default_rng([seed, block]).zipf(1.3, size=(n, WORDS)) % VOCAB).astype(np.uint32)


def _texts(ids: np.ndarray, lengths: np.ndarray, tail: np.ndarray) -> pl.Series:
    vocab = pl.Series([f"w{i}" for i in range(VOCAB)])
    words = vocab.gather(ids.ravel()).reshape(ids.shape).arr.to_list()
    return pl.DataFrame({"w": words, "len": lengths, "tail": tail}).select(
        (pl.col("w").list.head(pl.col("len")).list.join(" ") + pl.col("tail")).alias("text")
    )["text"]


def _copy(rng: np.random.Generator, row: np.ndarray) -> np.ndarray:
    row = row.copy()
    edit = rng.random(WORDS) < 0.02
    row[edit] = rng.integers(0, VOCAB, int(edit.sum()))
    return row


def block(seed: int, b: int, n: int) -> tuple[pl.DataFrame, np.ndarray]:
    """Block b of the corpus: docs b*BLOCK .. b*BLOCK+n-1 and its planted (copy, original) pairs."""
    rng = np.random.default_rng([seed, b, 1])
    ids = _block_ids(seed, b, n)
    is_copy = rng.random(n) < DUP_SHARE
    is_copy[0] = False
    origin = np.full(n, -1)
    for i in np.flatnonzero(is_copy):
        origin[i] = int(rng.integers(0, i))
        ids[i] = _copy(rng, ids[origin[i]])
    lengths = np.where(is_copy & (np.arange(n) % 3 == 0), int(WORDS * 0.7), WORDS)
    base = b * BLOCK
    df = pl.DataFrame(
        {
            "doc_id": [f"{base + i:016x}" for i in range(n)],
            "text": _texts(ids, lengths, np.where(is_copy, BOILER, "")),
            "published_at": pl.Series([None] * n, dtype=pl.Datetime("us", "UTC")),
            "n_words": pl.Series(lengths, dtype=pl.Int32),
        }
    )
    c = np.flatnonzero(is_copy)
    return df, np.stack([c + base, origin[c] + base], axis=1)


def new_docs_against(seed: int, n: int, n_stored: int) -> tuple[pl.DataFrame, np.ndarray]:
    """n new documents (ids from 2^40): 10% are edited copies of stored documents of block 0."""
    rng = np.random.default_rng([seed, 999])
    stored, _ = block(seed, 0, min(BLOCK, n_stored))
    ids = _block_ids(seed + 1, 999, n)
    texts = _texts(ids, np.full(n, WORDS), np.full(n, "")).to_list()
    is_copy = rng.random(n) < DUP_SHARE
    origin = np.where(is_copy, rng.integers(0, stored.height, n), -1)
    for i in np.flatnonzero(is_copy):
        words = stored["text"][int(origin[i])].split()
        for j in np.flatnonzero(rng.random(len(words)) < 0.02):
            words[j] = f"w{int(rng.integers(0, VOCAB))}"
        texts[i] = " ".join(words) + BOILER
    base = 1 << 40
    df = pl.DataFrame(
        {
            "doc_id": [f"{base + i:016x}" for i in range(n)],
            "text": texts,
            "published_at": pl.Series([None] * n, dtype=pl.Datetime("us", "UTC")),
            "n_words": pl.Series([len(t.split()) for t in texts], dtype=pl.Int32),
        }
    )
    c = np.flatnonzero(is_copy)
    return df, np.stack([c + base, origin[c]], axis=1)


def materialize(n: int, seed: int = 0) -> str:
    """Write the n-document corpus to Parquet block by block (cached); returns its directory."""
    d = CACHE / f"dedup-{n}-{seed}"
    if (d / "pairs.npy").exists():
        return str(d)
    d.mkdir(parents=True, exist_ok=True)
    pairs = []
    for b, off in enumerate(range(0, n, BLOCK)):
        if not (d / f"pairs-{b:04d}.npy").exists():  # a block at a time: an interrupted build resumes
            df, p = block(seed, b, min(BLOCK, n - off))
            df.write_parquet(d / f"part-{b:04d}.parquet")
            np.save(d / f"pairs-{b:04d}.npy", p)
        pairs.append(np.load(d / f"pairs-{b:04d}.npy"))
    np.save(d / "pairs.npy", np.concatenate(pairs))
    return str(d)


def materialize_real(seed: int = 0) -> str:
    """The real-text corpus (see module doc) as Parquet (cached); returns its directory."""
    from benchmarks.bodies import SETS, unpack_labeled

    d = CACHE / f"dedup-real-{seed}"
    if (d / "pairs.npy").exists():
        return str(d)
    root = unpack_labeled()
    bodies = []
    for name in SETS:
        truth = json.loads((root / name / "truth.json").read_text())
        bodies += [truth[k]["articleBody"] for k in sorted(truth) if len(truth[k]["articleBody"].split()) >= 50]
    rng = np.random.default_rng(seed)
    texts, pairs = [], []
    for body in bodies:
        words = body.split(" ")
        words[int(rng.integers(len(words)))] = "edited"
        pairs.append((len(texts) + 1, len(texts)))
        texts += [body, " ".join(words)]
    d.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        {
            "doc_id": [f"{i:016x}" for i in range(len(texts))],
            "text": texts,
            "published_at": pl.Series([None] * len(texts), dtype=pl.Datetime("us", "UTC")),
            "n_words": pl.Series([len(t.split()) for t in texts], dtype=pl.Int32),
        }
    ).write_parquet(d / "part-0000.parquet")
    np.save(d / "pairs.npy", np.array(pairs, dtype=np.int64))
    return str(d)


def recall(assign: pl.DataFrame, pairs: np.ndarray) -> float:
    """Share of planted (copy, original) pairs whose members share a cluster_id."""
    key = assign.select(pl.col("doc_id").str.to_integer(base=16).alias("k"), "cluster_id")
    p = pl.DataFrame({"a": pairs[:, 0].astype(np.int64), "b": pairs[:, 1].astype(np.int64)})
    j = p.join(key.rename({"k": "a", "cluster_id": "ca"}), on="a").join(
        key.rename({"k": "b", "cluster_id": "cb"}), on="b"
    )
    return float((j["ca"] == j["cb"]).mean()) if j.height else float("nan")


# --- one measurement per process --------------------------------------------------------------


def measure_newsclean(path: str, repeats: int = 1, in_memory: bool = False) -> dict:
    """newsclean's dedup on the corpus at `path`; `in_memory` reads it first, untimed, as the
    baseline reads its texts (otherwise the Parquet scan is part of the timed work)."""
    from cleaners.config import DedupConfig
    from cleaners.dedup import dedup

    lf = pl.scan_parquet(f"{path}/*.parquet", schema=SCHEMA)
    if in_memory:
        lf = lf.collect().lazy()
    dedup(lf.head(1000).collect(), DedupConfig())  # load the compiled kernels (not timed)
    runs = []
    for _ in range(repeats):  # short runs are noisy: report the median
        t = time.perf_counter()
        r = dedup(lf, DedupConfig())
        runs.append(time.perf_counter() - t)
    dt = float(np.median(runs))
    n = r.assignments.height
    return {
        "docs": n,
        "seconds": dt,
        "docs_per_s": n / dt,
        "peak_rss_mb": peak_rss_mb(),
        "recall": recall(r.assignments, np.load(f"{path}/pairs.npy")),
        "clusters": r.assignments["cluster_id"].n_unique(),
        "stats": r.stats,
        "precision_proxy": _precision(r.assignments, np.load(f"{path}/pairs.npy")),
    }


def _precision(assign: pl.DataFrame, pairs: np.ndarray) -> float:
    """Share of same-cluster pairs that were planted (copies of one original count as planted)."""
    key = assign.select(pl.col("doc_id").str.to_integer(base=16).cast(pl.Int64).alias("k"), "cluster_id")
    # ground-truth story of each doc: follow copy -> original
    parent = dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
    story = key.with_columns(pl.col("k").map_elements(lambda k: _root(parent, k), return_dtype=pl.Int64).alias("story"))
    sizes = story.group_by("cluster_id").agg(pl.len().alias("n"), pl.col("story").n_unique().alias("stories"))
    impure = sizes.filter(pl.col("stories") > 1)
    return 1.0 - impure.height / max(sizes.filter(pl.col("n") > 1).height, 1)


def _root(parent: dict, k: int) -> int:
    while k in parent:
        k = parent[k]
    return k


def measure_datasketch(path: str, limit: int, repeats: int = 3) -> dict:
    df = pl.scan_parquet(f"{path}/*.parquet", schema=SCHEMA).head(limit).collect()
    texts, ids = df["text"].to_list(), df["doc_id"].to_list()
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        clusters = _baseline(texts, ids)
        runs.append(time.perf_counter() - t)
    dt = float(np.median(runs))
    pairs = np.load(f"{path}/pairs.npy")
    pairs = pairs[(pairs[:, 0] < limit) & (pairs[:, 1] < limit)]
    assign = pl.DataFrame({"doc_id": ids, "cluster_id": clusters})
    return {
        "docs": len(texts),
        "seconds": dt,
        "docs_per_s": len(texts) / dt,
        "peak_rss_mb": peak_rss_mb(),
        "recall": recall(assign, pairs),
        "precision_proxy": _precision(assign, pairs),
        "clusters": assign["cluster_id"].n_unique(),
    }


def _baseline(texts: list[str], ids: list[str]) -> list[str]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    parent = list(range(len(texts)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, text in enumerate(texts):
        w = text.lower().split()
        sh = {" ".join(w[j : j + 5]).encode() for j in range(max(1, len(w) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch(sh)
        for j in lsh.query(m):
            parent[find(i)] = find(j)
        lsh.insert(i, m)
    return [ids[find(i)] for i in range(len(texts))]


def _stored_dir(path: str) -> Path:
    return CACHE / f"{path.rsplit('/', 1)[1]}-stored"


def _keep_in(folder: Path) -> BandSink:
    """A band sink writing each part's band keys to `folder` (as the flow stages them)."""

    def keep(bands: pl.DataFrame, part: int) -> pl.LazyFrame:
        path = folder / f"bands-{part:05d}.parquet"
        bands.write_parquet(path)
        return pl.scan_parquet(path)

    return keep


def measure_parts(path: str, part_docs: int, store: int = 0) -> dict:
    """`dedup_in_parts` over the corpus at `path` (scanned, never read whole); its band keys go to
    disk, into the corpus's stored index when `store` (for the incremental measurement)."""
    import tempfile
    from dataclasses import replace

    from cleaners.config import DedupConfig
    from cleaners.dedup import dedup, dedup_in_parts

    lf = pl.scan_parquet(f"{path}/*.parquet", schema=SCHEMA)
    dedup(lf.head(1000).collect(), DedupConfig())  # load the compiled kernels (not timed)
    with tempfile.TemporaryDirectory() as tmp:
        out = _stored_dir(path) if store else Path(tmp)
        if store:
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
        t = time.perf_counter()
        r = dedup_in_parts(lf, replace(DedupConfig(), part_docs=part_docs), None, _keep_in(out))
        dt = time.perf_counter() - t
        peak = peak_rss_mb()
        if store:
            r.assignments.write_parquet(out / "assign.parquet")
    pairs = np.load(f"{path}/pairs.npy")
    return {
        "docs": r.assignments.height,
        "seconds": dt,
        "docs_per_s": r.assignments.height / dt,
        "peak_rss_mb": peak,
        "recall": recall(r.assignments, pairs),
        "clusters": r.assignments["cluster_id"].n_unique(),
        "precision_proxy": _precision(r.assignments, pairs),
        "stats": r.stats,
    }


def measure_incremental(path: str, n_new: int) -> dict:
    """Dedup n_new documents against the stored corpus at `path` through a persisted band index."""
    from cleaners.config import DedupConfig
    from cleaners.dedup import History, dedup, dedup_in_parts

    stored_dir = _stored_dir(path)
    if not (stored_dir / "assign.parquet").exists():
        stored_dir.mkdir(parents=True, exist_ok=True)
        lf = pl.scan_parquet(f"{path}/*.parquet", schema=SCHEMA)
        r = dedup_in_parts(lf, DedupConfig(), None, _keep_in(stored_dir))
        r.assignments.write_parquet(stored_dir / "assign.parquet")
    articles = pl.scan_parquet(f"{path}/*.parquet", schema=SCHEMA).join(
        pl.scan_parquet(stored_dir / "assign.parquet"), on="doc_id"
    )
    history = History(bands=pl.scan_parquet(stored_dir / "bands*.parquet"), articles=articles)
    new, pairs = new_docs_against(0, n_new, int(path.rsplit("-", 2)[1]))
    dedup(new.head(500), DedupConfig())  # load the compiled kernels (not timed)
    rss0 = peak_rss_mb()
    t = time.perf_counter()
    r = dedup(new, DedupConfig(), history)
    dt = time.perf_counter() - t
    a = r.assignments.with_columns(pl.col("doc_id").str.to_integer(base=16).alias("k"))
    got = dict(zip(a["k"].to_list(), a["cluster_id"].to_list()))
    # the stored originals' clusters
    stored = pl.read_parquet(stored_dir / "assign.parquet").with_columns(
        pl.col("doc_id").str.to_integer(base=16).alias("k")
    )
    stored_c = dict(zip(stored["k"].to_list(), stored["cluster_id"].to_list()))
    # A new copy may win the canonical policy (it is longer): its stored original is then relabelled.
    moved = r.relabels.with_columns(pl.col("doc_id").str.to_integer(base=16).alias("k"))
    stored_c.update(zip(moved["k"].to_list(), moved["cluster_id"].to_list()))
    hit = np.mean([got[int(c)] == stored_c[int(o)] for c, o in pairs]) if len(pairs) else float("nan")
    return {
        "new_docs": n_new,
        "seconds": dt,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": rss0,
        "recall_vs_stored": float(hit),
        "stats": r.stats,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--baseline-docs", type=int, default=10_000, help="documents the (slow) baseline runs on")
    ap.add_argument("--incremental", type=int, default=10_000, help="new docs against the largest corpus; 0 = skip")
    ap.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--real", action="store_true", help="the real-text corpus, one core each (see above)")
    ap.add_argument("--repeats", type=int, default=5, help="--real: runs per measurement (median)")
    ap.add_argument("--scale", type=int, default=0, help="memory at scale: a run of this many documents in parts")
    args = ap.parse_args()
    if args.one:
        kind, *rest = args.one
        res = {
            "newsclean": lambda: measure_newsclean(rest[0], int(rest[1]), *map(bool, map(int, rest[2:]))),
            "datasketch": lambda: measure_datasketch(rest[0], int(rest[1]), *map(int, rest[2:])),
            "incremental": lambda: measure_incremental(rest[0], int(rest[1])),
            "parts": lambda: measure_parts(rest[0], int(rest[1]), *map(int, rest[2:])),
        }[kind]()
        print(json.dumps(res, default=float))
        return
    if args.real:
        real(args)
        return
    if args.scale:
        scale(args)
        return
    rows = []
    for n in args.sizes:
        path = materialize(n)
        print(f"corpus {n}: {path}", file=sys.stderr)
        nc = run_isolated("benchmarks.dedup", "--one", "newsclean", path, "5" if n <= 100_000 else "1")
        rows.append((n, nc))
        print(f"newsclean {n}: {nc}", file=sys.stderr)
    base = run_isolated(
        "benchmarks.dedup", "--one", "datasketch", materialize(args.baseline_docs), str(args.baseline_docs)
    )
    same = dict(rows).get(args.baseline_docs) or run_isolated(
        "benchmarks.dedup", "--one", "newsclean", materialize(args.baseline_docs), "5"
    )
    print(f"datasketch {args.baseline_docs}: {base}", file=sys.stderr)
    inc = None
    if args.incremental:
        inc = run_isolated(
            "benchmarks.dedup", "--one", "incremental", materialize(max(args.sizes)), str(args.incremental)
        )
        print(f"incremental: {inc}", file=sys.stderr)
    if args.no_write:
        return
    cmd = "python -m benchmarks.dedup " + " ".join(sys.argv[1:])
    lines = [
        f"Command: `{cmd.strip()}` on {machine()}.",
        "",
        "Signatures + LSH candidates + exact verification + clustering (the same work the baseline does); "
        "medians of 5 runs up to 100k documents and of 3 baseline runs.",
        "",
        "| implementation | documents | docs/s | wall s | peak RSS MB | planted-pair recall | pure clusters |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| datasketch MinHash+MinHashLSH(0.8)+union-find, 1 core | {base['docs']:,} | {base['docs_per_s']:,.0f} | "
        f"{base['seconds']:.1f} | {base['peak_rss_mb']:.0f} | {base['recall']:.3f} | - |",
    ]
    for n, r in rows:
        lines.append(
            f"| newsclean (numba + Polars, 2 cores) | {n:,} | {r['docs_per_s']:,.0f} | {r['seconds']:.1f} | "
            f"{r['peak_rss_mb']:.0f} | {r['recall']:.3f} | {r['precision_proxy']:.3f} |"
        )
    lines += [
        "",
        f"Speed ratio on the same {base['docs']:,} documents: **{same['docs_per_s'] / base['docs_per_s']:.0f}x** "
        f"the baseline's docs/s (target >= 20x).",
    ]
    if inc:
        lines += [
            "",
            f"Incremental: {inc['new_docs']:,} new documents (10% copies of stored ones) against "
            f"{max(args.sizes):,} stored through the persisted band index: **{inc['seconds']:.1f} s** "
            f"(target <= 30 s), peak RSS {inc['peak_rss_mb']:.0f} MB, copies joined their stored cluster: "
            f"{inc['recall_vs_stored']:.3f}.",
        ]
    write_section("Near-duplicate detection (benchmarks/dedup.py)", "\n".join(lines))


def _rates(runs: list[dict]) -> str:
    return ", ".join(f"{r['docs_per_s']:,.0f}" for r in runs)


def real(args: argparse.Namespace) -> None:
    """Real-text corpus: newsclean and datasketch on one core each, alternating, medians."""
    path = materialize_real()
    one_core = {"NUMBA_NUM_THREADS": "1", "POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1"}
    ours, theirs = [], []
    for _ in range(args.repeats):  # alternate, so drift in machine speed hits both alike
        ours.append(run_isolated("benchmarks.dedup", "--one", "newsclean", path, "3", "1", env=one_core))
        theirs.append(run_isolated("benchmarks.dedup", "--one", "datasketch", path, str(10**9), "1", env=one_core))
        print(f"newsclean {ours[-1]['docs_per_s']:.0f}/s  datasketch {theirs[-1]['docs_per_s']:.0f}/s", file=sys.stderr)
    nc = sorted(ours, key=lambda r: r["docs_per_s"])[len(ours) // 2]
    ds = sorted(theirs, key=lambda r: r["docs_per_s"])[len(theirs) // 2]
    if args.no_write:
        return
    words = pl.scan_parquet(f"{path}/*.parquet").select(pl.col("n_words").mean()).collect().item()
    cmd = "python -m benchmarks.dedup " + " ".join(sys.argv[1:])
    lines = [
        f"Command: `{cmd.strip()}` on {machine()}; {nc['docs']:,} documents: {nc['docs'] // 2:,} real "
        f"bodies (`../shared/data/labeled-pages.tar.xz` ground truth, {words:.0f} words on average) each "
        "followed by a copy with one word replaced, read into memory before timing (as the baseline's texts). One thread each (NUMBA_NUM_THREADS=1, "
        f"POLARS_MAX_THREADS=1), every measurement in a fresh process, the two alternating; medians of "
        f"{args.repeats} processes (newsclean: the median of 3 runs in each).",
        "",
        "| implementation | docs/s (one core) | s | peak RSS MB | planted-pair recall | clusters | clusters of one story |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| datasketch MinHash+MinHashLSH(0.8)+union-find | {ds['docs_per_s']:,.0f} | {ds['seconds']:.2f} | "
        f"{ds['peak_rss_mb']:.0f} | {ds['recall']:.3f} | {ds['clusters']:,} | {ds['precision_proxy']:.3f} |",
        f"| newsclean `dedup` (signatures, LSH, exact check, clusters) | {nc['docs_per_s']:,.0f} | "
        f"{nc['seconds']:.2f} | {nc['peak_rss_mb']:.0f} | {nc['recall']:.3f} | {nc['clusters']:,} | "
        f"{nc['precision_proxy']:.3f} |",
        "",
        f"Speed ratio per core: **{nc['docs_per_s'] / ds['docs_per_s']:.1f}x** (target >= 20x); all runs: "
        f"newsclean {_rates(ours)} docs/s, datasketch {_rates(theirs)} docs/s. 'Clusters of one story' is the share of "
        "multi-document clusters holding one body and its copy only; the rest join different real bodies that "
        "are near-duplicates themselves (pages of one site, repeated posts).",
    ]
    write_section("Near-duplicate detection on real text (benchmarks/dedup.py --real)", "\n".join(lines))


def scale(args: argparse.Namespace) -> None:
    """Memory bounded by the part, not the run or the warehouse (speed issue, target 4).

    Side by side in one run, each in a fresh process: one in-memory `dedup` pass and
    `dedup_in_parts` at the default part size on the 1M corpus; `dedup_in_parts` on the big
    corpus (its band keys kept on disk as the stored index); then `--incremental` new documents
    against that stored index and corpus.
    """
    from cleaners.config import DedupConfig

    part = DedupConfig().part_docs
    small, big = materialize(1_000_000), materialize(args.scale)
    one = run_isolated("benchmarks.dedup", "--one", "newsclean", small, "1", timeout=7200)
    print(f"one pass 1M: {one}", file=sys.stderr)
    parts_small = run_isolated("benchmarks.dedup", "--one", "parts", small, str(part), timeout=7200)
    print(f"parts 1M: {parts_small}", file=sys.stderr)
    parts_big = run_isolated("benchmarks.dedup", "--one", "parts", big, str(part), "1", timeout=14400)
    print(f"parts {args.scale}: {parts_big}", file=sys.stderr)
    inc = run_isolated("benchmarks.dedup", "--one", "incremental", big, str(args.incremental), timeout=7200)
    print(f"incremental: {inc}", file=sys.stderr)
    if args.no_write:
        return
    cmd = "python -m benchmarks.dedup " + " ".join(sys.argv[1:])

    def row(name: str, n: int, r: dict) -> str:
        return (
            f"| {name} | {n:,} | {r['seconds']:.0f} | {r['docs_per_s']:,.0f} | {r['peak_rss_mb']:,.0f} | "
            f"{r['recall']:.3f} | {r['precision_proxy']:.3f} | {r['clusters']:,} |"
        )

    lines = [
        f"Command: `{cmd.strip()}` on {machine()}; the synthetic corpus of the first section (~400 words a "
        "document, 10% planted near-copies), read from Parquet by a scan (the timed work includes reading it). "
        f"`dedup_in_parts` deduplicates {part:,} documents at a time (`--dedup-part-docs`, the default), each "
        "part against the parts before it through their band keys kept on disk (streamed, never collected) "
        "and their bodies read back only where they are candidates. Every row is one fresh process.",
        "",
        "| implementation | documents | s | docs/s | peak RSS MB | planted-pair recall | pure clusters | clusters |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        row("one in-memory pass (`dedup`; before this change every run)", 1_000_000, one),
        row(f"in parts of {part:,} (`dedup_in_parts`)", 1_000_000, parts_small),
        row(f"in parts of {part:,} (`dedup_in_parts`)", args.scale, parts_big),
        "",
        f"Incremental: {inc['new_docs']:,} new documents (10% edited copies of stored ones) against the "
        f"{args.scale:,} stored ones through their band index on disk ({parts_big['stats'].get('parts', 1)} "
        f"part files) and the stored bodies: **{inc['seconds']:.1f} s** (target <= 60 s), peak RSS "
        f"{inc['peak_rss_mb']:,.0f} MB, copies joined their stored cluster: {inc['recall_vs_stored']:.3f}. "
        f"Target (speed issue): {args.scale:,} documents within 4 GB peak.",
    ]
    write_section("Memory at any warehouse size (benchmarks/dedup.py --scale)", "\n".join(lines))


if __name__ == "__main__":
    main()
