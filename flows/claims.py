"""Claims: which process owns a folder of the warehouse while a run works (batch outputs, scratch).

A claim is a small file holding `host pid`. A folder whose claims all belong to processes that
are gone was left by a killed run: `Warehouse.recover` removes it, and nothing else removes
a folder another live run may still use. A claim from another host counts as alive.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

CLAIMS_SUFFIX = ".runs"
"""`_batches/<key>.runs/<run_id>`: the runs using batch outputs `_batches/<key>`."""
OWNER = "_owner"
"""`_scratch/<run_id>/_owner`: the process of that run."""


def stamp() -> str:
    """This process as a claim's content."""
    return f"{socket.gethostname()} {os.getpid()}"


def alive(claim: Path) -> bool:
    """Whether the process that wrote a claim may still be running (a crashed run's claim is stale)."""
    try:
        host, pid = claim.read_text().split()
        if host != socket.gethostname():
            return True  # another machine's run: assume alive
        os.kill(int(pid), 0)
    except (ProcessLookupError, FileNotFoundError):
        return False
    except (OSError, ValueError):
        return True
    return True


def claims_of(batch: Path) -> Path:
    """The folder of claims on a batch's outputs."""
    return batch.with_name(batch.name + CLAIMS_SUFFIX)


def claim(batch: Path, run_id: str) -> None:
    """Mark batch outputs as used by this run, so a concurrent run with the same inputs keeps them."""
    d = claims_of(batch)
    d.mkdir(parents=True, exist_ok=True)
    (d / run_id).write_text(stamp())


def release(batch: Path, run_id: str) -> None:
    """Drop this run's claim; the outputs go when no live run claims them."""
    d = claims_of(batch)
    (d / run_id).unlink(missing_ok=True)
    if not d.is_dir() or not any(alive(c) for c in d.iterdir()):
        shutil.rmtree(batch, ignore_errors=True)
        shutil.rmtree(d, ignore_errors=True)


def abandoned_batches(batches: Path) -> list[Path]:
    """Batch outputs (and half-written `.tmp-<pid>-*` ones) that no live process owns."""
    if not batches.is_dir():
        return []
    out = []
    for d in sorted(batches.iterdir()):
        if d.name.endswith(CLAIMS_SUFFIX):
            if not d.with_name(d.name.removesuffix(CLAIMS_SUFFIX)).exists() and not any(alive(c) for c in d.iterdir()):
                out.append(d)
            continue
        if ".tmp-" in d.name:
            pid = d.name.split(".tmp-", 1)[1].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                out.append(d)
            continue
        cl = claims_of(d)
        if not cl.is_dir() or not any(alive(c) for c in cl.iterdir()):
            out.extend(p for p in (d, cl) if p.exists())
    return out


def abandoned_scratch(scratch: Path) -> list[Path]:
    """Scratch folders of runs whose process is gone (or that recorded none within a minute)."""
    if not scratch.is_dir():
        return []
    now = time.time()
    return [
        d
        for d in sorted(scratch.iterdir())
        if d.is_dir() and (alive(d / OWNER) is False if (d / OWNER).exists() else now - d.stat().st_mtime > 60)
    ]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
