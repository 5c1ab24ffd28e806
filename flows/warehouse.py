"""The warehouse on disk: snapshots published atomically, a root marker, locks, committed scans.

Layout under the root (default `./warehouse`):

    .newsclean-warehouse                 marker: this root is newsclean's (written on first use)
    current -> _snapshots/00000007       the published state: every table, one snapshot
    _snapshots/00000007/<table>/*.parquet            public tables (articles, duplicates, ...)
    _snapshots/00000007/_internal/<table>/*.parquet  internal tables (lsh_bands, site_lines, files)
    _snapshots/00000007/_snapshot.json   what the snapshot holds (runs, parent, summary)
    _staging/<run_id>/<table>/...        a run's new files while it is being written
    _batches/<key>/  _scratch/<run_id>/  _lock

A commit builds the next snapshot under a temporary name: it hard-links every file of the
current snapshot (no data is copied) and moves the run's staged files in, renames it to its
sequence number, and then swaps `current` to it with one atomic rename of a symlink. Readers
that go through `current` (Polars, DuckDB, pandas, pyarrow, Spark with the README's paths) see
the state before the run or after it, never a part of it, even after a SIGKILL mid-commit. A
crash leaves only newsclean's own temporary names behind, which `recover()` removes; it never
touches a file it did not create. Superseded snapshots are removed after a grace period
(`SNAPSHOT_GRACE_SECONDS`), so a reader that resolved `current` a moment ago can finish.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from cleaners.records import TRANSIENT_REASONS
from cleaners.schema import SCHEMA_VERSION, TABLES, arrow_schema, conform, empty, with_new_columns
from flows import claims

MARKER = ".newsclean-warehouse"
CURRENT = "current"
SNAPSHOTS = "_snapshots"
INTERNAL = "_internal"
STAGING = "_staging"
BATCHES = "_batches"
SCRATCH = "_scratch"
LOCK = "_lock"
LEGACY_COMMITS = "_commits"
RELABEL = "_relabel"
SNAPSHOT_INFO = "_snapshot.json"
RELABELLED_PART = "relabelled"
"""`duplicates/<run_id>-relabelled.parquet`: rows of that run's articles whose cluster a later run changed."""
COMPACT_PREFIX = "compact-"
"""Files written by `compact` (rows of many runs); every other file holds one run's rows."""
SNAPSHOT_KEEP = 3
"""Snapshots kept whatever their age (the current one and the two before it)."""
SNAPSHOT_GRACE_SECONDS = 600
"""A superseded snapshot is removed only this long after its successor was published."""
_SEQ = re.compile(r"^\d{8}$")
_TMP = re.compile(r"^\.tmp-[0-9A-Za-z-]+$")
FAULT_ENV = "NEWSCLEAN_FAULT"


def fault_point(name: str) -> None:
    """Crash-test seam: SIGKILL this process at the named point when NEWSCLEAN_FAULT names it."""
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), 9)


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock for longer than we were willing to wait."""


class ForeignRoot(ValueError):
    """The warehouse root holds files that newsclean did not put there; it is not used."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, payload: dict[str, Any], fsync: bool = True) -> None:
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


def write_parquet_atomic(df: pl.DataFrame, path: Path, table: str | None = None) -> None:
    """Write to a temporary name, fsync, then rename: never a half-written file at `path`.

    With `table`, the file carries the contract's Arrow schema (non-null columns `required`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if table is None:
            df.write_parquet(tmp, compression="zstd", statistics=True)
        else:
            pq.write_table(df.to_arrow().cast(arrow_schema(table)), tmp, compression="zstd", write_statistics=True)
        fsync_file(tmp)
        pl.read_parquet_schema(tmp)  # a footer cut short by a full disk fails here, not in a reader
    except (OSError, pl.exceptions.PolarsError) as e:
        tmp.unlink(missing_ok=True)
        raise disk_error(e, path) from None
    os.replace(tmp, path)


def fsync_file(path: Path) -> None:
    """Flush a written file to disk (before the rename that makes it visible)."""
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def disk_error(e: Exception, path: Path) -> OSError:
    """A failed write as the OSError it is: Polars reports a full disk as a Parquet error, or
    writes a truncated footer without one (then the free space tells)."""
    if isinstance(e, OSError):
        return e
    full = "os error 28" in str(e) or _nearly_full(path.parent)
    if full:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return OSError(errno.EIO, f"could not write {path.name}: {e}", str(path))


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


def table_dir(snapshot: Path, table: str) -> Path:
    """Where a table's files live inside a snapshot (internal tables under `_internal/`)."""
    return snapshot / table if TABLES[table].public else snapshot / INTERNAL / table


