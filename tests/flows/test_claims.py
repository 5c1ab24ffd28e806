"""Claims (flows/claims.py): what a killed run left is removed by recovery, what a live run uses is kept."""

from __future__ import annotations

import socket
import subprocess
import sys

from flows import claims
from flows.warehouse import BATCHES, SCRATCH, Warehouse


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_recovery_removes_a_dead_runs_scratch_and_batches_and_keeps_a_live_ones(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    dead = f"{socket.gethostname()} {_dead_pid()}"
    live = wh.scratch("live-run")  # this process: alive
    gone = wh.root / SCRATCH / "killed-run"
    gone.mkdir(parents=True)
    (gone / claims.OWNER).write_text(dead)
    batches = wh.root / BATCHES
    kept, orphan, shared = batches / "k1", batches / "k2", batches / "k3"
    for d in (kept, orphan, shared):
        (d / "docs").mkdir(parents=True)
    claims.claim(kept, "live-run")
    (claims.claims_of(orphan)).mkdir()
    (claims.claims_of(orphan) / "killed-run").write_text(dead)
    (claims.claims_of(shared)).mkdir()
    (claims.claims_of(shared) / "killed-run").write_text(dead)
    (claims.claims_of(shared) / "other-host").write_text("elsewhere.example 1")  # another machine: alive
    half = batches / f"k4.tmp-{_dead_pid()}-abcd1234"
    half.mkdir()
    (wh.root / "notes.txt").write_text("mine")
    removed = set(wh.recover())
    assert removed == {f"{SCRATCH}/killed-run", f"{BATCHES}/k2", f"{BATCHES}/k2.runs", f"{BATCHES}/{half.name}"}
    assert live.exists() and kept.exists() and shared.exists() and (wh.root / "notes.txt").exists()


def test_release_removes_outputs_only_when_no_live_run_claims_them(tmp_path):
    batch = tmp_path / "_batches" / "k"
    (batch / "docs").mkdir(parents=True)
    claims.claim(batch, "a")
    claims.claim(batch, "b")
    claims.release(batch, "a")
    assert batch.exists()  # "b" (this process too) still uses it
    claims.release(batch, "b")
    assert not batch.exists() and not claims.claims_of(batch).exists()
