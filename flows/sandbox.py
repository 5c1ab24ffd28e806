"""The sandbox one document is cleaned in: a time limit, and no exception that escapes.

Whatever a page does to the parsers (takes too long, nests too deep, trips a library bug), it
becomes a `Reject` with its reason, and the batch goes on with the next document.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from cleaners.config import Settings
from cleaners.document import clean_document
from cleaners.records import CleanDoc, RawDoc, Reject, RejectReason, Stage


class _Timeout(BaseException):
    """A BaseException, like KeyboardInterrupt, so that a library's `except Exception:` (which
    trafilatura and htmldate use around optional steps) cannot swallow it."""


_REFIRE_SECONDS = 0.05


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _Timeout in this thread after `seconds` (SIGALRM; a no-op off the main thread,
    where signals cannot be delivered, e.g. on Dask's worker threads).

    The alarm re-fires every 50 ms until the block ends: a signal that lands where Python
    ignores exceptions (a finalizer, a callback) does not let the document run on unchecked.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    armed = [True]

    def _alarm(signum: int, frame: object) -> None:
        if armed[0]:
            raise _Timeout

    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        # Armed inside `try`: an alarm that fires at once (a tiny limit) still reaches `finally`.
        signal.setitimer(signal.ITIMER_REAL, seconds, _REFIRE_SECONDS)
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


def safe_clean(item: RawDoc, settings: Settings) -> CleanDoc | Reject:
    """clean_document under the time limit, with any exception turned into a reject."""
    try:
        with _time_limit(settings.limits.max_extract_seconds):
            return clean_document(item, settings)
    except _Timeout:
        return Reject(
            item.source,
            item.source_id,
            item.locator,
            Stage.EXTRACT,
            RejectReason.TIMEOUT,
            f"cleaning took longer than max_extract_seconds={settings.limits.max_extract_seconds}",
            item.key,
            item.raw_hash,
        )
    except RecursionError:
        return Reject(
            item.source,
            item.source_id,
            item.locator,
            Stage.EXTRACT,
            RejectReason.TOO_DEEP,
            "document nesting exceeds the parser's recursion limit",
            item.key,
            item.raw_hash,
        )
    except Exception as e:  # a bug or a library failure on one page must not sink the run
        return Reject(
            item.source,
            item.source_id,
            item.locator,
            Stage.EXTRACT,
            RejectReason.EXTRACT_ERROR,
            f"{type(e).__name__}: {e}"[:500],
            item.key,
            item.raw_hash,
        )
