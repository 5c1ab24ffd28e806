"""DaskExecutor on a real (in-process) distributed cluster: order, shared values, task names."""

import numpy as np

from flows.dask_executor import DaskExecutor, dask_executor


def scaled(x: np.ndarray, factor: np.ndarray) -> np.ndarray:
    return x * factor


def test_tasks_run_on_the_cluster_in_order_named_after_the_function():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        ex = DaskExecutor(client)
        assert ex.width == 2
        items = [np.arange(k, k + 3) for k in range(6)]
        got = ex.map(scaled, items, factor=np.array([2, 3, 4]))
        assert [g.tolist() for g in got] == [(x * [2, 3, 4]).tolist() for x in items]
        assert ex.map(scaled, [], factor=np.ones(3)) == []
        ran = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
        assert "scaled" in ran


def test_no_address_means_no_executor():
    with dask_executor("") as ex:
        assert ex is None
