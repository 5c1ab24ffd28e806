"""The temporary Prefect server (flows/server.py): answers, is shared process-wide, stops."""

from __future__ import annotations

import os
import urllib.request

from flows.server import TemporaryServer, process_api_url


def test_a_temporary_server_answers_and_is_gone_after_stop():
    server = TemporaryServer().ready()
    try:
        with urllib.request.urlopen(f"{server.api_url}/health", timeout=5) as resp:
            assert resp.status == 200
        proc = server.process
        assert proc is not None and proc.poll() is None
    finally:
        server.stop()
    assert proc.poll() is not None and server.process is None
    server.stop()  # twice is harmless


def _in_a_new_thread() -> str | None:
    """The API URL a thread without a settings context of its own reads (Prefect's log and event workers)."""
    import threading

    from prefect.context import SettingsContext

    seen: list[str | None] = []
    t = threading.Thread(target=lambda: seen.append(SettingsContext.get().settings.api.url))
    t.start()
    t.join()
    return seen[0]


def test_the_api_url_is_process_wide_while_set_and_restored_after(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = _in_a_new_thread()
    with process_api_url("http://127.0.0.1:9/api"):
        assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:9/api"
        assert _in_a_new_thread() == "http://127.0.0.1:9/api"
    assert "PREFECT_API_URL" not in os.environ
    assert _in_a_new_thread() == before
