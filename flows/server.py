"""A temporary Prefect server for one `newsclean run`, started before Prefect is even imported.

Prefect's own `SubprocessASGIServer` imports the whole server package into the calling process
(~5 s here) before it launches the server process (~6 s more). This launcher starts the same
server process (uvicorn with `prefect.server.api.server:create_app`, UI off, ephemeral) from
the first line of the command, so its start-up runs on the other core while the CLI imports
Prefect and the pipeline; `ready()` then waits for its health check.

Temporary servers of concurrent commands share Prefect's database (`PREFECT_HOME`), and two
that migrate it at the same moment can fail ("index ... already exists"); so a server's
start-up holds a lock in `PREFECT_HOME` until it answers, and a second command's server starts
when the first one's is up.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from flows.lifetime import die_with_parent

HEALTH_TIMEOUT_SECONDS = 120.0
STARTUP_LOCK_SECONDS = 60.0
"""Longest wait for another command's server to finish starting before starting regardless."""


def _lock_startup() -> int | None:
    """Take the start-up lock in PREFECT_HOME (waits while another command's server starts)."""
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(home / ".newsclean-server-start.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None  # no lock where PREFECT_HOME is not writable; Prefect reports that itself
    deadline = time.monotonic() + STARTUP_LOCK_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                return None  # a stuck holder must not stop this command: start unserialised
            time.sleep(0.1)


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
        self._startup_lock: int | None = _lock_startup()
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
            preexec_fn=die_with_parent,
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
                self._release_startup()
                raise RuntimeError(f"the temporary Prefect server exited during start-up (exit code {code})")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as resp:
                    if resp.status == 200 and json.loads(resp.read() or b"true") is not False:
                        self._release_startup()
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the temporary Prefect server did not answer within {timeout:.0f} s")

    def _release_startup(self) -> None:
        fd, self._startup_lock = self._startup_lock, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its flock

    def stop(self) -> None:
        """Terminate the server process (kill it after 5 s)."""
        self._release_startup()
        proc, self.process = self.process, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_prefect_server() -> TemporaryServer | None:
    """Launch a temporary Prefect server now, unless PREFECT_API_URL is set in the environment.

    Called before Prefect is imported, so the server boots while the CLI imports; `prefect_api`
    stops it again if a Prefect profile turns out to name a server.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    return TemporaryServer()


@contextlib.contextmanager
def prefect_api(starting: TemporaryServer | None = None) -> Iterator[None]:
    """The configured Prefect API, or one temporary server for this whole command.

    Without PREFECT_API_URL, Prefect would start a temporary server of its own in every place
    that does not see the address: each worker process, and each thread of the flow's process
    that carries no settings context (the process pool's log and event forwarding). So the one
    server's address goes into the process environment and Prefect's process-global settings,
    which every thread reads and every worker process inherits, and the server is stopped when
    the block ends (`flows.lifetime` covers a killed command). Pass the result of
    `start_prefect_server()` to overlap the server's start-up with other work.
    """
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        if starting is not None:
            starting.stop()  # a profile names a server: the early one is not needed
        yield
        return
    server = (starting or TemporaryServer()).ready()
    try:
        with process_api_url(server.api_url):
            try:
                yield
            finally:
                # Send the last logs and events while the server is still up.
                from prefect.events.worker import EventsWorker
                from prefect.logging.handlers import APILogWorker

                APILogWorker.drain_all(timeout=10)
                EventsWorker.drain_all(timeout=10)
    finally:
        server.stop()


@contextlib.contextmanager
def process_api_url(url: str) -> Iterator[None]:
    """PREFECT_API_URL for every thread of this process and every process it starts, restored after.

    The environment variable reaches spawned workers; Prefect's process-global settings context,
    rebuilt from it, reaches threads that carry no context of their own. Both are put back as
    they were (the previous global context object itself, not one rebuilt from the environment).
    """
    import prefect.context as pc

    old_env, old_global = os.environ.get("PREFECT_API_URL"), pc.GLOBAL_SETTINGS_CONTEXT
    os.environ["PREFECT_API_URL"] = url
    pc.refresh_global_settings_context()
    try:
        yield
    finally:
        if old_env is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = old_env
        pc.GLOBAL_SETTINGS_CONTEXT = old_global
