"""Refresh the generated blocks of the README and docs/ (contract, parameters, rules, rejects).

    python -m flows.readme

Each `<!-- NAME:start -->...<!-- NAME:end -->` block in the files below is regenerated from the
code that owns it; tests fail when a page drifts from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cleaners.records import reject_table
from cleaners.rules import markdown_table as rules_table
from cleaners.schema import markdown as schema_markdown
from flows.params import markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCKS: dict[str, Callable[[], str]] = {
    "schema": schema_markdown,
    "params": markdown_table,
    "rules": rules_table,
    "rejects": reject_table,
}
PAGES = {
    "schema": "docs/tables.md",
    "params": "docs/parameters.md",
    "rules": "docs/rules.md",
    "rejects": "docs/rejects.md",
}
"""Which page holds each generated block."""


def block(name: str) -> str:
    """The generated block `name`, with its markers."""
    return f"<!-- {name}:start -->\n{BLOCKS[name]().strip()}\n<!-- {name}:end -->"


def refresh(text: str) -> str:
    """`text` with every `<!-- NAME:start -->...<!-- NAME:end -->` block regenerated."""
    for name in BLOCKS:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, sep, rest = text.partition(start)
        if sep:
            text = head + block(name) + rest.partition(end)[2]
    return text


def main() -> None:
    """Rewrite every page that holds a generated block."""
    for page in {ROOT / p for p in PAGES.values()} | {README}:
        if page.exists():
            page.write_text(refresh(page.read_text()))


if __name__ == "__main__":
    main()
