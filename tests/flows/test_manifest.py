"""The file manifest (flows/manifest.py) on real files and a real warehouse: what counts as unchanged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl

from cleaners.schema import empty
from flows.manifest import COARSE_CLOCK_NS, FilePart, Stats, manifest_rows, unchanged
from flows.warehouse import Warehouse


def _store(wh: Warehouse, run_id: str, files: list[Path], transient: int = 0) -> None:
    """Commit a run that read `files` whole (one record each)."""
    stats = Stats.of(str(f) for f in files)
    parts = [FilePart(str(f), 0, 1, 1, transient) for f in files]
    wh.stage(run_id, "files", manifest_rows(run_id, parts, stats))
    row = {c: None for c in empty("runs").columns}
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    row |= {"run_id": run_id, "started_at": now, "finished_at": now, "newsclean_version": "t"}
    row |= {"settings_fingerprint": "f", "parameters": "{}", "seconds": 0.0}
    row |= {k: 0 for k, v in empty("runs").schema.items() if v == pl.Int64}
    wh.stage(run_id, "runs", pl.DataFrame([row], schema=empty("runs").schema))
    wh.commit(run_id, {})


def _aged(path: Path, text: str) -> Path:
    path.write_text(text)
    past = os.stat(path).st_mtime_ns - 10 * COARSE_CLOCK_NS
    os.utime(path, ns=(past, past))
    return path


def test_same_size_and_mtime_rewrites_and_replacements_are_noticed(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    a, b, c = (_aged(tmp_path / f"{n}.html", f"<p>{n} one</p>") for n in "abc")
    _store(wh, "r1", [a, b, c])
    assert unchanged(wh, Stats.of([str(a), str(b), str(c)]), 24).files == {str(a), str(b), str(c)}
    # `cp -p`: other bytes of the same size, the old mtime put back (the ctime moves).
    st = os.stat(a)
    a.write_text("<p>a two</p>")
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (os.stat(a).st_size, os.stat(a).st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    # `rsync -a`: a new file with the same size and mtime moved over the old one (a new inode).
    tmp = tmp_path / ".b.tmp"
    tmp.write_text("<p>b two</p>")
    shutil.copystat(b, tmp)
    os.replace(tmp, b)
    assert unchanged(wh, Stats.of([str(a), str(b), str(c)]), 24).files == {str(c)}


def test_a_file_with_whole_second_times_written_just_now_is_not_trusted(tmp_path):
    f = tmp_path / "coarse.txt"
    f.write_text("Title\nbody")
    stats = Stats.of([str(f)])
    whole = (stats.at_ns // 1_000_000_000) * 1_000_000_000  # as a FAT or NFS clock would say
    os.utime(f, ns=(whole, whole))
    fresh = Stats.of([str(f)])
    assert manifest_rows("r", [FilePart(str(f), 0, 1, 1, 0)], fresh).height == 0
    old = whole - 10 * COARSE_CLOCK_NS
    os.utime(f, ns=(old, old))
    assert manifest_rows("r", [FilePart(str(f), 0, 1, 1, 0)], Stats.of([str(f)])).height == 1


def test_a_file_read_in_parts_enters_only_when_every_part_was_read(tmp_path):
    f = _aged(tmp_path / "big.jsonl", '{"text": "x"}\n')
    stats = Stats.of([str(f)])
    assert manifest_rows("r", [FilePart(str(f), 0, 2, 3, 0)], stats).height == 0
    rows = manifest_rows("r", [FilePart(str(f), 0, 2, 3, 0), FilePart(str(f), 1, 2, 4, 1)], stats)
    assert rows.select("n_records", "n_transient").row(0) == (7, 1)


def test_a_file_with_transient_rejects_backs_off_then_is_retried(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    broken = _aged(tmp_path / "broken.jsonl.gz", "not gzip")
    _store(wh, "r1", [broken], transient=1)
    stats = Stats.of([str(broken)])
    assert unchanged(wh, stats, 3).files == {str(broken)}  # the next run: not read again
    _store(wh, "r2", [])
    assert unchanged(wh, stats, 3).files == {str(broken)}
    _store(wh, "r3", [])
    assert unchanged(wh, stats, 3).files == frozenset()  # the third run after it retries
    assert unchanged(wh, stats, 1).files == frozenset()  # retry_after_runs=1: every run
