"""The table contract (cleaners/schema.py): frames conform to it or fail loudly."""

from cleaners import schema


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
                "page_type": [None],
                "page_type_score": [None],
                "run_id": ["r"],
            },
            schema=schema.REJECTS.schema,
        )
    )
    with pytest.raises(schema.SchemaError, match="nulls"):
        schema.conform(df, "rejects")
