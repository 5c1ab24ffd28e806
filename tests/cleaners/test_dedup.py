"""Clusters, canonical choice, verification and incremental matching on small fixtures."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from cleaners.config import DedupConfig
from cleaners.dedup import History, dedup, dedup_in_parts

SCHEMA = {"doc_id": pl.String, "text": pl.String, "published_at": pl.Datetime("us", "UTC"), "n_words": pl.Int32}


def _story(rng, n=300):
    return " ".join(f"w{int(x)}" for x in rng.integers(0, 20000, n))


def _frame(rows):
    return pl.DataFrame(
        [{"doc_id": i, "text": t, "published_at": p, "n_words": len(t.split())} for i, t, p in rows], schema=SCHEMA
    )


def _id(n: int) -> str:
    return f"{n:016x}"


D1 = datetime(2024, 3, 14, tzinfo=UTC)
D0 = datetime(2024, 3, 13, tzinfo=UTC)


def test_copies_cluster_with_one_canonical_and_unrelated_stay_apart():
    rng = np.random.default_rng(0)
    a, b = _story(rng), _story(rng)
    docs = _frame(
        [
            (_id(1), a, D1),
            (_id(2), "Editor's note: updated. " + a + " Subscribe to our newsletter", D0),  # earliest -> canonical
            (_id(3), a[: len(a) // 2], D1),  # trimmed copy: joins by containment
            (_id(4), b, D1),
        ]
    )
    r = dedup(docs, DedupConfig())
    got = dict(zip(r.assignments["doc_id"], r.assignments["cluster_id"]))
    assert got[_id(1)] == got[_id(2)] == got[_id(3)] == _id(2)
    assert got[_id(4)] == _id(4)
    canon = r.assignments.filter(pl.col("is_canonical"))["doc_id"].to_list()
    assert sorted(canon) == [_id(2), _id(4)]
    dups = r.duplicates.sort("doc_id")
    assert dups["doc_id"].to_list() == [_id(1), _id(3)]
    assert (dups["canonical_doc_id"] == _id(2)).all()
    trimmed = dups.filter(pl.col("doc_id") == _id(3)).row(0, named=True)
    assert trimmed["similarity"] < 0.6 and trimmed["containment"] > 0.95


def test_canonical_tie_breaks_on_length_then_id():
    rng = np.random.default_rng(1)
    a = _story(rng)
    docs = _frame([(_id(9), a, None), (_id(8), a, None), (_id(7), a + " extra words at the end", None)])
    r = dedup(docs, DedupConfig())
    assert set(r.assignments["cluster_id"]) == {_id(7)}


def test_verification_rejects_a_planted_false_candidate():
    """Two stories sharing a long block collide in LSH but fail the exact check."""
    rng = np.random.default_rng(2)
    shared = _story(rng, 250)
    docs = _frame([(_id(1), shared + " " + _story(rng, 100), D1), (_id(2), shared + " " + _story(rng, 100), D1)])
    cfg = DedupConfig(threshold=0.8)  # exact Jaccard here is ~0.55, containment ~0.71
    r = dedup(docs, cfg)
    assert r.stats["candidate_pairs"] == 1  # LSH proposed the pair (shared block)...
    assert r.stats["verified_pairs"] == 0  # ...and the exact check rejected it
    assert r.assignments["is_canonical"].all()


def test_follow_up_quoting_one_paragraph_stays_apart():
    rng = np.random.default_rng(3)
    story = _story(rng, 400)
    quote = " ".join(story.split()[100:160])
    follow_up = _story(rng, 150) + " " + quote + " " + _story(rng, 200)
    r = dedup(_frame([(_id(1), story, D0), (_id(2), follow_up, D1)]), DedupConfig())
    assert r.assignments["is_canonical"].all()


def _store(stored: pl.DataFrame | None, docs: pl.DataFrame, r) -> pl.DataFrame:
    """What the warehouse holds after a run: stored rows re-labelled, the new rows added."""
    new = docs.join(r.assignments, on="doc_id")
    if stored is None:
        return new
    fixed = stored.join(r.relabels, on="doc_id", how="left", suffix="_new").select(
        *[c for c in stored.columns if c not in ("cluster_id", "is_canonical")],
        pl.coalesce("cluster_id_new", "cluster_id").alias("cluster_id"),
        pl.coalesce("is_canonical_new", "is_canonical").alias("is_canonical"),
    )
    return pl.concat([fixed.select(new.columns), new])


def _run_in_parts(parts: list[pl.DataFrame]) -> pl.DataFrame:
    stored, bands = None, None
    for docs in parts:
        history = None if stored is None else History(bands=bands.lazy(), articles=stored.lazy())
        r = dedup(docs, DedupConfig(), history)
        stored = _store(stored, docs, r)
        bands = r.bands if bands is None else pl.concat([bands, r.bands])
    return stored


def test_a_later_but_earlier_dated_copy_becomes_canonical_and_stored_rows_are_relabelled():
    rng = np.random.default_rng(4)
    a, b = _story(rng), _story(rng)
    first = _frame([(_id(1), a, D1), (_id(2), b, D1)])
    r1 = dedup(first, DedupConfig())
    stored = first.join(r1.assignments, on="doc_id")
    history = History(bands=r1.bands.lazy(), articles=stored.lazy())
    # The original (earlier date) arrives after its copy: the policy holds over the whole cluster.
    second = _frame([(_id(3), "Breaking: " + a, D0), (_id(4), _story(rng), D1)])
    r2 = dedup(second, DedupConfig(), history)
    got = dict(zip(r2.assignments["doc_id"], zip(r2.assignments["cluster_id"], r2.assignments["is_canonical"])))
    assert got[_id(3)] == (_id(3), True)
    assert got[_id(4)] == (_id(4), True)
    assert r2.stats["history_candidates"] >= 1
    assert r2.relabels.rows() == [(_id(1), _id(3), False)]
    assert r2.duplicates.height == 0
    moved = r2.relabel_duplicates.row(0, named=True)
    assert moved["doc_id"] == _id(1) and moved["canonical_doc_id"] == _id(3) and moved["similarity"] > 0.9

    # A later-dated copy joins without touching stored rows.
    third = _frame([(_id(5), a + " Share this story.", D1 + timedelta(days=1))])
    r3 = dedup(
        third,
        DedupConfig(),
        History(bands=pl.concat([r1.bands, r2.bands]).lazy(), articles=_store(stored, second, r2).lazy()),
    )
    assert r3.assignments.rows() == [(_id(5), _id(3), False)]
    assert r3.relabels.height == 0
    assert r3.duplicates.row(0, named=True)["canonical_doc_id"] == _id(3)


def test_a_document_bridging_two_stored_clusters_merges_them():
    rng = np.random.default_rng(6)
    words = _story(rng, 400).split()
    head, tail, whole = " ".join(words[:200]), " ".join(words[200:]), " ".join(words)
    parts = [
        _frame([(_id(1), head, D1)]),
        _frame([(_id(2), tail, D1)]),
        _frame([(_id(3), whole, D1 + timedelta(hours=1))]),  # contains both halves
    ]
    stored = _run_in_parts(parts[:2])
    assert stored["cluster_id"].n_unique() == 2
    stored = _run_in_parts(parts)
    assert stored["cluster_id"].n_unique() == 1
    assert stored.filter(pl.col("is_canonical"))["doc_id"].to_list() == [
        _id(1)
    ]  # earliest date, equal length: smallest id
    assert stored.sort("doc_id").rows() == _run_in_parts([pl.concat(parts)]).sort("doc_id").rows()


def test_clusters_and_canonicals_do_not_depend_on_how_documents_are_split_into_runs():
    rng = np.random.default_rng(7)
    rows = []
    for s in range(12):
        words = _story(rng, 360).split()
        base = D0 + timedelta(hours=int(rng.integers(0, 48)))
        variants = [
            " ".join(words),
            " ".join(words[:180]),
            " ".join(words[180:]),
            "Updated: " + " ".join(words[:300]),
        ]
        for v, text in enumerate(variants[: int(rng.integers(1, 5))]):
            date = None if rng.random() < 0.2 else base + timedelta(hours=int(rng.integers(0, 24)))
            rows.append((_id(100 * s + v + 1), text, date))
    docs = _frame(rows)
    one = _run_in_parts([docs]).sort("doc_id").select("doc_id", "cluster_id", "is_canonical")
    assert one["cluster_id"].n_unique() < one.height  # there are clusters to get wrong
    for seed in range(4):
        order = np.random.default_rng(seed).permutation(docs.height)
        cuts = np.sort(np.random.default_rng(seed).choice(np.arange(1, docs.height), 2, replace=False))
        parts = [docs[order[i:j]] for i, j in zip([0, *cuts], [*cuts, docs.height])]
        split = _run_in_parts(parts).sort("doc_id").select("doc_id", "cluster_id", "is_canonical")
        assert split.rows() == one.rows()


def test_incremental_match_through_a_non_canonical_member_fetches_the_canonical():
    rng = np.random.default_rng(5)
    a = _story(rng, 400)
    head = " ".join(a.split()[:200])
    first = _frame([(_id(1), a, D0), (_id(2), head, D1)])  # 2 is a trimmed copy of 1
    r1 = dedup(first, DedupConfig())
    stored = first.join(r1.assignments, on="doc_id")
    # 3 is a near copy of the *trimmed* version only.
    third = _frame([(_id(3), head + " with a new closing line", D1)])
    r2 = dedup(third, DedupConfig(), History(bands=r1.bands.lazy(), articles=stored.lazy()))
    row = r2.duplicates.row(0, named=True)
    assert row["cluster_id"] == _id(1) and row["canonical_doc_id"] == _id(1)
    assert row["containment"] > 0.9


def test_empty_input():
    r = dedup(pl.DataFrame(schema=SCHEMA), DedupConfig())
    assert r.assignments.height == 0 and r.duplicates.height == 0 and r.bands.height == 0


def _wire_corpus(seed: int, stories: int = 12) -> pl.DataFrame:
    """Stories in 1-4 versions each (whole, halves, updated), some undated: clusters to get wrong."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(stories):
        words = _story(rng, 360).split()
        base = D0 + timedelta(hours=int(rng.integers(0, 48)))
        variants = [" ".join(words), " ".join(words[:180]), " ".join(words[180:]), "Updated: " + " ".join(words[:300])]
        for v, text in enumerate(variants[: int(rng.integers(1, 5))]):
            date = None if rng.random() < 0.2 else base + timedelta(hours=int(rng.integers(0, 24)))
            rows.append((_id(100 * s + v + 1), text, date))
    return _frame(rows)