def _files_holding(table_folder: Path, ids: pl.Series) -> list[Path]:
    """The Parquet files of a table folder that hold a row of one of `ids` (only doc_id is read)."""
    return [
        f
        for f in sorted(table_folder.glob("*.parquet"))
        if pl.scan_parquet(f).filter(pl.col("doc_id").is_in(ids)).select(pl.len()).collect().item()
    ]


_REVISION = re.compile(r"\.r\d{8}$")


def revised(path: Path, seq: int) -> Path:
    """The name a file rewritten in snapshot `seq` gets: `<stem>.r<seq>.parquet`.

    A published name is never reused for other bytes, so a reader holding a file list from an
    earlier snapshot gets its own files or a missing file, never other rows under a known name.
    """
    return path.with_name(f"{_REVISION.sub('', path.stem)}.r{seq:08d}.parquet")


def rewrite(path: Path, df: pl.DataFrame, seq: int, table: str | None = None) -> Path | None:
    """Replace a file of the unpublished snapshot `seq` by `df`, under its revised name (none if empty)."""
    new = revised(path, seq)
    if df.height:
        write_parquet_atomic(df, new, table)
    if new != path or not df.height:
        path.unlink()
    return new if df.height else None


def apply_relabels(snapshot: Path, seq: int, relabels: pl.DataFrame, duplicates: pl.DataFrame) -> int:
    """Give stored articles new cluster ids (merged clusters, new canonical) inside an unpublished snapshot.

    `relabels` is (doc_id, cluster_id, is_canonical); `duplicates` holds the new `duplicates`
    rows of the relabelled articles that are not canonical. Files holding a relabelled row are
    rewritten under a revised name (`revised`: the old snapshot keeps its own files); a
    duplicates row keeps the run of its article, so `runs drop` of that run still removes it.
    Returns the number of article rows changed.
    """
    if not relabels.height:
        return 0
    ids = relabels["doc_id"].implode()
    changed = 0
    runs = []
    adir = table_dir(snapshot, "articles")
    for f in _files_holding(adir, ids):
        df = pl.read_parquet(f)
        hit = df.filter(pl.col("doc_id").is_in(ids))
        changed += hit.height
        runs.append(hit.select("doc_id", "run_id"))
        rewrite(f, conform(with_new_columns(df, "articles").update(relabels, on="doc_id"), "articles"), seq, "articles")
    ddir = table_dir(snapshot, "duplicates")
    for f in _files_holding(ddir, ids):
        rewrite(f, conform(pl.read_parquet(f).filter(~pl.col("doc_id").is_in(ids)), "duplicates"), seq, "duplicates")
    owners = pl.concat(runs) if runs else pl.DataFrame(schema={"doc_id": pl.String, "run_id": pl.String})
    added = duplicates.join(owners, on="doc_id", how="inner")
    for (run_id,), rows in added.group_by("run_id"):
        base = ddir / f"{run_id}-{RELABELLED_PART}.parquet"
        old = sorted(ddir.glob(f"{run_id}-{RELABELLED_PART}*.parquet"))
        frames = [pl.read_parquet(f) for f in old] + [conform(rows, "duplicates")]
        write_parquet_atomic(conform(pl.concat(frames), "duplicates"), revised(base, seq), "duplicates")
        for f in old:
            if f != revised(base, seq):
                f.unlink()
    return changed


