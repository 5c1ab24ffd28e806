"""The house rules that keep the layout honest."""

import ast
import re

from cleaners import schema
from tests.conftest import ROOT


def test_cleaners_never_import_prefect_or_flows():
    for path in (ROOT / "cleaners").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                assert not n.startswith(("prefect", "flows")), f"{path.name} imports {n}"


def test_readme_documents_the_current_schema():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- schema:start -->\n(.*?)<!-- schema:end -->", readme, re.S)
    assert block, "README.md lacks the generated schema block"
    assert block.group(1).strip() == schema.markdown().strip(), "run `python -m flows.readme`"


def test_conform_rejects_drift():
    import polars as pl
    import pytest

    with pytest.raises(schema.SchemaError, match="missing"):
        schema.conform(pl.DataFrame({"doc_id": ["x"]}), "duplicates")
    df = schema.empty("rejects").vstack(
        pl.DataFrame(
            {
                "doc_id": ["a"],
                "source": ["s"],
                "source_id": [None],
                "locator": ["file"],
                "stage": ["read"],
                "reason": [None],
                "detail": [None],
                "raw_hash": [None],
                "run_id": ["r"],
            },
            schema=schema.REJECTS.schema,
        )
    )
    with pytest.raises(schema.SchemaError, match="nulls"):
        schema.conform(df, "rejects")


def test_readme_documents_the_current_parameters():
    from flows.params import markdown_table

    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- params:start -->\n(.*?)<!-- params:end -->", readme, re.S)
    assert block, "README.md lacks the generated parameter block"
    assert block.group(1).strip() == markdown_table().strip(), "run `python -m flows.readme`"
