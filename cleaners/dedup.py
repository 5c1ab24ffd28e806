"""Near-duplicate detection: shingles -> MinHash -> LSH candidates -> exact check -> clusters.

`dedup(docs, cfg, history)` assigns every new document a cluster, checking it against the
run's other documents and every earlier run's (through the persisted band index), without
loading history into Python objects: candidates come from a Polars join on band keys and
only the candidates' bodies are read back for the exact check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import polars as pl
import pyarrow as pa

from cleaners.clusters import canonical_per_component, components
from cleaners.config import DedupConfig
from cleaners.executor import Executor, spans
from cleaners.minhash import band_keys, bucket_pairs, buffer_signatures, exact_similarity, signatures
from cleaners.shingles import buffer_shingles, shingle_hashes, text_buffers

MAX_BUCKET = 200
"""Buckets with more members are linked as a star to their first member, not all pairs."""
SKETCH_TASK_DOCS = 500
"""With an `Executor`: the fewest texts one sketching task gets."""
PAIR_TASK = 2_000
"""With an `Executor`: the fewest candidate pairs one verification task gets."""


@dataclass
class History:
    """What earlier runs stored: the band index and the articles (lazily scanned)."""

    bands: pl.LazyFrame | list[pl.LazyFrame]
    """doc_key, band_key: one scan, or several (one per stored file, say) that an `Executor`
    joins against a run's keys in parallel."""
    articles: pl.LazyFrame
    """doc_id, text, cluster_id, published_at, n_words."""

    def band_scans(self) -> list[pl.LazyFrame]:
        """The band index as its scans (doc_key, band_key)."""
        scans = self.bands if isinstance(self.bands, list) else [self.bands]
        return [b.select("doc_key", "band_key") for b in scans]

    def all_bands(self) -> pl.LazyFrame:
        """The band index as one scan."""
        scans = self.band_scans()
        return scans[0] if len(scans) == 1 else pl.concat(scans)


RELABEL_SCHEMA = pl.Schema({"doc_id": pl.String, "cluster_id": pl.String, "is_canonical": pl.Boolean})
DUPLICATE_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String,
        "cluster_id": pl.String,
        "canonical_doc_id": pl.String,
        "similarity": pl.Float64,
        "containment": pl.Float64,
    }
)
_STORED_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String(),
        "text": pl.String(),
        "cluster_id": pl.String(),
        "published_at": pl.Datetime("us", "UTC"),
        "n_words": pl.Int32(),
    }
)


@dataclass
class DedupResult:
    """What `dedup` decided for a run: new documents' clusters, duplicates, band keys, re-labels."""

    assignments: pl.DataFrame
    """doc_id, cluster_id, is_canonical for every new document."""
    duplicates: pl.DataFrame
    """doc_id, cluster_id, canonical_doc_id, similarity, containment for each non-canonical one."""
    bands: pl.DataFrame | pl.LazyFrame
    """doc_key, band_key of the new documents, to persist for later runs (`dedup_in_parts`: a scan
    of where they were kept)."""
    relabels: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RELABEL_SCHEMA))
    """doc_id, cluster_id, is_canonical of stored articles whose cluster changed (merged, new canonical)."""
    relabel_duplicates: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=DUPLICATE_SCHEMA))
    """The `duplicates` rows of the relabelled stored articles that are not canonical."""
    stats: dict[str, int] = field(default_factory=dict)


def doc_key_expr(doc_id: pl.Expr | None = None) -> pl.Expr:
    """doc_id (16 hex digits) -> the uint64 key of the band index, as an expression (`doc_key`)."""
    return (pl.col("doc_id") if doc_id is None else doc_id).str.to_integer(base=16, dtype=pl.UInt64)


def doc_keys(doc_ids: pl.Series) -> np.ndarray:
    """doc_id (16 hex digits) -> uint64 key used by the band index."""
    return doc_ids.str.to_integer(base=16, dtype=pl.UInt64).to_numpy()


def _hex_ids(keys: pl.Series) -> pl.Series:
    """Each key's 8 big-endian bytes as one fixed-size binary value, hex-encoded (zero bytes kept)."""
    be = np.ascontiguousarray(keys.cast(pl.UInt64).to_numpy().astype(">u8"))
    arr = pa.FixedSizeBinaryArray.from_buffers(pa.binary(8), len(be), [None, pa.py_buffer(be.tobytes())])
    return pl.Series(keys.name, arr).cast(pl.Binary).bin.encode("hex")


