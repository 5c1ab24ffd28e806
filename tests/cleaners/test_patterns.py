"""The pattern rules as data (cleaners/patterns.py): readable, one language a line, each one firing."""

from __future__ import annotations

from pathlib import Path

from cleaners import patterns
from cleaners.patterns import RULES

SOURCE = Path(patterns.__file__).read_text()


def test_every_pattern_rule_compiles_and_no_pattern_is_longer_than_a_screen():
    for r in RULES:
        assert r.pattern.pattern, r.name
        assert len(r.pattern.pattern) <= 1600, f"{r.name}: {len(r.pattern.pattern)} characters"


def test_no_source_line_of_the_patterns_is_longer_than_the_line_limit():
    long = [i + 1 for i, line in enumerate(SOURCE.splitlines()) if len(line) > 120]
    assert long == [], f"lines over 120 characters: {long[:10]}"


def test_each_rule_name_is_written_once_in_the_patterns():
    for r in RULES:
        assert SOURCE.count(f'"{r.name}"') == 1, r.name
