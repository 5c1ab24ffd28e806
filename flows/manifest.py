"""The file manifest (`files` table): which input files a run read whole, so unchanged ones are skipped.

A file is unchanged when its path, size, mtime, ctime and inode all equal a manifest row's: a
rewrite with the same size and mtime (`cp -p`, `touch -r`) changes the ctime, a replacement
(`rsync -a`, `mv`) the inode. On a file system with a coarse clock (times in whole seconds:
FAT, some network mounts) a file could change again without its times moving, so one whose
mtime lies within `COARSE_CLOCK_NS` of the moment it was looked at is not entered: the next
run reads it again (and skips its records by id, which costs little).

A file that gave transient rejects (corrupt, unreadable, timeout) is entered too, with their
count: it is retried when it changes, or once `retry_after_runs` runs have passed, instead of
adding the same reject on every hourly run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from cleaners.schema import COMPLETED_RUN
from flows.warehouse import Warehouse

COARSE_CLOCK_NS = 2_000_000_000
"""A file modified this close to the moment it was looked at is read again next run (2 s: FAT)."""
STAT_COLUMNS = ("size", "mtime_ns", "ctime_ns", "inode")


@dataclass(frozen=True)
class FilePart:
    """What a work unit read of one file: part `part` of `parts`, its records, transient rejects."""

    path: str
    part: int
    parts: int
    records: int
    transient: int


@dataclass(frozen=True)
class Stats:
    """The input files' stat, taken once at discovery (`at_ns`), and what that tells about them."""

    rows: pl.DataFrame
    """source, size, mtime_ns, ctime_ns, inode of every file that could be stat-ed."""
    at_ns: int

    @classmethod
    def of(cls, files: Iterable[str]) -> Stats:
        """Stat every file now (a file that vanished or cannot be stat-ed is left out)."""
        at = time.time_ns()
        rows = []
        for f in files:
            try:
                st = os.stat(f)
            except OSError:
                continue
            rows.append((f, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
        schema = {"source": pl.String, **dict.fromkeys(STAT_COLUMNS, pl.Int64)}
        return cls(pl.DataFrame(rows, schema=schema, orient="row"), at)


@dataclass(frozen=True)
class Skipped:
    """Files the manifest says need not be read, and how many records they hold."""

    files: frozenset[str]
    records: int


def unchanged(wh: Warehouse, stats: Stats, retry_after_runs: int) -> Skipped:
    """Files stored whole by an earlier run and unchanged since; one with transient rejects only
    until `retry_after_runs` runs have committed after the run that read it."""
    if not stats.rows.height:
        return Skipped(frozenset(), 0)
    order = wh.scan("runs").filter(COMPLETED_RUN).sort("started_at").select("run_id", pl.int_range(pl.len()).alias("k"))
    latest = order.select(pl.col("k").max()).collect().item()
    seen = (
        wh.scan("files")
        .join(stats.rows.lazy(), on=["source", *STAT_COLUMNS], how="semi")
        .join(order, on="run_id", how="left")
        .filter(
            (pl.col("n_transient").fill_null(0) == 0)
            # runs since the attempt, this one included: 1 on the next run
            | (pl.lit(latest if latest is not None else 0) - pl.col("k") + 1 < retry_after_runs)
        )
        .group_by("source")
        .agg(pl.col("n_records").last())
        .collect()
    )
    return Skipped(frozenset(seen["source"].to_list()), int(seen["n_records"].sum() or 0))


def manifest_rows(run_id: str, parts: Iterable[FilePart], stats: Stats) -> pl.DataFrame:
    """`files` rows of the files this run read whole (every part), with their stat at discovery."""
    read = pl.DataFrame(
        [(p.path, p.part, p.parts, p.records, p.transient) for p in parts],
        schema={"source": pl.String, "part": pl.Int64, "parts": pl.Int64, "records": pl.Int64, "transient": pl.Int64},
        orient="row",
    )
    return (
        read.group_by("source")
        .agg(
            pl.col("part").n_unique().alias("seen"),
            pl.col("parts").first(),
            pl.col("records").sum().alias("n_records"),
            pl.col("transient").sum().alias("n_transient"),
        )
        .filter(pl.col("seen") == pl.col("parts"))
        .join(stats.rows, on="source", how="inner")
        .filter((pl.col("mtime_ns") % 1_000_000_000 != 0) | (pl.col("mtime_ns") < stats.at_ns - COARSE_CLOCK_NS))
        .with_columns(pl.lit(run_id).alias("run_id"))
        .select("source", *STAT_COLUMNS, "n_records", "n_transient", "run_id")
        .sort("source")
    )