def move_staged(staged: Path, snapshot: Path, run_id: str) -> None:
    """Move a run's staged table files into the unpublished `snapshot` as `<run_id>-<part>.parquet`."""
    if not staged.is_dir():
        return
    for tdir in sorted(d for d in staged.iterdir() if d.name in TABLES):
        dest = table_dir(snapshot, tdir.name)
        dest.mkdir(parents=True, exist_ok=True)
        has_files = any(dest.glob("*.parquet"))
        for f in sorted(tdir.glob("*.parquet")):
            if has_files and pq.read_metadata(f).num_rows == 0:
                continue  # an empty part adds nothing: a no-op run writes its runs row only
            os.replace(f, dest / f"{run_id}-{f.stem.removeprefix('part-')}.parquet")


def _snapshot_schema(snapshot: Path | None) -> int:
    """The table schema version a snapshot was written with (0 when unknown or none)."""
    if snapshot is None:
        return 0
    try:
        return int(json.loads((snapshot / SNAPSHOT_INFO).read_text()).get("schema_version", 0))
    except (OSError, ValueError):
        return 0


def check_root(root: str | os.PathLike[str]) -> str | None:
    """Why `root` cannot be used as a warehouse (a non-empty folder newsclean did not make), or None."""
    path = Path(root)
    if not path.exists():
        return None
    if not path.is_dir():
        return f"warehouse is not a directory: {root}"
    if (path / MARKER).exists() or (path / LEGACY_COMMITS).is_dir():
        current = path / CURRENT
        written = _snapshot_schema(current.resolve() if current.is_symlink() else None)
        if written > SCHEMA_VERSION:
            return (
                f"warehouse {root} was written by a newer newsclean (table schema {written}; this one "
                f"writes {SCHEMA_VERSION}): upgrade newsclean to write to it"
            )
        return None
    # Without the marker even newsclean's own names are not taken as proof: a folder of the
    # user's that happens to hold a `current` or `_staging` must not be adopted and rewritten.
    foreign = sorted(p.name for p in path.iterdir() if p.name != ".gitkeep")
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        return (
            f"warehouse {root} is a non-empty folder that newsclean did not create (it holds {shown}); "
            f"give an empty or new folder, or one with a {MARKER} file"
        )
    return None


