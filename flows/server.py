"""A temporary Prefect server for one `newsclean run`, started before Prefect is even imported.

Prefect's own `SubprocessASGIServer` imports the whole server package into the calling process
(~5 s here) before it launches the server process (~6 s more). This launcher starts the same
server process (uvicorn with `prefect.server.api.server:create_app`, UI off, ephemeral) from
the first line of the command, so its start-up runs on the other core while the CLI imports
Prefect and the pipeline; `ready()` then waits for its health check.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HEALTH_TIMEOUT_SECONDS = 120.0


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TemporaryServer:
    """One Prefect API server process on a free local port (stopped by `stop`, or at exit)."""

    def __init__(self) -> None:
        spec = importlib.util.find_spec("prefect")
        if spec is None or spec.origin is None:
            raise RuntimeError("prefect is not installed")
        self.port = _free_port()
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(Path(spec.origin).parent.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env=env,
        )

    @property
    def api_url(self) -> str:
        """The server's API address (for PREFECT_API_URL)."""
        return f"http://127.0.0.1:{self.port}/api"

    def ready(self, timeout: float = HEALTH_TIMEOUT_SECONDS) -> TemporaryServer:
        """Wait until the server answers its health check; raise if it exited or timed out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise RuntimeError(f"the temporary Prefect server exited during start-up (exit code {code})")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as resp:
                    if resp.status == 200 and json.loads(resp.read() or b"true") is not False:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the temporary Prefect server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """Terminate the server process (kill it after 5 s)."""
        proc, self.process = self.process, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
