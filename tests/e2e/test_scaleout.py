"""Batches on an existing Dask cluster (prefect-dask's DaskTaskRunner) give the same tables."""

import polars as pl
import pytest

from tests.conftest import SEEDS, run_ingest

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _tables(wh):
    art = pl.read_parquet(f"{wh}/current/articles/*.parquet").sort("doc_id")
    return art.select("doc_id", "text", "cluster_id", "is_canonical").rows(), pl.read_parquet(
        f"{wh}/current/rejects/*.parquet"
    ).sort("doc_id").select("doc_id", "reason").rows()


def test_dask_cluster_and_process_pool_match_a_single_worker(tmp_path):
    from distributed import LocalCluster

    local = run_ingest([SEEDS], tmp_path / "one", workers=1, batch_files=3)
    multi = run_ingest([SEEDS], tmp_path / "two", workers=2, batch_files=3)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = run_ingest([SEEDS], tmp_path / "dask", dask_address=cluster.scheduler_address, batch_files=3)
    assert multi.n_batches == dask.n_batches == 5 and multi.workers == 2
    assert local.n_articles == multi.n_articles == dask.n_articles > 10
    assert _tables(tmp_path / "one") == _tables(tmp_path / "two") == _tables(tmp_path / "dask")