def _key_to_id(keys: pl.Expr) -> pl.Expr:
    """The inverse of `doc_key_expr`: uint64 key -> 16 lower-case hex digits (vectorized)."""
    return keys.map_batches(_hex_ids, return_dtype=pl.String)


def _bucket_pairs(keys: np.ndarray) -> pl.DataFrame:
    """(i, j) index pairs, i < j, of documents sharing a band key (see `bucket_pairs`)."""
    left, right = bucket_pairs(keys, MAX_BUCKET)
    return pl.DataFrame({"i": left, "j": right}, schema={"i": pl.Int64, "j": pl.Int64})


def sketch(data: np.ndarray, offsets: np.ndarray, cfg: DedupConfig) -> np.ndarray:
    """(n, bands) LSH band keys of word-shingle MinHash signatures of texts in a `text_buffers`
    buffer (0 = no key)."""
    bands, rows = cfg.bands_rows
    return band_keys(buffer_signatures(data, offsets, cfg.shingle_size, cfg.num_perm, cfg.seed), bands, rows)


def sketch_texts(texts: pl.LazyFrame, cfg: DedupConfig) -> np.ndarray:
    """An executor task: (n, bands) band keys of the `text` column of a slice of the run."""
    return sketch(*text_buffers(texts.collect()["text"]), cfg)


