"""No process outlives `newsclean run`: one temporary Prefect server per command, gone at exit,
after SIGTERM and after SIGKILL (flows/lifetime.py, flows/server.py).

Each run is a real CLI process without PREFECT_API_URL, on an input large enough for several
work units on two worker processes. Its processes are found by a marker in their environment,
which every child inherits, so processes of other tests or commands are never counted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.e2e

MARK = "NEWSCLEAN_TEST_MARK"


def _corpus(folder: Path) -> Path:
    """Eight seed pages padded to ~300 KB each: several work units, so worker processes start."""
    folder.mkdir()
    pages = sorted((SEEDS / "other").glob("*.html")) + sorted((SEEDS / "syndicated").glob("*.html"))
    pad = "<!-- " + "x" * 998 + " -->\n"
    for i, page in enumerate(pages[:8]):
        (folder / f"page{i}.html").write_text(page.read_text() + pad * 300)
    return folder


def _start(tmp_path: Path, mark: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), MARK: mark}
    env.pop("PREFECT_API_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", str(_corpus(tmp_path / "in")), "--workers", "2", "--no-progress"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _marked(mark: str) -> list[psutil.Process]:
    out = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARK) == mark:
                out.append(proc)
        except (psutil.Error, OSError):
            continue
    return out


def _cmdline(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline())
    except psutil.Error:
        return ""


def _servers(procs: list[psutil.Process]) -> int:
    return sum("prefect.server" in _cmdline(p) or "uvicorn" in _cmdline(p) for p in procs)


def _workers(procs: list[psutil.Process]) -> int:
    return sum("spawn_main" in _cmdline(p) for p in procs)


def _gone(mark: str, seconds: float = 15.0) -> list[str]:
    """Command lines of the marked processes still alive after `seconds` (empty when all exited)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in _marked(mark) if p.status() != psutil.STATUS_ZOMBIE]
        if not left:
            return []
        time.sleep(0.5)
    return [_cmdline(p) for p in _marked(mark)]


def _wait_for_workers(proc: subprocess.Popen[str], mark: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if _workers(_marked(mark)) >= 1:
            return
        time.sleep(0.2)
    raise AssertionError("the run never started a worker process")


def test_a_multi_unit_run_uses_one_temporary_server_and_leaves_no_process(tmp_path):
    mark = uuid.uuid4().hex
    proc = _start(tmp_path, mark)
    most_servers = most_workers = 0
    while proc.poll() is None:
        procs = _marked(mark)
        most_servers = max(most_servers, _servers(procs))
        most_workers = max(most_workers, _workers(procs))
        time.sleep(0.2)
    out, err = proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    assert most_workers >= 1  # the run really went through worker processes
    assert most_servers == 1  # one server for the command, none started by workers or threads
    assert "Starting temporary server" not in err + out
    assert "unit 1/" in err and "8 articles" in out or "8 documents" in out
    assert _gone(mark) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_leaves_no_server_and_no_worker(tmp_path, sig):
    mark = uuid.uuid4().hex
    proc = _start(tmp_path, mark)
    _wait_for_workers(proc, mark)
    assert _servers(_marked(mark)) == 1
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if sig == signal.SIGTERM:
        assert proc.returncode == 130
        assert err.strip().splitlines()[-1].startswith("newsclean: interrupted")
    else:
        assert proc.returncode == -signal.SIGKILL
    assert _gone(mark) == []
