"""Refresh the README's generated blocks (table contract, run parameters): `python -m flows.readme`."""

from __future__ import annotations

import re
from pathlib import Path

from cleaners.schema import markdown as schema_markdown
from flows.params import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = {"schema": schema_markdown, "params": markdown_table}


def refresh(text: str) -> str:
    """`text` with every `<!-- NAME:start -->...<!-- NAME:end -->` block regenerated."""
    for name, make in BLOCKS.items():
        text = re.sub(
            rf"<!-- {name}:start -->\n.*?<!-- {name}:end -->",
            lambda _m, make=make, name=name: f"<!-- {name}:start -->\n{make().strip()}\n<!-- {name}:end -->",
            text,
            flags=re.S,
        )
    return text


if __name__ == "__main__":
    README.write_text(refresh(README.read_text()))