def band_hits(stored: pl.LazyFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """An executor task (and the join without one): stored band rows sharing a key with the run.

    `keys` holds (i, key) of the run's non-zero band keys; the result (i, doc_key, band_key). The
    stored index streams past the run's keys: memory stays flat.
    """
    return (
        stored.join(keys.lazy(), left_on="band_key", right_on="key", how="inner")
        .select("i", "doc_key", "band_key")
        .collect(engine="streaming")
    )


def pair_similarity(
    batch: tuple[pl.Series, np.ndarray, np.ndarray], k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An executor task: exact Jaccard, containment and smaller-set size of pairs of texts.

    `batch` is (texts, left, right): left[p] and right[p] index `texts`.
    """
    texts, left, right = batch
    hashes, offsets = shingle_hashes(texts, k)
    as_index = [np.ascontiguousarray(x, dtype=np.int64) for x in (left, right)]
    return exact_similarity(hashes, offsets, *as_index)


@dataclass
class _Candidates:
    """Candidate pairs (i, j): i a new document; j < n another new one, j >= n row j - n of `old`."""

    left: np.ndarray
    right: np.ndarray
    old: pl.DataFrame
    """Stored articles that are candidates of a new document (doc_id, text, cluster_id, ...)."""
    from_history: int


def dedup(
    docs: pl.DataFrame | pl.LazyFrame,
    cfg: DedupConfig,
    history: History | None = None,
    chunk_size: int = 50_000,
    executor: Executor | None = None,
) -> DedupResult:
    """Cluster `docs` (doc_id, text, published_at, n_words) against each other and history.

    Three steps: LSH candidates (this run's band keys joined with each other and with the
    stored band index), exact verification of each candidate on shingle sets, and clusters
    (connected components over verified pairs and the stored clusters they reach, each with
    its canonical by `CANONICAL_ORDER` over the whole cluster). The result does not depend
    on how documents were split into runs: stored clusters a new document joins or bridges
    are merged and their rows re-labelled (`relabels`). Memory stays small: a run of up to
    `chunk_size` documents is shingled once and its shingle hashes kept for the exact check;
    a larger one is sketched `chunk_size` texts at a time and only candidates' texts are read
    back.

    With an `executor` the three costly pieces are split into tasks it runs (on a Dask cluster,
    say): sketching by slices of `docs` (each task reads its own texts: `docs` must then be a
    scan of files every worker can read), the history join by the scans of `history.bands`, and
    exact verification by batches of pairs (the texts go with them). Clusters and canonicals are
    decided here, from the gathered pairs, exactly as without one.
    """
    lf = docs.lazy()
    meta = lf.select("doc_id", "published_at", "n_words").collect()
    n = meta.height
    bands, _ = cfg.bands_rows
    keys = np.zeros((n, bands), dtype=np.uint64)
    kept: tuple[np.ndarray, np.ndarray] | None = None
    if executor is not None:
        slices = [lf.slice(a, b - a).select("text") for a, b in spans(n, executor.width, SKETCH_TASK_DOCS)]
        if slices:
            keys = np.vstack(executor.map(sketch_texts, slices, cfg=cfg))
    elif n <= chunk_size:
        # One chunk: shingle once, keep the hashes for the exact check (no second tokenizing).
        data, offsets = text_buffers(lf.select("text").collect()["text"])
        kept = buffer_shingles(data, offsets[:-1], offsets[1:], cfg.shingle_size)
        del data
        keys[:] = band_keys(signatures(*kept, cfg.num_perm, cfg.seed), *cfg.bands_rows)
    else:
        for off in range(0, n, chunk_size):
            texts = lf.slice(off, chunk_size).select("text").collect()["text"]
            keys[off : off + len(texts)] = sketch(*text_buffers(texts), cfg)
    new_keys = doc_keys(meta["doc_id"])

    cand = _candidates(keys, new_keys, history, executor)
    shingles, ok = _verify(lf, n, cand, cfg, kept, executor)
    left, right = cand.left[ok], cand.right[ok]
    nodes, relabels = _clusters(meta, cand.old, left, right, history)

    assignments = nodes.head(n).select("doc_id", "cluster_id", "is_canonical")
    to_measure = pl.concat(
        [assignments.filter(~pl.col("is_canonical")), relabels.filter(~pl.col("is_canonical"))]
    ).select("doc_id", "cluster_id")
    measured = _similarity_to_canonical(to_measure, meta, cand.old, shingles, history)
    relabelled = relabels["doc_id"].implode()
    band_frame = pl.DataFrame(
        {"doc_key": np.repeat(new_keys, bands).astype(np.uint64), "band_key": keys.ravel()}
    ).filter(pl.col("band_key") != 0)
    stats = {
        "candidate_pairs": int(len(cand.left)),
        "history_candidates": cand.from_history,
        "verified_pairs": int(ok.sum()),
        "relabelled": relabels.height,
        "bands": bands,
        "rows": cfg.bands_rows[1],
    }
    return DedupResult(
        assignments=assignments,
        duplicates=measured.filter(~pl.col("doc_id").is_in(relabelled)),
        bands=band_frame,
        relabels=relabels,
        relabel_duplicates=measured.filter(pl.col("doc_id").is_in(relabelled)),
        stats=stats,
    )


BandSink = Callable[[pl.DataFrame, int], pl.LazyFrame]
"""Keeps one part's band keys (doc_key, band_key) somewhere (e.g. a staged Parquet file) and returns
a scan of them: the parts after it are checked against them without holding them in memory."""


def dedup_in_parts(
    docs: pl.DataFrame | pl.LazyFrame,
    cfg: DedupConfig,
    history: History | None,
    keep_bands: BandSink,
    executor: Executor | None = None,
) -> DedupResult:
    """`dedup` of a run of any size, `cfg.part_docs` documents at a time; memory bounded by the part.

    Each part is deduplicated against the stored history plus the parts before it, the same way
    an hourly run is checked against the warehouse: its band keys go to `keep_bands` and are
    scanned (streamed past the next part's keys), never collected; earlier parts' bodies are
    read back only where they are candidates. Clusters and canonicals equal those of one `dedup`
    call over the whole run (tests/cleaners/test_dedup.py); `bands` of the result is the scan of the
    kept parts. Re-labels of earlier parts' documents are folded into their assignments. Parts run
    one after another (part k needs the clusters of those before it); the `executor` splits each.
    """
    lf = docs.lazy().select("doc_id", "text", "published_at", "n_words")
    n = lf.select(pl.len()).collect().item()
    size = cfg.part_docs
    if n <= size:
        result = dedup(lf, cfg, history, executor=executor)
        result.bands = keep_bands(cast(pl.DataFrame, result.bands), 0)
        return result
    stored_scans = history.band_scans() if history else []
    band_scans = list(stored_scans)
    assign = pl.DataFrame(schema=RELABEL_SCHEMA)
    dups = pl.DataFrame(schema=DUPLICATE_SCHEMA)
    old_relabels = pl.DataFrame(schema=RELABEL_SCHEMA)
    old_dups = pl.DataFrame(schema=DUPLICATE_SCHEMA)
    stats: dict[str, int] = {}
    for k, off in enumerate(range(0, n, size)):
        earlier = lf.slice(0, off).join(assign.lazy().select("doc_id", "cluster_id"), on="doc_id", how="inner")
        sources = [earlier] if history is None else [_relabelled(history.articles, old_relabels), earlier]
        part_history = (
            History(bands=list(band_scans), articles=pl.concat([_as_stored(x) for x in sources]))
            if band_scans
            else None
        )
        r = dedup(lf.slice(off, size), cfg, part_history, executor=executor)
        band_scans.append(keep_bands(cast(pl.DataFrame, r.bands), k).select("doc_key", "band_key"))
        mine = r.relabels.join(assign.select("doc_id"), on="doc_id", how="semi")
        theirs = r.relabels.join(mine.select("doc_id"), on="doc_id", how="anti")
        assign = pl.concat([assign.update(mine, on="doc_id") if mine.height else assign, r.assignments])
        dups = _last(dups, r.duplicates, r.relabel_duplicates.join(mine, on="doc_id", how="semi"))
        old_relabels = _last(old_relabels, theirs)
        old_dups = _last(old_dups, r.relabel_duplicates.join(theirs, on="doc_id", how="semi"))
        for key, value in r.stats.items():
            stats[key] = value if key in ("bands", "rows") else stats.get(key, 0) + value
    stats["relabelled"] = old_relabels.height
    stats["parts"] = k + 1
    non_canonical = ["doc_id", "cluster_id"]
    return DedupResult(
        assignments=assign,
        duplicates=dups.join(
            assign.filter(~pl.col("is_canonical")).select(non_canonical), on=non_canonical, how="semi"
        ),
        bands=pl.concat(band_scans[len(stored_scans) :]),
        relabels=old_relabels,
        relabel_duplicates=old_dups.join(
            old_relabels.filter(~pl.col("is_canonical")).select(non_canonical), on=non_canonical, how="semi"
        ),
        stats=stats,
    )


def _as_stored(articles: pl.LazyFrame) -> pl.LazyFrame:
    """Stored-article columns in `_STORED_SCHEMA` order and types (so sources concatenate)."""
    return articles.select([pl.col(c).cast(t) for c, t in _STORED_SCHEMA.items()])


def _relabelled(articles: pl.LazyFrame, relabels: pl.DataFrame) -> pl.LazyFrame:
    """Stored articles with the cluster ids this run has re-labelled so far."""
    if not relabels.height:
        return articles
    return (
        articles.join(relabels.lazy().select("doc_id", pl.col("cluster_id").alias("_new")), on="doc_id", how="left")
        .with_columns(pl.coalesce("_new", "cluster_id").alias("cluster_id"))
        .drop("_new")
    )


def _last(*frames: pl.DataFrame) -> pl.DataFrame:
    """Rows of the frames stacked, the last one per doc_id kept (later decisions win)."""
    return pl.concat(frames).unique("doc_id", keep="last", maintain_order=True)


def _candidates(
    keys: np.ndarray, new_keys: np.ndarray, history: History | None, executor: Executor | None = None
) -> _Candidates:
    """Step 1: pairs sharing a band key, within the run and with stored documents (a join; with an
    `executor`, one task per group of the history's band scans)."""
    n = keys.shape[0]
    pairs = _bucket_pairs(keys)
    old = pl.DataFrame(schema=_STORED_SCHEMA)
    old_pairs = pl.DataFrame(schema={"i": pl.Int64, "j": pl.Int64})
    if history is not None and n:
        bands = keys.shape[1]
        bf = pl.DataFrame({"i": np.repeat(np.arange(n, dtype=np.int64), bands), "key": keys.ravel()}).filter(
            pl.col("key") != 0
        )
        if executor is None:
            hits = band_hits(history.all_bands(), bf)
        else:
            scans = history.band_scans()
            groups = [pl.concat(scans[a:b]) for a, b in spans(len(scans), executor.width, 1)]
            hits = pl.concat(executor.map(band_hits, groups, keys=bf))
        hits = _cap_stored_buckets(
            hits.filter(~pl.col("doc_key").is_in(pl.Series(new_keys, dtype=pl.UInt64).implode()))
        )
        if hits.height:
            old_ids = hits.select(_key_to_id(pl.col("doc_key")).alias("doc_id")).unique()
            old = _stored(history, "doc_id", old_ids["doc_id"], text=True)
            old_index = old.with_row_index("j", offset=n).select(
                doc_key_expr().alias("doc_key"),
                pl.col("j").cast(pl.Int64),
            )
            old_pairs = hits.join(old_index, on="doc_key").select("i", "j")
    all_pairs = pl.concat([pairs, old_pairs])
    return _Candidates(all_pairs["i"].to_numpy(), all_pairs["j"].to_numpy(), old, old_pairs.height)


def _cap_stored_buckets(hits: pl.DataFrame) -> pl.DataFrame:
    """(i, doc_key) candidate pairs from stored band hits (i, doc_key, band_key), buckets capped.

    As within a run (`MAX_BUCKET`): a band key that more than `MAX_BUCKET` stored documents share
    (a common phrase, a template) links a new document to one of them, the smallest doc_key, not
    to all; the other bands still propose the real copies.
    """
    size = pl.col("doc_key").n_unique().over("band_key")
    return (
        hits.filter((size <= MAX_BUCKET) | (pl.col("doc_key") == pl.col("doc_key").min().over("band_key")))
        .select("i", "doc_key")
        .unique()
    )


def _verify(
    lf: pl.LazyFrame,
    n: int,
    cand: _Candidates,
    cfg: DedupConfig,
    kept: tuple[np.ndarray, np.ndarray] | None = None,
    executor: Executor | None = None,
) -> tuple[_ShingleIndex | _TextIndex, np.ndarray]:
    """Step 2: exact Jaccard / containment of every candidate pair on its shingle sets.

    `kept` (shingle hashes and offsets of all n new texts) saves reading and shingling the
    candidates' texts again; with an `executor` the pairs are checked in batches it runs.
    """
    left, right = cand.left, cand.right
    involved = np.unique(np.concatenate([left, right[right < n]])) if len(left) else np.zeros(0, np.int64)
    shingles = _ShingleIndex(cfg.shingle_size) if executor is None else _TextIndex(cfg.shingle_size, executor)
    if kept is not None and isinstance(shingles, _ShingleIndex):
        shingles.add_hashes(np.arange(n), *kept)
    else:
        shingles.add(involved, _texts_at(lf, involved))
    shingles.add(np.arange(n, n + cand.old.height), cand.old["text"])
    jac, con, small_side = shingles.similarity(left, right)
    ok = (jac >= cfg.threshold) | ((con >= cfg.containment) & (small_side >= cfg.min_shingles_for_containment))
    return shingles, ok


def _texts_at(lf: pl.LazyFrame, rows: np.ndarray) -> pl.Series:
    """The texts of the given row numbers of `lf`, in that (ascending) order."""
    if not len(rows):
        return pl.Series("text", [], dtype=pl.String)
    return (
        lf.select("text")
        .with_row_index("idx")
        .filter(pl.col("idx").is_in(pl.Series(rows, dtype=pl.UInt32).implode()))
        .sort("idx")
        .collect()["text"]
    )


def _clusters(
    meta: pl.DataFrame, old: pl.DataFrame, left: np.ndarray, right: np.ndarray, history: History | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Step 3: components over verified pairs plus the stored clusters they reach; canonical per cluster.

    Returns the nodes (new documents first: doc_id, cluster_id, is_canonical, ...) and the
    relabels of stored articles whose cluster id changed.
    """
    n = meta.height
    reached = components(n + old.height, left, right)
    with_new = np.isin(reached[n:], reached[:n]) if old.height else np.zeros(0, dtype=bool)
    touched = old.filter(pl.Series(with_new, dtype=pl.Boolean))["cluster_id"].unique()
    members = _stored(history, "cluster_id", touched, text=False)
    # Stored endpoints -> their row among the members; each stored cluster joined as a star.
    to_member = (
        old.select("doc_id")
        .with_row_index("o")
        .join(members.select("doc_id").with_row_index("m"), on="doc_id", how="left")
        .sort("o")["m"]
        .to_numpy()
    )
    stored = right >= n
    right = right.copy()
    if stored.any():
        right[stored] = n + to_member[right[stored] - n].astype(np.int64)
    star = (
        members.with_row_index("m")
        .with_columns(pl.col("m").first().over("cluster_id").alias("root"))
        .filter(pl.col("m") != pl.col("root"))
    )
    edges_l = np.concatenate([left, n + star["m"].to_numpy().astype(np.int64)])
    edges_r = np.concatenate([right, n + star["root"].to_numpy().astype(np.int64)])
    comp = components(n + members.height, edges_l, edges_r)
    nodes = pl.concat(
        [
            meta.select("doc_id", "published_at", "n_words", pl.lit(None, pl.String).alias("old_cluster")),
            members.select("doc_id", "published_at", "n_words", pl.col("cluster_id").alias("old_cluster")),
        ],
        how="vertical_relaxed",
    ).with_columns(pl.Series("comp", comp), pl.Series("idx", np.arange(n + members.height, dtype=np.int64)))
    nodes = nodes.join(canonical_per_component(nodes), on="comp", how="left", maintain_order="left").with_columns(
        (pl.col("doc_id") == pl.col("cluster_id")).alias("is_canonical")
    )
    relabels = (
        nodes.slice(n)
        .filter(pl.col("cluster_id") != pl.col("old_cluster"))
        .select("doc_id", "cluster_id", "is_canonical")
    )
    return nodes, relabels


def _similarity_to_canonical(
    pairs: pl.DataFrame,
    meta: pl.DataFrame,
    old: pl.DataFrame,
    shingles: _ShingleIndex | _TextIndex,
    history: History | None,
) -> pl.DataFrame:
    """`duplicates` rows: each (doc_id, cluster_id) with its similarity to the canonical copy.

    Texts already sketched are reused; the others (stored members or canonicals that were not
    candidates) are read from history, only those rows.
    """
    n = meta.height
    index = pl.concat(
        [
            meta.select("doc_id", pl.int_range(0, n, dtype=pl.Int64).alias("idx")),
            old.select("doc_id", pl.int_range(n, n + old.height, dtype=pl.Int64).alias("idx")),
        ]
    )
    needed = pl.concat([pairs.select("doc_id"), pairs.select(pl.col("cluster_id").alias("doc_id"))]).unique()
    missing = needed.join(index, on="doc_id", how="anti")
    if missing.height and history is not None:
        extra = _stored(history, "doc_id", missing["doc_id"], text=True)
        start = n + old.height
        extra_idx = np.arange(start, start + extra.height, dtype=np.int64)
        shingles.add(extra_idx, extra["text"])
        index = pl.concat([index, extra.select("doc_id", pl.Series("idx", extra_idx))])
    rows = pairs.join(index, on="doc_id", how="left").join(
        index.rename({"doc_id": "cluster_id", "idx": "cidx"}), on="cluster_id", how="left"
    )
    jac, con, _ = shingles.similarity(rows["idx"].to_numpy(), rows["cidx"].to_numpy())
    return rows.select(
        "doc_id",
        "cluster_id",
        pl.col("cluster_id").alias("canonical_doc_id"),
        pl.Series("similarity", jac, dtype=pl.Float64),
        pl.Series("containment", con, dtype=pl.Float64),
    )


class _ShingleIndex:
    """Shingle sets of a sparse set of node ids, for exact similarity of candidate pairs."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.ids: list[np.ndarray] = []
        self.hashes: list[np.ndarray] = []
        self.sizes: list[np.ndarray] = []

    def add(self, ids: np.ndarray, texts: pl.Series) -> None:
        """Add the shingle sets of `texts` under node ids `ids`."""
        if len(ids) == 0:
            return
        self.add_hashes(ids, *shingle_hashes(texts, self.k))

    def add_hashes(self, ids: np.ndarray, hashes: np.ndarray, offsets: np.ndarray) -> None:
        """Add shingle hashes already computed (grouped by `offsets`) under node ids `ids`."""
        self.ids.append(np.asarray(ids, dtype=np.int64))
        self.hashes.append(hashes)
        self.sizes.append(np.diff(offsets))

    def similarity(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact Jaccard, containment and smaller-set size for node-id pairs."""
        if len(left) == 0 or not self.ids:
            z = np.zeros(len(left))
            return z, z, z
        ids = np.concatenate(self.ids)
        order = np.argsort(ids, kind="stable")
        sizes = np.concatenate(self.sizes)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        hashes = np.concatenate(self.hashes)
        sorted_ids = ids[order]
        li = order[np.searchsorted(sorted_ids, left)]
        ri = order[np.searchsorted(sorted_ids, right)]
        return exact_similarity(hashes, offsets, li, ri)


class _TextIndex:
    """`_ShingleIndex` for an `Executor`: keeps texts by node id; each batch of pairs goes out with
    its texts and comes back as similarities (the same numbers, shingled where it runs)."""

    def __init__(self, k: int, executor: Executor) -> None:
        self.k = k
        self.executor = executor
        self.ids: list[np.ndarray] = []
        self.texts: list[pl.Series] = []

    def add(self, ids: np.ndarray, texts: pl.Series) -> None:
        """Keep `texts` under node ids `ids`."""
        if len(ids):
            self.ids.append(np.asarray(ids, dtype=np.int64))
            self.texts.append(texts.rename("text"))

    def similarity(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact Jaccard, containment and smaller-set size for node-id pairs, batch by batch."""
        if len(left) == 0 or not self.ids:
            z = np.zeros(len(left))
            return z, z, z
        ids = np.concatenate(self.ids)
        texts = pl.concat(self.texts)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        # Pairs grouped by the component of their graph, so a text goes out (and is shingled) in
        # one batch, not in every batch that has a pair of it: copies of one story stay together.
        nodes, inverse = np.unique(np.concatenate([left, right]), return_inverse=True)
        comp = components(len(nodes), inverse[: len(left)], inverse[len(left) :])
        by_comp = np.argsort(comp[inverse[: len(left)]], kind="stable")
        sl, sr = left[by_comp], right[by_comp]
        batches = []
        for a, b in spans(len(left), self.executor.width, PAIR_TASK):
            batch_nodes, local = np.unique(np.concatenate([sl[a:b], sr[a:b]]), return_inverse=True)
            rows = order[np.searchsorted(sorted_ids, batch_nodes)]
            batches.append((texts.gather(rows), local[: b - a], local[b - a :]))
        parts = self.executor.map(pair_similarity, batches, k=self.k)
        out = [np.empty(len(left)) for _ in range(3)]
        for i in range(3):
            out[i][by_comp] = np.concatenate([p[i] for p in parts])
        return out[0], out[1], out[2]


def _stored(history: History | None, key: str, values: pl.Series, text: bool) -> pl.DataFrame:
    """Stored articles whose `key` (doc_id or cluster_id) is in `values`; only those rows are read.

    Columns as in _STORED_SCHEMA (without `text` unless `text`), one row per doc_id, sorted.
    """
    schema = {k: v for k, v in _STORED_SCHEMA.items() if text or k != "text"}
    if history is None or not values.len():
        return pl.DataFrame(schema=schema)
    return (
        history.articles.filter(pl.col(key).is_in(values.implode()))
        .select([pl.col(k).cast(v) for k, v in schema.items()])
        .unique("doc_id")
        .sort("doc_id")
        .collect(engine="streaming")
    )


def warm_up() -> None:
    """Compile every numba kernel of shingling, MinHash and verification once, on a tiny input.

    numba caches compiled kernels next to their modules (`cache=True`), so `make setup` calls
    this and no run pays the compilation (seconds per kernel) inside its dedup step.
    """
    from cleaners.minhash import text_signatures

    text = "the harbour board met on monday to agree the ferry budget for the season"
    docs = pl.DataFrame(
        {
            "doc_id": [f"{i:016x}" for i in range(1, 4)],
            "text": [text, text, text + " again"],
            "published_at": [None, None, None],
            "n_words": [14, 14, 15],
        },
        schema_overrides={"published_at": pl.Datetime("us", "UTC"), "n_words": pl.Int32},
    )
    dedup(docs, DedupConfig())
    text_signatures(docs["text"])
