"""Stage one: a batch of input files -> cleaned documents, removed lines, rejects, site profile.

A batch's outputs are a pure function of its files (path, size, mtime) and the settings,
so they are keyed by a hash of both and reused when a failed run is repeated.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cleaners import rules as rules_mod
from cleaners.boilerplate import line_key, site_profile_rows
from cleaners.config import Settings
from cleaners.document import clean_document
from cleaners.records import CleanDoc, Reject, Stage
from flows.sources import read_file, raw_doc_id
from flows.warehouse import write_json_atomic, write_parquet_atomic

CHUNK_DOCS = 2000
"""Documents held in memory before a part file is written (bounds a batch's memory)."""

DOCS_SCHEMA = {
    "doc_id": pl.String, "source": pl.String, "source_id": pl.String, "locator": pl.String, "url": pl.String,
    "domain": pl.String, "title": pl.String, "author": pl.String,
    "published_at": pl.Datetime("us", "UTC"), "lines": pl.List(pl.String),
    "positions": pl.List(pl.Int32), "line_hashes": pl.List(pl.UInt64), "page_hash": pl.UInt64,
}
REMOVED_SCHEMA = {"doc_id": pl.String, "position": pl.Int32, "line": pl.String, "rule": pl.String}
REJECTS_SCHEMA = {"doc_id": pl.String, "source": pl.String, "source_id": pl.String, "locator": pl.String,
                  "stage": pl.String, "reason": pl.String, "detail": pl.String}
PROFILE_SCHEMA = {"domain": pl.String, "line_hash": pl.UInt64, "page_hash": pl.UInt64, "line": pl.String}
KINDS = {"docs": DOCS_SCHEMA, "removed": REMOVED_SCHEMA, "rejects": REJECTS_SCHEMA, "profile": PROFILE_SCHEMA}
DONE = "_SUCCESS.json"


@dataclass(frozen=True)
class Batch:
    index: int
    files: tuple[str, ...]
    key: str


def plan_batches(files: list[str], settings: Settings, target_bytes: int = 64 << 20, max_files: int = 2000) -> list[Batch]:
    """Group files into batches of about `target_bytes` (a large file is a batch of its own)."""
    groups: list[list[str]] = []
    cur: list[str] = []
    size = 0
    for f in files:
        try:
            fsize = os.path.getsize(f)
        except OSError:
            fsize = 0
        if cur and (size + fsize > target_bytes or len(cur) >= max_files):
            groups.append(cur)
            cur, size = [], 0
        cur.append(f)
        size += fsize
    if cur:
        groups.append(cur)
    fp = settings.fingerprint()
    batches = []
    for i, g in enumerate(groups):
        h = hashlib.sha256(fp.encode())
        for f in g:
            try:
                st = os.stat(f)
                h.update(f"{f}\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
            except OSError:
                h.update(f"{f}\x00missing\n".encode("utf-8", "surrogatepass"))
        batches.append(Batch(i, tuple(g), h.hexdigest()[:24]))
    return batches


def _page_key(doc: CleanDoc, did: str) -> int:
    return line_key("title:" + doc.title) if doc.title else int(did, 16)


class _Sink:
    """Accumulates rows per kind and flushes them as numbered part files."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.rows: dict[str, list[dict]] = {k: [] for k in KINDS}
        self.parts = 0
        self.counts = {k: 0 for k in KINDS}

    def flush(self) -> None:
        for kind, schema in KINDS.items():
            rows = self.rows[kind]
            if rows:
                write_parquet_atomic(pl.DataFrame(rows, schema=schema),
                                     self.out / kind / f"part-{self.parts:05d}.parquet")
                self.counts[kind] += len(rows)
                rows.clear()
        self.parts += 1


def process_batch(batch: Batch, settings: Settings, out: Path) -> dict:
    """Read and clean every document of the batch's files into `out` (skipped if done before)."""
    done = out / DONE
    if done.exists():
        summary = json.loads(done.read_text())
        summary["reused"] = True
        return summary
    final, out = out, out.with_name(f"{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    t0 = time.perf_counter()
    rules = rules_mod.select(settings.boilerplate.enabled_rules, settings.boilerplate.disabled_rules)
    sink = _Sink(out)
    max_words = settings.boilerplate.site_max_line_words
    reasons: dict[str, int] = {}
    n_docs = 0
    for path in batch.files:
        for item in read_file(path, settings.limits):
            n_docs += 1
            did = raw_doc_id(item)
            res = item if isinstance(item, Reject) else _safe_clean(item, settings, rules)
            if isinstance(res, Reject):
                reasons[res.reason] = reasons.get(res.reason, 0) + 1
                sink.rows["rejects"].append({
                    "doc_id": did, "source": res.source, "source_id": res.source_id, "locator": res.locator,
                    "stage": res.stage.value, "reason": res.reason, "detail": res.detail,
                })
            else:
                page = _page_key(res, did)
                sink.rows["docs"].append({
                    "doc_id": did, "source": res.source, "source_id": res.source_id, "locator": res.locator,
                    "url": res.url,
                    "domain": res.domain, "title": res.title, "author": res.author,
                    "published_at": res.published_at, "lines": res.lines, "positions": res.positions,
                    "line_hashes": [line_key(ln) for ln in res.lines], "page_hash": page,
                })
                sink.rows["removed"].extend(
                    {"doc_id": did, "position": r.position, "line": r.line, "rule": r.rule} for r in res.removed
                )
                sink.rows["profile"].extend(
                    dict(zip(PROFILE_SCHEMA, row)) for row in site_profile_rows(res.domain, page, res.lines, max_words)
                )
            if len(sink.rows["docs"]) + len(sink.rows["rejects"]) >= CHUNK_DOCS:
                sink.flush()
    sink.flush()
    summary = {
        "batch": batch.index, "key": batch.key, "files": len(batch.files), "documents": n_docs,
        "cleaned": sink.counts["docs"], "rejected": sink.counts["rejects"], "reject_reasons": reasons,
        "removed_lines": sink.counts["removed"], "seconds": round(time.perf_counter() - t0, 3), "reused": False,
    }
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / DONE, summary)
    # Publish the finished batch in one rename; a concurrent run that got there first wins.
    try:
        os.rename(out, final)
    except OSError:
        shutil.rmtree(out, ignore_errors=True)
    return summary


class _Timeout(BaseException):
    """A BaseException, like KeyboardInterrupt, so that a library's `except Exception:` (which
    trafilatura and htmldate use around optional steps) cannot swallow it."""


_REFIRE_SECONDS = 0.05


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise _Timeout in this thread after `seconds` (SIGALRM; a no-op off the main thread,
    where signals cannot be delivered, e.g. on Dask's worker threads).

    The alarm re-fires every 50 ms until the block ends: a signal that lands where Python
    ignores exceptions (a finalizer, a callback) does not let the document run on unchecked.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    armed = [True]

    def _alarm(signum, frame):
        if armed[0]:
            raise _Timeout

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, _REFIRE_SECONDS)
    try:
        yield
    finally:
        while True:  # disarm first; an alarm that lands before the assignment is retried
            try:
                armed[0] = False
                break
            except _Timeout:
                continue
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _safe_clean(item, settings: Settings, rules) -> CleanDoc | Reject:
    """clean_document under the time limit, with any exception turned into a reject."""
    try:
        with _time_limit(settings.limits.max_extract_seconds):
            return clean_document(item, settings, rules)
    except _Timeout:
        return Reject(item.source, item.source_id, item.locator, Stage.EXTRACT, "timeout",
                      f"cleaning took longer than max_extract_seconds={settings.limits.max_extract_seconds}")
    except RecursionError:
        return Reject(item.source, item.source_id, item.locator, Stage.EXTRACT, "too_deep",
                      "document nesting exceeds the parser's recursion limit")
    except Exception as e:  # a bug or a library failure on one page must not sink the run
        return Reject(item.source, item.source_id, item.locator, Stage.EXTRACT, "extract_error",
                      f"{type(e).__name__}: {e}"[:500])


def scan_parts(batch_dirs: list[Path], kind: str) -> pl.LazyFrame:
    files = [str(p) for d in batch_dirs for p in sorted((d / kind).glob("*.parquet"))]
    if not files:
        return pl.DataFrame(schema=KINDS[kind]).lazy()
    return pl.scan_parquet(files, schema=pl.Schema(KINDS[kind]))