def _sorted(df: pl.DataFrame) -> list[tuple]:
    return df.with_columns(pl.selectors.float().round(9)).sort("doc_id").rows()


def test_a_run_deduplicated_in_parts_equals_one_in_memory_pass(tmp_path: Path):
    docs = _wire_corpus(11, stories=16)
    order = np.random.default_rng(3).permutation(docs.height)
    docs = docs[order]
    cut = docs.height // 3
    first, run = docs[:cut], docs[cut:]
    r0 = dedup(first, DedupConfig())
    history = History(bands=r0.bands.lazy(), articles=first.join(r0.assignments, on="doc_id").lazy())
    kept: list[int] = []

    def keep_bands(bands: pl.DataFrame, part: int) -> pl.LazyFrame:
        path = tmp_path / f"bands-{part}.parquet"
        bands.write_parquet(path)
        kept.append(part)
        return pl.scan_parquet(path)

    whole = dedup(run, DedupConfig(), history)
    assert whole.relabels.height and whole.duplicates.height  # stored rows move, copies exist: the hard cases
    parts = dedup_in_parts(run, replace(DedupConfig(), part_docs=5), history, keep_bands)
    assert parts.stats["parts"] == len(kept) == -(-run.height // 5) > 2
    assert _sorted(parts.assignments) == _sorted(whole.assignments)
    assert _sorted(parts.duplicates) == _sorted(whole.duplicates)
    assert _sorted(parts.relabels) == _sorted(whole.relabels)
    assert _sorted(parts.relabel_duplicates) == _sorted(whole.relabel_duplicates)
    got_bands = parts.bands.collect().sort("doc_key", "band_key")  # type: ignore[union-attr]
    assert got_bands.rows() == whole.bands.sort("doc_key", "band_key").rows()


def test_parts_without_history_equal_one_pass(tmp_path: Path):
    docs = _wire_corpus(12)
    whole = dedup(docs, DedupConfig())

    def keep_bands(bands: pl.DataFrame, part: int) -> pl.LazyFrame:
        bands.write_parquet(tmp_path / f"b{part}.parquet")
        return pl.scan_parquet(tmp_path / f"b{part}.parquet")

    parts = dedup_in_parts(docs, replace(DedupConfig(), part_docs=4), None, keep_bands)
    assert whole.duplicates.height and parts.stats["parts"] > 2
    assert _sorted(parts.assignments) == _sorted(whole.assignments)
    assert _sorted(parts.duplicates) == _sorted(whole.duplicates)


def test_a_stored_bucket_over_the_cap_links_a_new_document_to_one_member_and_it_still_joins():
    """A band key shared by more than MAX_BUCKET stored bodies proposes one of them, as within a run."""
    from cleaners.dedup import MAX_BUCKET

    rng = np.random.default_rng(8)
    story = _story(rng)
    for stored_n, expected in ((MAX_BUCKET + 50, 1), (5, 5)):
        stored = _frame([(_id(k + 1), story, D1) for k in range(stored_n)])
        r1 = dedup(stored, DedupConfig())
        assert r1.assignments["cluster_id"].n_unique() == 1
        history = History(bands=r1.bands.lazy(), articles=stored.join(r1.assignments, on="doc_id").lazy())
        new = _frame([(_id(10_000), story + " Updated.", D1 + timedelta(days=1))])
        r2 = dedup(new, DedupConfig(), history)
        assert r2.stats["history_candidates"] == expected
        assert r2.assignments.rows() == [(_id(10_000), r1.assignments["cluster_id"][0], False)]


class _Pickling:
    """An executor that sends every task through pickle, as a cluster would (and counts them)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.calls: dict[str, int] = {}

    def map(self, fn, items, **shared):
        import pickle

        self.calls[fn.__name__] = self.calls.get(fn.__name__, 0) + len(items)
        fn, items, shared = pickle.loads(pickle.dumps((fn, list(items), shared)))
        return pickle.loads(pickle.dumps([fn(x, **shared) for x in items]))


def test_the_split_path_of_an_executor_decides_exactly_as_one_process(tmp_path: Path, monkeypatch):
    """Sketching by slices read from files, the history join by stored file, verification by pair
    batches: the same clusters, duplicates, re-labels and band keys as without an executor."""
    import cleaners.dedup

    monkeypatch.setattr(cleaners.dedup, "SKETCH_TASK_DOCS", 4)  # small tasks, so every piece is split
    monkeypatch.setattr(cleaners.dedup, "PAIR_TASK", 3)
    docs = _wire_corpus(21, stories=30)
    docs = docs[np.random.default_rng(5).permutation(docs.height)]
    cut = docs.height // 3
    first, run = docs[:cut], docs[cut:]
    r0 = dedup(first, DedupConfig())
    stored_files = []
    for k in range(3):  # the stored band index as several files, as a warehouse keeps it
        path = tmp_path / f"stored-{k}.parquet"
        r0.bands[k::3].write_parquet(path)
        stored_files.append(pl.scan_parquet(path))
    articles = first.join(r0.assignments, on="doc_id").lazy()
    run.write_parquet(tmp_path / "run.parquet")
    scan = pl.scan_parquet(tmp_path / "run.parquet")

    def keep(name):
        def keep_bands(bands: pl.DataFrame, part: int) -> pl.LazyFrame:
            bands.write_parquet(tmp_path / f"{name}-{part}.parquet")
            return pl.scan_parquet(tmp_path / f"{name}-{part}.parquet")

        return keep_bands

    cfg = replace(DedupConfig(), part_docs=20)
    local = dedup_in_parts(scan, cfg, History(bands=pl.concat(stored_files), articles=articles), keep("local"))
    ex = _Pickling(width=2)
    split = dedup_in_parts(scan, cfg, History(bands=stored_files, articles=articles), keep("split"), executor=ex)
    assert local.stats["parts"] > 1 and local.duplicates.height and local.relabels.height
    assert ex.calls["sketch_texts"] > local.stats["parts"]  # more than one slice a part
    assert ex.calls["band_hits"] > local.stats["parts"] and ex.calls["pair_similarity"] >= local.stats["parts"]
    for a, b in [
        (local.assignments, split.assignments),
        (local.duplicates, split.duplicates),
        (local.relabels, split.relabels),
        (local.relabel_duplicates, split.relabel_duplicates),
    ]:
        assert _sorted(a) == _sorted(b)
    assert local.stats == split.stats
    bands = [r.bands.collect().sort("doc_key", "band_key").rows() for r in (local, split)]  # type: ignore[union-attr]
    assert bands[0] == bands[1]