class Warehouse:
    """A warehouse root: reading the published snapshot, staging and publishing runs."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()

    # --- the root ------------------------------------------------------------------------------
    def ensure_root(self) -> None:
        """Create the root and its marker, or refuse a folder that holds foreign files."""
        problem = check_root(self.root)
        if problem:
            raise ForeignRoot(problem)
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.root / MARKER
        if not marker.exists():
            write_json_atomic(
                marker,
                {
                    "format": 2,
                    "created_at": datetime.now(UTC).isoformat(),
                    "note": "This folder is a newsclean warehouse; see its README.",
                },
            )

    # --- locking and recovery ---------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, timeout: float = 3600.0, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Exclusive writer lock: a second concurrent run waits (up to `timeout` seconds)."""
        self.ensure_root()
        fh = open(self.root / LOCK, "a+")  # noqa: SIM115 - held for the with-block of the caller
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

    def recover(self, keep_staging: str | None = None) -> list[str]:
        """Remove what a crashed run left (under the lock): half-built snapshots and staged files.

        Only newsclean's own names are touched: `_snapshots/.tmp-*`, numbered snapshots newer than
        the published one (never seen by a reader), `_staging/<run_id>`, and the scratch folders
        and batch outputs whose runs are gone (`flows.claims`).
        A legacy warehouse (directories per run with `_commits/` markers) is adopted into a
        first snapshot by hard links; its old files are left where they are.
        """
        removed = []
        snaps = self.root / SNAPSHOTS
        cur = self.snapshot()
        if snaps.is_dir():
            for d in snaps.iterdir():
                # Half-built, or built but never published (a crash before the `current` swap).
                unpublished = _SEQ.match(d.name) and (cur is None or int(d.name) > int(cur.name))
                if _TMP.match(d.name) or unpublished:
                    shutil.rmtree(d, ignore_errors=True)
                    removed.append(f"{SNAPSHOTS}/{d.name}")
        staging = self.root / STAGING
        if staging.is_dir():
            for d in staging.iterdir():
                if d.name != keep_staging:
                    shutil.rmtree(d, ignore_errors=True)
                    removed.append(f"{STAGING}/{d.name}")
        for d in claims.abandoned_scratch(self.root / SCRATCH) + claims.abandoned_batches(self.root / BATCHES):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(str(d.relative_to(self.root)))
        if self.snapshot() is None and (self.root / LEGACY_COMMITS).is_dir():
            self._adopt_legacy()
        return removed

    # --- reading ------------------------------------------------------------------------------
    def snapshot(self) -> Path | None:
        """The published snapshot's real path (resolve once, read consistently), or None."""
        cur = self.root / CURRENT
        if not cur.is_symlink():
            return None
        return (self.root / os.readlink(cur)).resolve()

    def files(self, table: str, snapshot: Path | None = None) -> list[str]:
        """Parquet files of `table` in the published snapshot (or the one given)."""
        snap = snapshot or self.snapshot()
        if snap is None:
            return []
        d = table_dir(snap, table)
        return sorted(str(p) for p in d.glob("*.parquet")) if d.is_dir() else []

    def scan(self, table: str, snapshot: Path | None = None) -> pl.LazyFrame:
        """Published rows of `table`, or a given snapshot's (an empty frame with the schema if none)."""
        files = self.files(table, snapshot)
        if not files:
            return empty(table).lazy()
        # Files written before a column existed read it as null (missing_columns="insert").
        return pl.scan_parquet(files, schema=TABLES[table].schema, missing_columns="insert")

    def file_scans(self, table: str) -> list[pl.LazyFrame]:
        """One scan per published file of `table` (for work split by file); empty if none."""
        schema = TABLES[table].schema
        return [pl.scan_parquet(f, schema=schema, missing_columns="insert") for f in self.files(table)]

    def file_counts(self) -> dict[str, int]:
        """Data files per table in the published snapshot."""
        return {table: len(self.files(table)) for table in TABLES}

    def read(self, table: str) -> pl.DataFrame:
        """Published rows of `table`, collected."""
        return self.scan(table).collect()

    def committed_runs(self) -> list[str]:
        """Run ids in the published `runs` table, oldest first."""
        return self.scan("runs").sort("started_at").select("run_id").collect()["run_id"].to_list()

    def stored_ids(self) -> pl.LazyFrame:
        """(source, doc_id) of every stored document a run need not read again: all articles, and
        rejects whose reason is not transient (those are retried, see `TRANSIENT_REASONS`)."""
        return pl.concat(
            [
                self.scan("articles").select("source", "doc_id"),
                self.scan("rejects")
                .filter(~pl.col("reason").is_in(list(TRANSIENT_REASONS)))
                .select("source", "doc_id"),
            ]
        ).unique()

    # --- writing ------------------------------------------------------------------------------
    def stage(self, run_id: str, table: str, df: pl.DataFrame, part: int = 0) -> Path:
        """Write one part of a run's table to staging, conformed to the contract."""
        path = self.root / STAGING / run_id / table / f"part-{part:05d}.parquet"
        write_parquet_atomic(conform(df, table), path, table)
        return path

    def stage_relabels(self, run_id: str, relabels: pl.DataFrame, duplicates: pl.DataFrame) -> None:
        """Stage changes to stored articles' clusters (applied by `commit` in the same publish)."""
        if relabels.height:
            write_parquet_atomic(relabels, self.root / STAGING / run_id / RELABEL / "articles.parquet")
            write_parquet_atomic(duplicates, self.root / STAGING / run_id / RELABEL / "duplicates.parquet")

    def commit(self, run_id: str, summary: dict[str, Any]) -> Path:
        """Publish a staged run: the next snapshot = the current one + the run's files, in one swap."""
        staged = self.root / STAGING / run_id

        def add(new: Path, seq: int) -> None:
            """Apply the run's re-labels and move its staged files into the new snapshot."""
            if not staged.is_dir():
                return
            relabel = staged / RELABEL
            if relabel.is_dir():
                apply_relabels(
                    new,
                    seq,
                    pl.read_parquet(relabel / "articles.parquet"),
                    pl.read_parquet(relabel / "duplicates.parquet"),
                )
            move_staged(staged, new, run_id)
            fault_point("commit:moved")

        snap = self.publish(add, {"action": "commit", "run_id": run_id, "summary": summary})
        shutil.rmtree(staged, ignore_errors=True)
        return snap

    def publish(self, change: Callable[[Path, int], None], info: dict[str, Any]) -> Path:
        """Build the next snapshot from the current one (hard links), apply `change`, swap `current`.

        `change(snapshot, seq)` edits the unpublished snapshot; a file it rewrites takes a new
        name (`rewrite`), never new bytes under a name an earlier snapshot published. Callers
        hold the warehouse lock.
        """
        self.ensure_root()
        snaps = self.root / SNAPSHOTS
        snaps.mkdir(exist_ok=True)
        cur = self.snapshot()
        written = _snapshot_schema(cur)
        if written > SCHEMA_VERSION:
            raise ForeignRoot(
                f"{self.root} was written by a newer newsclean (table schema {written}; this one writes "
                f"{SCHEMA_VERSION}): upgrade newsclean to write to it"
            )
        seqs = [int(d.name) for d in snaps.iterdir() if _SEQ.match(d.name)]
        seq = max([*seqs, int(cur.name) if cur is not None else 0]) + 1
        tmp = snaps / f".tmp-{seq:08d}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        if cur is not None:
            for table in TABLES:
                src = table_dir(cur, table)
                if src.is_dir():
                    dest = table_dir(tmp, table)
                    dest.mkdir(parents=True, exist_ok=True)
                    for f in src.glob("*.parquet"):
                        os.link(f, dest / f.name)
        for table in TABLES:
            table_dir(tmp, table).mkdir(parents=True, exist_ok=True)
        fault_point("commit:linked")
        change(tmp, seq)
        write_json_atomic(
            tmp / SNAPSHOT_INFO,
            {
                "seq": seq,
                "parent": cur.name if cur else None,
                "published_at": datetime.now(UTC).isoformat(),
                "schema_version": SCHEMA_VERSION,
                **info,
            },
        )
        final = snaps / f"{seq:08d}"
        os.rename(tmp, final)
        _fsync_dir(snaps)
        fault_point("commit:renamed")
        link = self.root / f".{CURRENT}.tmp-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        os.symlink(os.path.join(SNAPSHOTS, final.name), link)
        os.replace(link, self.root / CURRENT)  # the one atomic step that publishes
        _fsync_dir(self.root)
        self._collect_garbage()
        return final

    def _collect_garbage(self) -> None:
        """Remove superseded snapshots: all but the last SNAPSHOT_KEEP, once their grace period passed."""
        snaps = sorted(d for d in (self.root / SNAPSHOTS).iterdir() if _SEQ.match(d.name))
        now = time.time()
        for old, successor in zip(snaps[:-SNAPSHOT_KEEP], snaps[1:]):
            if now - successor.stat().st_mtime > SNAPSHOT_GRACE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)

    def _adopt_legacy(self) -> None:
        """Publish a first snapshot from a legacy layout (<table>/<run_id>/part-*.parquet + _commits/)."""
        committed = sorted(p.stem for p in (self.root / LEGACY_COMMITS).glob("*.json"))

        def link_legacy(new: Path, seq: int) -> None:
            """Hard-link the legacy layout's committed files into the new snapshot."""
            for table in TABLES:
                for run_id in committed:
                    src = self.root / table / run_id
                    for f in sorted(src.glob("*.parquet")) if src.is_dir() else []:
                        os.link(f, table_dir(new, table) / f"{run_id}-{f.stem.removeprefix('part-')}.parquet")

        self.publish(link_legacy, {"action": "adopt-legacy", "runs": committed})

    # --- scratch ------------------------------------------------------------------------------
    def scratch(self, run_id: str) -> Path:
        """A run's own scratch folder (known ids, progress files), removed when the run ends."""
        path = self.root / SCRATCH / run_id
        path.mkdir(parents=True, exist_ok=True)
        (path / claims.OWNER).write_text(claims.stamp())
        return path

    def batch_dir(self, key: str) -> Path:
        """Where a finished batch's outputs are kept until the run commits."""
        return self.root / BATCHES / key
