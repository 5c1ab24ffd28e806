"""Helpers shared by the benchmarks: peak RSS, timing, BENCHMARKS.md sections."""

from __future__ import annotations

import contextlib
import json
import platform
import re
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(module: str, *args: str, timeout: int = 3600, env: dict[str, str] | None = None) -> dict:
    """Run `python -m module args` in a fresh process (own peak RSS); it prints one JSON line last.

    `env` adds variables to this process's environment (e.g. thread limits).
    """
    import os

    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    if out.returncode != 0:
        raise RuntimeError(f"{module} {args} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_section(name: str, body: str) -> None:
    """Replace (or append) the `## name` section of BENCHMARKS.md."""
    path = ROOT / "BENCHMARKS.md"
    text = (
        path.read_text()
        if path.exists()
        else "# Benchmarks\n\nEvery figure here was produced by the command shown with it.\n"
    )
    section = f"## {name}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^#{{1,2}} |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    path.write_text(text)


def publish(name: str, body: str, dry_run: bool = False) -> None:
    """Write section `name` of BENCHMARKS.md, or only print it (`--no-write`)."""
    if dry_run:
        print(body)
    else:
        write_section(name, body)


class PrefectServer:
    """A `prefect server start` on a free loopback port, for runs that should not pay the
    embedded server's start-up cost; stopped by its PID on exit."""

    def __enter__(self) -> PrefectServer:
        import os
        import socket
        import tempfile
        import time
        import urllib.request

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.home = tempfile.mkdtemp(prefix="prefect-home-")
        self.api = f"http://127.0.0.1:{port}/api"
        self.env = {
            **os.environ,
            "PREFECT_HOME": self.home,
            "PREFECT_API_URL": self.api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(180):
            try:
                urllib.request.urlopen(f"{self.api}/health", timeout=2)
                return self
            except OSError:
                time.sleep(1)
        raise RuntimeError("prefect server did not start")

    def __exit__(self, *exc) -> None:
        import os
        import shutil
        import signal

        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)
        shutil.rmtree(self.home, ignore_errors=True)


PROCESS_PEAKS: dict[str, float] = {}
"""After `run_measured`: peak RSS MB of each process of the tree, by its command line (first 80 chars)."""


def run_measured(
    cmd: list[str], env: dict, interval: float = 0.2, cwd: Path = ROOT, timeout: float | None = None
) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run cmd; return (wall seconds, peak RSS MB of its whole process tree, result).

    The peak of each single process is left in PROCESS_PEAKS. Past `timeout` seconds the whole
    tree is killed and the result's returncode is -9.
    """
    import time

    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    ps = psutil.Process(proc.pid)
    peak = 0
    per: dict[int, tuple[str, int]] = {}
    while proc.poll() is None:
        if timeout is not None and time.perf_counter() - t0 > timeout:
            for p in [*ps.children(recursive=True), ps]:
                with contextlib.suppress(psutil.Error):
                    p.kill()
            break
        try:
            tree = [ps, *ps.children(recursive=True)]
            total = 0
            for p in tree:
                with contextlib.suppress(psutil.Error):
                    rss = p.memory_info().rss
                    total += rss
                    name = " ".join(p.cmdline())[:80]
                    per[p.pid] = (name, max(rss, per.get(p.pid, ("", 0))[1]))
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(interval)
    out, err = proc.communicate()
    PROCESS_PEAKS.clear()
    for pid, (name, rss) in per.items():
        PROCESS_PEAKS[f"{pid} {name}"] = rss / 2**20
    return time.perf_counter() - t0, peak / 2**20, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def newsclean_run(
    inputs: list[Path], options: list[str], env: dict, code: Path = ROOT, warehouse: Path | None = None
) -> tuple[float, dict]:
    """Wall seconds and JSON summary of one `newsclean run` of the code at `code`, as a user runs it.

    Into `warehouse`, or a fresh temporary one that is removed afterwards.
    """
    import shutil
    import tempfile

    wh = warehouse or Path(tempfile.mkdtemp(prefix="wh-"))
    cmd = [sys.executable, "-m", "flows.cli", "run", *map(str, inputs), "--warehouse", str(wh), *options]
    try:
        wall, _, out = run_measured([*cmd, "--no-progress", "--json"], {**env, "PYTHONPATH": str(code)}, cwd=code)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        return wall, json.loads(out.stdout[out.stdout.index("{") :])
    finally:
        if warehouse is None:
            shutil.rmtree(wh, ignore_errors=True)
