"""Shared fixtures: one Prefect test harness per session (the server start costs ~13 s)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def pytest_collection_modifyitems(config, items):
    """Tests under tests/e2e/ are marked `e2e` (Prefect, the CLI as a process), under tests/ui/ `ui`."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
        if "ui" in parts:
            item.add_marker(pytest.mark.ui)


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of seeds/ (tests may add or touch files)."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


def run_ingest(inputs, warehouse, **kw) -> dict:
    from flows.pipeline import ingest

    return ingest(
        params={"inputs": [str(i) for i in inputs], "warehouse": str(warehouse), "workers": kw.pop("workers", 1), **kw}
    )


def table_glob(wh, table: str) -> str:
    """The glob a reader uses for a table: through `current`, internal tables under `_internal/`."""
    from cleaners.schema import TABLES

    return f"{wh}/current/{table}/*.parquet" if TABLES[table].public else f"{wh}/current/_internal/{table}/*.parquet"


def unprivileged(cmd: list[str]) -> list[str]:
    """`cmd` run where file permissions apply: as root, without the capabilities that bypass them."""
    if os.getuid() != 0:
        return cmd
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--", *cmd]
