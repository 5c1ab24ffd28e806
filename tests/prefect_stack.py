"""A real Prefect stack for tests: `prefect server start` on a free port and `newsclean serve` processes.

Used by tests/ui (the UI in Chromium) and tests/e2e/test_unattended.py (alerts, catch-up).
Server services run on short loops (test speed only): the scheduler every 5 s, the foreman
(which marks a deployment NOT_READY when nothing polls it) every 3 s with a 10 s timeout.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start `cmd` in its own process group, output to `log`."""
    return subprocess.Popen(
        cmd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
    )


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a process we started, and its children, by its PID's process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class Stack:
    """`prefect server start` in a temporary PREFECT_HOME, and the `serve` processes of a test."""

    def __init__(self, tmp: Path, **env: str) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.ui = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PREFECT_HOME": str(tmp / "prefect-home"),
            "PREFECT_API_URL": self.api,
            "PREFECT_UI_API_URL": self.api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
            "PREFECT_SERVER_SERVICES_FOREMAN_LOOP_SECONDS": "3",
            "PREFECT_SERVER_SERVICES_FOREMAN_DEPLOYMENT_LAST_POLLED_TIMEOUT_SECONDS": "10",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
            **env,
        }
        self.procs: list[subprocess.Popen] = []
        self.serving: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> Stack:
        log = self.tmp / "server.log"
        cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        server = start(cmd, self.env, log)
        self.procs.append(server)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log.read_text()[-3000:]
            time.sleep(1)
        self.__exit__()
        pytest.fail("prefect server did not become healthy in 180 s")

    def __exit__(self, *exc: object) -> None:
        for p in reversed(self.procs):
            stop(p)

    def serve(self, name: str, *args: str, flow: str = "ingest") -> dict:
        """Start `newsclean serve --name NAME ARGS` and return its `flow` deployment once registered."""
        log = self.tmp / f"serve-{name}.log"
        if log.exists():  # a restarted serve: its own log
            log = self.tmp / f"serve-{name}-{len(self.procs)}.log"
        proc = start([sys.executable, "-m", "flows.cli", "serve", "--name", name, *args], self.env, log)
        self.procs.append(proc)
        self.serving[name] = proc
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            r = self.post(
                "/deployments/filter",
                {"deployments": {"name": {"any_": [name]}}, "flows": {"name": {"any_": [flow]}}},
            )
            if r.status_code == 200 and r.json() and "serving ingest/" in log.read_text():
                return r.json()[0]
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(1)
        pytest.fail(f"deployment {name} never appeared")

    def kill_serve(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop the `serve` of NAME the way an outage does (SIGKILL by default)."""
        stop(self.serving.pop(name), sig)

    def post(self, path: str, body: dict) -> httpx.Response:
        """POST to the API; a busy server (SQLite locked while the scheduler writes) is asked again."""
        for attempt in range(5):
            r = httpx.post(f"{self.api}{path}", json=body, timeout=30)
            if r.status_code < 500 and r.status_code != 409:
                return r
            time.sleep(1 + attempt)
        return r

    def create_run(self, dep_id: str, body: dict | None = None) -> dict:
        """Trigger a run of the deployment, as the UI's Run button does."""
        r = self.post(f"/deployments/{dep_id}/create_flow_run", body or {})
        assert r.status_code == 201, f"{r.status_code}: {r.text[:2000]}"
        return r.json()

    def runs_of(self, dep_id: str) -> list[dict]:
        """Every flow run of the deployment."""
        return self.post("/flow_runs/filter", {"deployments": {"id": {"any_": [dep_id]}}}).json()
