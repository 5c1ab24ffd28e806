"""Clusters, canonical choice, verification and incremental matching on small fixtures."""

from datetime import UTC, datetime

import numpy as np
import polars as pl

from cleaners.config import DedupConfig
from cleaners.dedup import History, dedup

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


def test_incremental_copy_joins_existing_cluster_and_is_not_canonical():
    rng = np.random.default_rng(4)
    a, b = _story(rng), _story(rng)
    first = _frame([(_id(1), a, D1), (_id(2), b, D1)])
    r1 = dedup(first, DedupConfig())
    stored = first.join(r1.assignments, on="doc_id")
    history = History(bands=r1.bands.lazy(), articles=stored.lazy())
    # An earlier-dated copy arriving later still does not displace the stored canonical.
    second = _frame([(_id(3), "Breaking: " + a, D0), (_id(4), _story(rng), D1)])
    r2 = dedup(second, DedupConfig(), history)
    got = dict(zip(r2.assignments["doc_id"], zip(r2.assignments["cluster_id"], r2.assignments["is_canonical"])))
    assert got[_id(3)] == (_id(1), False)
    assert got[_id(4)] == (_id(4), True)
    assert r2.stats["history_candidates"] >= 1
    assert r2.duplicates.row(0, named=True)["canonical_doc_id"] == _id(1)


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
