"""No process outlives the command that started it: the temporary server and the worker processes.

A `newsclean run` killed with SIGKILL cannot clean up after itself, so its children watch for
it instead: the temporary Prefect server asks the kernel for SIGTERM when its parent dies
(Linux `PR_SET_PDEATHSIG`, set between fork and exec), and each worker process of the local
pool runs a watchdog thread that exits the worker once it has been re-parented.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

WATCH_SECONDS = 1.0
"""How often a worker process checks that the command that started it is still alive."""


def die_with_parent() -> None:
    """`preexec_fn` of a child process: SIGTERM to it when its parent dies, even by SIGKILL."""
    if sys.platform != "linux":
        return
    import ctypes

    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def watch_parent(parent: int) -> None:
    """Initializer of a worker process: exit it when `parent` (the pid of the process that
    started the pool, given by it) is no longer its parent.

    A thread, not `PR_SET_PDEATHSIG`: the kernel ties that signal to the *thread* that forked
    the child, and a process pool forks from whichever thread submits work. The pid comes from
    the parent, since a parent killed while the worker still imports has already been replaced
    by the time the initializer runs.
    """
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="newsclean-parent-watch", daemon=True).start()
