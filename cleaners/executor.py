"""Where dedup's independent pieces run: in this process, or elsewhere (a Dask cluster).

`cleaners.dedup` splits sketching, the history join and exact verification into tasks whose
inputs and outputs are plain values (LazyFrame plans over Parquet files, arrays, frames). An
`Executor` maps a top-level function over them and returns the results in item order; the
library knows nothing of Dask (flows/dask_executor.py implements this protocol on a cluster).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Maps a picklable top-level function over items, possibly on other machines."""

    @property
    def width(self) -> int:
        """How many tasks can run at once (worker threads): work is split into about twice as many."""
        ...

    def map(self, fn: Callable[..., R], items: Sequence[T], **shared: Any) -> list[R]:
        """`[fn(item, **shared) for item in items]`, in item order; `shared` is sent once, not per item."""
        ...


class Serial:
    """The in-process executor: each item in turn (tests use it to drive the split code path)."""

    def __init__(self, width: int = 1) -> None:
        if width < 1:
            raise ValueError(f"Serial width must be at least 1, got {width}")
        self._width = width

    @property
    def width(self) -> int:
        """The width the split is planned for (nothing runs concurrently)."""
        return self._width

    def map(self, fn: Callable[..., R], items: Sequence[T], **shared: Any) -> list[R]:
        """Each item in turn, in this process."""
        return [fn(item, **shared) for item in items]


def spans(n: int, width: int, minimum: int) -> list[tuple[int, int]]:
    """[start, stop) ranges covering 0..n: about 2 * width of them, none shorter than `minimum`
    (but the last), none when n is 0."""
    if n <= 0:
        return []
    size = max(minimum, -(-n // (2 * max(width, 1))))
    return [(start, min(start + size, n)) for start in range(0, n, size)]
