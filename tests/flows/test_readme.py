"""Generated documentation (flows/readme.py): each page holds the block its code generates."""

from __future__ import annotations

import pytest

from flows.readme import PAGES, block, refresh
from tests.conftest import ROOT


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_generated_block_is_current_in_its_page(name):
    text = (ROOT / PAGES[name]).read_text()
    assert block(name) in text, f"{PAGES[name]} drifted from the code: run `python -m flows.readme`"


def test_refresh_rewrites_a_stale_block_and_leaves_the_rest():
    stale = "intro\n<!-- rejects:start -->\nold table\n<!-- rejects:end -->\noutro\n"
    fresh = refresh(stale)
    assert fresh.startswith("intro\n") and fresh.endswith("\noutro\n") and "old table" not in fresh
    assert block("rejects") in fresh and refresh(fresh) == fresh


def test_the_readme_stays_short_and_links_every_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 300
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{page.name}" in readme, page.name
