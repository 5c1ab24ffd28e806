"""Refresh the README's generated blocks (table contract, run parameters, rules): `python -m flows.readme`."""

from __future__ import annotations

from pathlib import Path

from cleaners.records import reject_table
from cleaners.rules import markdown_table as rules_table
from cleaners.schema import markdown as schema_markdown
from flows.params import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = {"schema": schema_markdown, "params": markdown_table, "rules": rules_table, "rejects": reject_table}


def refresh(text: str) -> str:
    """`text` with every `<!-- NAME:start -->...<!-- NAME:end -->` block regenerated."""
    for name, make in BLOCKS.items():
        block = f"<!-- {name}:start -->\n{make().strip()}\n<!-- {name}:end -->"
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, sep, rest = text.partition(start)
        if sep:
            text = head + block + rest.partition(end)[2]
    return text


if __name__ == "__main__":
    README.write_text(refresh(README.read_text()))
