"""Run parameters (flows/params.py, cleaners/config.py): one default and one bound for CLI, form and docs."""

from __future__ import annotations

import pytest


def test_a_knob_has_one_default_and_one_bound_that_config_cli_and_form_share():
    from cleaners.config import ConfigError, DedupConfig, ExtractConfig, knob_info
    from flows.params import IngestParams, ParameterError, validate

    with pytest.raises(ConfigError, match=r"DedupConfig.threshold must be <= 1.0, got 1.5"):
        DedupConfig(threshold=1.5)
    with pytest.raises(ConfigError, match=r"ExtractConfig.min_words must be >= 0"):
        ExtractConfig(min_words=-1)
    schema = IngestParams.model_json_schema()["properties"]
    for cls, name in [(DedupConfig, "threshold"), (ExtractConfig, "min_words")]:
        default, description, _, bounds = knob_info(cls, name)
        assert schema[name]["default"] == default and schema[name]["description"].startswith(description)
        for op, key in [("gt", "exclusiveMinimum"), ("ge", "minimum"), ("le", "maximum")]:
            if op in bounds:
                assert schema[name][key] == bounds[op]
    with pytest.raises(ParameterError, match="threshold"):
        validate({"threshold": 1.7})


def test_the_form_groups_its_fields_common_first_with_titles_in_words():
    from flows.params import GROUPS, IngestParams

    props = IngestParams.model_json_schema()["properties"]
    groups = [p["group"] for p in props.values()]
    assert list(dict.fromkeys(groups)) == list(GROUPS)  # each group's fields together, in GROUPS order
    assert list(props)[:2] == ["inputs", "warehouse"]
    assert props["batch_mb"]["title"] == "Work units · Largest work unit (MB)"
    assert props["threshold"]["title"].startswith("Near-duplicates · Similarity threshold")
    assert all(" · " in p["title"] and "_" not in p["title"] for p in props.values())
