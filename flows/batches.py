"""Stage one: a batch of input files -> cleaned documents, removed lines, rejects, site profile.

A batch's outputs are a function of its files (path, part, size, mtime) and the settings,
so they are keyed by a hash of both and reused when a failed run is repeated.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from cleaners import language
from cleaners.config import Settings
from cleaners.extract import quiet_library_logs
from cleaners.raw import raw_row
from cleaners.records import CleanDoc, RawDoc, Reject, RejectReason, Stage
from cleaners.schema import DOCS_SCHEMA, KINDS, PROFILE_SCHEMA
from cleaners.sites import line_key, page_key, site_of, site_profile_rows
from flows.manifest import FilePart
from flows.sandbox import safe_clean
from flows.sources import PART_BLOCK, SPLITTABLE, format_of, read_file, split_limit
from flows.summaries import BatchSummary
from flows.warehouse import write_json_atomic, write_parquet_atomic

CHUNK_DOCS = 2000
"""Documents held in memory before a part file is written (bounds a batch's memory)."""
CHUNK_RAW_BYTES = 32 << 20
"""Raw content held in memory before a part file is written (2,000 large pages would be ~200 MB)."""
PROGRESS_EVERY_DOCS = 100
PROGRESS_EVERY_SECONDS = 2.0
MIN_UNIT_BYTES = 256 << 10
"""Smallest work unit the planner aims for: below it, task overhead outweighs parallelism."""
UNITS_PER_WORKER = 8
"""Work units per worker the planner aims for, so a slow unit does not leave a core idle
(measured: 4 left a core idle for the last unit on a few medium files, benchmarks.workers)."""
PARTS_PER_WORKER = 4
"""Most parts per worker for one file read in parts: every part skims the whole file, so one
big file gets fewer, larger parts than the unit target alone would give (benchmarks.workers)."""

DONE = "_SUCCESS.json"


@dataclass(frozen=True)
class Unit:
    """One file, or part `part` of `parts` of a large JSON Lines / WARC file."""

    path: str
    part: int = 0
    parts: int = 1
    size: int = 0

    @property
    def work(self) -> float:
        """Input bytes this unit decodes and cleans (its share of a file read in parts)."""
        return self.size / self.parts


@dataclass(frozen=True)
class Batch:
    """Work for one task: a few units, keyed by their files' identity and the settings."""

    index: int
    units: tuple[Unit, ...]
    key: str

    @property
    def files(self) -> tuple[str, ...]:
        """Distinct input files of the batch."""
        return tuple(dict.fromkeys(u.path for u in self.units))

    @property
    def size(self) -> int:
        """Input bytes the batch streams (a file read in parts counts once per part)."""
        return sum(u.size for u in self.units)

    @property
    def work(self) -> float:
        """Input bytes the batch decodes and cleans: what orders batches, largest first."""
        return sum(u.work for u in self.units)


def unit_target_bytes(total_bytes: int, workers: int, max_bytes: int) -> int:
    """Bytes per work unit: enough units to keep every worker busy, none above `max_bytes`."""
    return max(MIN_UNIT_BYTES, min(max_bytes, total_bytes // max(1, workers * UNITS_PER_WORKER) + 1))


def plan_batches(
    files: list[str], settings: Settings, target_bytes: int = 64 << 20, max_files: int = 2000, workers: int = 1
) -> list[Batch]:
    """Group files into batches of about the unit target; a large splittable file becomes parts.

    The unit target is `target_bytes` at most, and smaller when the input would otherwise
    give fewer than UNITS_PER_WORKER units per worker.
    """
    sizes = {}
    for f in files:
        try:
            sizes[f] = os.path.getsize(f)
        except OSError:
            sizes[f] = 0
    target = unit_target_bytes(sum(sizes.values()), workers, target_bytes)
    groups: list[list[Unit]] = []
    cur: list[Unit] = []
    size = 0
    for f in files:
        fsize = sizes[f]
        if fsize > target and format_of(f) in SPLITTABLE:
            parts = min(-(-fsize // target), max(2, workers * PARTS_PER_WORKER), split_limit(f, fsize, settings.limits))
            if parts > 1:
                groups.extend([Unit(f, k, parts, fsize)] for k in range(parts))
                continue
        if cur and (size + fsize > target or len(cur) >= max_files):
            groups.append(cur)
            cur, size = [], 0
        cur.append(Unit(f, 0, 1, fsize))
        size += fsize
    if cur:
        groups.append(cur)
    fp = settings.fingerprint()
    batches = []
    for i, g in enumerate(groups):
        h = hashlib.sha256(fp.encode())
        for u in g:
            try:
                st = os.stat(u.path)
                h.update(
                    f"{u.path}\x00{u.part}/{u.parts}/{PART_BLOCK}\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode(
                        "utf-8", "surrogatepass"
                    )
                )
            except OSError:
                h.update(f"{u.path}\x00missing\n".encode("utf-8", "surrogatepass"))
        batches.append(Batch(i, tuple(g), h.hexdigest()[:24]))
    return batches


class _Sink:
    """Accumulates a batch's rows per kind and flushes them as numbered part files."""

    def __init__(self, out: Path, max_line_words: int) -> None:
        self.out = out
        self.max_line_words = max_line_words
        self.rows: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
        self.parts = 0
        self.counts = {k: 0 for k in KINDS}
        self.reasons: dict[str, int] = {}
        self.raw_bytes = 0

    def add_raw(self, doc: RawDoc) -> None:
        """Buffer the record's raw row (its place and content), kept so it can be cleaned again."""
        row = raw_row(doc)
        if row is not None:
            self.rows["raw"].append(row)
            self.raw_bytes += len(row["content"])
            if self.raw_bytes >= CHUNK_RAW_BYTES:
                self.flush()

    def add(self, doc_id: str, res: CleanDoc | Reject) -> bool:
        """Buffer one document's rows (flushing every CHUNK_DOCS); True for a transient reject."""
        if isinstance(res, Reject):
            self.reasons[res.reason.value] = self.reasons.get(res.reason.value, 0) + 1
            self.rows["rejects"].append({**res.row(), "doc_id": doc_id})
        else:
            page = page_key(res.title, res.lines, int(doc_id, 16))
            row = {name: getattr(res, name, None) for name in DOCS_SCHEMA}
            row.update(doc_id=doc_id, line_hashes=[line_key(ln) for ln in res.lines], page_hash=page)
            self.rows["docs"].append(row)
            self.rows["removed"].extend(
                {"doc_id": doc_id, "position": r.position, "line": r.line, "rule": r.rule} for r in res.removed
            )
            site = site_of(res.domain, res.source)
            self.rows["profile"].extend(
                dict(zip(PROFILE_SCHEMA, r)) for r in site_profile_rows(site, page, res.lines, self.max_line_words)
            )
        if len(self.rows["docs"]) + len(self.rows["rejects"]) >= CHUNK_DOCS:
            self.flush()
        return isinstance(res, Reject) and res.reason.transient

    def flush(self) -> None:
        """Write the buffered rows of every kind as the next part files."""
        for kind, schema in KINDS.items():
            rows = self.rows[kind]
            if rows:
                write_parquet_atomic(
                    pl.DataFrame(rows, schema=schema), self.out / kind / f"part-{self.parts:05d}.parquet"
                )
                self.counts[kind] += len(rows)
                rows.clear()
        self.parts += 1
        self.raw_bytes = 0


class _Progress:
    """Writes a batch's progress (bytes read, documents done) to a small JSON file, throttled."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.base = 0
        self.pos = 0
        self.docs = 0
        self.last = time.monotonic()
        self.last_docs = 0

    def at(self, pos: int) -> None:
        """Record the reading position (bytes) of the current unit."""
        self.pos = pos

    def file_done(self, size: int) -> None:
        """Count a finished file's bytes."""
        self.base += size
        self.pos = 0
        self.write(force=True)

    def doc(self) -> None:
        """Count one document and write the progress file now and then."""
        self.docs += 1
        if self.docs - self.last_docs >= PROGRESS_EVERY_DOCS or time.monotonic() - self.last >= PROGRESS_EVERY_SECONDS:
            self.write()

    def write(self, force: bool = False) -> None:
        """Write the progress file (bytes and documents so far) atomically."""
        if self.path is None:
            return
        self.last, self.last_docs = time.monotonic(), self.docs
        write_json_atomic(self.path, {"bytes": self.base + self.pos, "documents": self.docs}, fsync=False)


def known_ids(known: Path | None, files: tuple[str, ...]) -> frozenset[str]:
    """doc_ids already stored for these files (written by the flow before the batches start)."""
    if known is None or not known.exists():
        return frozenset()
    ids = pl.scan_parquet(known).filter(pl.col("source").is_in(list(files))).select("doc_id").collect()
    return frozenset(ids["doc_id"].to_list())


def process_batch(
    batch: Batch, settings: Settings, out: Path, known: Path | None = None, progress: Path | None = None
) -> BatchSummary:
    """Read and clean every new document of the batch's units into `out` (skipped if done before).

    Records whose doc_id is in `known` (stored by an earlier run) are counted as skipped
    right after reading: no decoding, extraction or cleaning is spent on them.
    """
    done = out / DONE
    if done.exists():
        return BatchSummary.read(done)
    final, out = out, out.with_name(f"{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        summary = _process(batch, settings, out, known_ids(known, batch.files), _Progress(progress))
        out.mkdir(parents=True, exist_ok=True)
        write_json_atomic(out / DONE, summary.data())
        # Publish the finished batch in one rename; a concurrent run that got there first wins.
        try:
            os.rename(out, final)
        except OSError:
            shutil.rmtree(out, ignore_errors=True)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # a failed attempt leaves no temp folder behind
        raise
    return summary


def _process(batch: Batch, settings: Settings, out: Path, known: frozenset[str], prog: _Progress) -> BatchSummary:
    t0 = time.perf_counter()
    language.warm_up()  # the model load must not count against the first document's time limit
    quiet_library_logs()  # empty pages are rejects with a reason, not WARNING lines in the run log
    sink = _Sink(out, settings.boilerplate.site_max_line_words)
    files: list[FilePart] = []
    n_docs = n_skipped = 0
    cleaned: set[str] = set()  # ids this batch cleaned: a repeat is a reject before any work
    for unit in batch.units:
        n_unit = n_transient = 0
        for item in read_file(unit.path, settings.limits, unit.part, unit.parts, prog.at):
            n_docs += 1
            n_unit += 1
            prog.doc()
            did = item.doc_id
            if did in known:
                n_skipped += 1
                continue
            if isinstance(item, RawDoc):
                if did in cleaned:
                    item = repeated_record(item)
                else:
                    cleaned.add(did)
                    sink.add_raw(item)
            res = item if isinstance(item, Reject) else safe_clean(item, settings)
            n_transient += sink.add(did, res)
        files.append(FilePart(unit.path, unit.part, unit.parts, n_unit, n_transient))
        prog.file_done(unit.size)
    sink.flush()
    return BatchSummary(
        batch=batch.index,
        key=batch.key,
        files=len(batch.files),
        units=len(batch.units),
        documents=n_docs,
        skipped=n_skipped,
        cleaned=sink.counts["docs"],
        rejected=sink.counts["rejects"],
        reject_reasons=sink.reasons,
        removed_lines=sink.counts["removed"],
        file_parts=tuple(files),
        seconds=round(time.perf_counter() - t0, 3),
    )


def clean_docs(docs: list[RawDoc], settings: Settings, out: Path) -> int:
    """Clean `docs` (distinct stored records, e.g. from the raw store) into batch outputs at `out`,
    exactly as a batch cleans the records it reads; returns how many were cleaned."""
    language.warm_up()
    quiet_library_logs()
    sink = _Sink(out, settings.boilerplate.site_max_line_words)
    for doc in docs:
        sink.add(doc.doc_id, safe_clean(doc, settings))
    sink.flush()
    return len(docs)


def repeated_record(item: RawDoc) -> Reject:
    """The reject of a record that repeats one cleaned earlier in the batch (same file, id, bytes)."""
    return Reject(
        item.source,
        item.source_id,
        item.locator,
        Stage.READ,
        RejectReason.DUPLICATE_RECORD,
        RejectReason.DUPLICATE_RECORD.meaning,
        item.key,
        item.raw_hash,
    )


def scan_parts(batch_dirs: list[Path], kind: str) -> pl.LazyFrame:
    """Lazy scan of one kind of batch output (docs, removed, rejects, profile) over batch folders."""
    files = [str(p) for d in batch_dirs for p in sorted((d / kind).glob("*.parquet"))]
    if not files:
        return pl.DataFrame(schema=KINDS[kind]).lazy()
    return pl.scan_parquet(files, schema=pl.Schema(KINDS[kind]))
