"""The warehouse on disk: staged writes, atomic commits, recovery, locking, committed scans.

Layout under the root (default `./warehouse`):

    <table>/<run_id>/part-00000.parquet   committed data, one directory per run and table
    _commits/<run_id>.json                commit marker: a run is visible once this exists
    _staging/<run_id>/<table>/...         a run's files while it is being written
    _batches/<key>/                       finished batch outputs, reused after a failed run
    _lock                                 held by the run that is writing

A commit renames each staged table directory into place (one atomic rename per table),
then writes the marker (atomic via os.replace). A crash before the marker leaves
directories without a marker; `recover()` removes them on the next run, so the tables
always equal those of the committed runs. `scan()` reads committed runs only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from cleaners.identity import TRANSIENT_REASONS
from cleaners.schema import TABLES, conform, empty

COMMITS = "_commits"
STAGING = "_staging"
BATCHES = "_batches"
SCRATCH = "_scratch"
LOCK = "_lock"


FAULT_ENV = "NEWSCLEAN_FAULT"


def fault_point(name: str) -> None:
    """Crash-test seam: SIGKILL this process at the named point when NEWSCLEAN_FAULT names it."""
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), 9)


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock for longer than we were willing to wait."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, payload: dict, fsync: bool = True) -> None:
    """Write JSON to a temporary name, then rename: readers see the old or the new file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w") as fh:
        json.dump(payload, fh, indent=2, default=str)
        if fsync:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)
    if fsync:
        _fsync_dir(path.parent)


def write_parquet_atomic(df: pl.DataFrame, path: Path) -> None:
    """Write to a temporary name, fsync, then rename: never a half-written file at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.write_parquet(tmp, compression="zstd", statistics=True)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Warehouse:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).absolute()

    # --- locking and recovery ---------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, timeout: float = 3600.0, on_wait=None) -> Iterator[None]:
        """Exclusive writer lock: a second concurrent run waits (up to `timeout` seconds)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / LOCK, "a+")
        try:
            deadline = time.monotonic() + timeout
            warned = False
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not warned and on_wait:
                        on_wait()
                        warned = True
                    if time.monotonic() > deadline:
                        raise WarehouseBusy(
                            f"{self.root} is locked by another newsclean run; waited {timeout:.0f}s"
                        ) from None
                    time.sleep(0.2)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()

    def committed_runs(self) -> list[str]:
        d = self.root / COMMITS
        if not d.is_dir():
            return []
        return sorted(p.stem for p in d.glob("*.json"))

    def recover(self) -> list[str]:
        """Roll back half-committed runs: table directories whose run has no commit marker."""
        committed = set(self.committed_runs())
        removed = []
        for table in TABLES:
            tdir = self.root / table
            if not tdir.is_dir():
                continue
            for run_dir in tdir.iterdir():
                if run_dir.is_dir() and run_dir.name not in committed:
                    shutil.rmtree(run_dir, ignore_errors=True)
                    removed.append(f"{table}/{run_dir.name}")
        staging = self.root / STAGING
        if staging.is_dir():
            for run_dir in staging.iterdir():
                shutil.rmtree(run_dir, ignore_errors=True)
        return removed

    # --- reading ------------------------------------------------------------------------------
    def files(self, table: str) -> list[str]:
        files = []
        for run_id in self.committed_runs():
            d = self.root / table / run_id
            if d.is_dir():
                files.extend(str(p) for p in sorted(d.glob("*.parquet")))
        return files

    def scan(self, table: str) -> pl.LazyFrame:
        """Committed rows of `table` (empty frame with the right schema when there are none)."""
        files = self.files(table)
        if not files:
            return empty(table).lazy()
        # Runs written before a column existed read it as null (missing_columns="insert").
        return pl.scan_parquet(files, schema=TABLES[table].schema, missing_columns="insert")

    def stored_ids(self) -> pl.LazyFrame:
        """(source, doc_id) of every stored document a run need not read again: all articles, and
        rejects whose reason is not transient (those are retried, see `TRANSIENT_REASONS`)."""
        return pl.concat([
            self.scan("articles").select("source", "doc_id"),
            self.scan("rejects").filter(~pl.col("reason").is_in(list(TRANSIENT_REASONS))).select("source", "doc_id"),
        ]).unique()

    def read(self, table: str) -> pl.DataFrame:
        return self.scan(table).collect()

    # --- writing ------------------------------------------------------------------------------
    def stage(self, run_id: str, table: str, df: pl.DataFrame, part: int = 0) -> Path:
        """Write one part of a run's table to staging, conformed to the contract."""
        path = self.root / STAGING / run_id / table / f"part-{part:05d}.parquet"
        write_parquet_atomic(conform(df, table), path)
        return path

    def commit(self, run_id: str, summary: dict) -> None:
        """Make a staged run visible: one rename per table, then the commit marker."""
        staged = self.root / STAGING / run_id
        if staged.is_dir():
            for tdir in sorted(staged.iterdir(), key=lambda p: (p.name == "runs", p.name)):
                dest = self.root / tdir.name / run_id
                dest.parent.mkdir(parents=True, exist_ok=True)
                if dest.exists():
                    shutil.rmtree(dest)
                os.replace(tdir, dest)
                _fsync_dir(dest.parent)
                fault_point(f"commit:{tdir.name}")
        write_json_atomic(self.root / COMMITS / f"{run_id}.json", summary)
        shutil.rmtree(staged, ignore_errors=True)

    def scratch(self, run_id: str) -> Path:
        """A run's own scratch folder (known ids, progress files), removed when the run ends."""
        path = self.root / SCRATCH / run_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def batch_dir(self, key: str) -> Path:
        return self.root / BATCHES / key
