"""Dedup's tasks on an existing Dask cluster: the `cleaners.executor.Executor` protocol over a
`distributed.Client`.

The flow's process stays the coordinator (components, the canonical policy, re-labels); the
cluster's workers sketch, join the history's band files and verify pair batches, reading the
run's and the warehouse's Parquet files themselves, so the warehouse must be on storage every
worker sees at the same path (as the batch stage on Dask already needs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class DaskExecutor:
    """Runs each item as one task on the cluster; shared arguments are scattered once to every worker."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def width(self) -> int:
        """Worker threads in the cluster now (at least 1)."""
        threads = self.client.nthreads()
        return max(int(sum(threads.values())), 1)

    def map(self, fn: Callable[..., R], items: Sequence[T], **shared: Any) -> list[R]:
        """`[fn(item, **shared) ...]` as cluster tasks named after `fn`, gathered in item order."""
        if not items:
            return []
        sent = {k: self.client.scatter(v, broadcast=True, hash=False) for k, v in shared.items()}
        inputs = self.client.scatter(list(items), hash=False)  # data, not graph: texts can be large
        futures = self.client.map(fn, inputs, pure=False, **sent)  # keys: "<fn name>-<uuid>", never shared
        try:
            return list(self.client.gather(futures))
        finally:
            for f in [*futures, *inputs, *sent.values()]:
                f.release()


@contextmanager
def dask_executor(address: str) -> Iterator[DaskExecutor | None]:
    """A `DaskExecutor` connected to the scheduler at `address` for the block; None when it is empty."""
    if not address:
        yield None
        return
    from distributed import Client

    with Client(address, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        yield DaskExecutor(client)
