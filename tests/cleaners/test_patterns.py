"""The pattern rules as data (cleaners/patterns.py): readable, one language a line, each one firing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from cleaners import patterns
from cleaners.patterns import RULES
from cleaners.rule_kinds import LANGUAGES

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


def _rule_calls() -> list[ast.Call]:
    tree = ast.parse(SOURCE)
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "rule"
    ]


def test_every_rule_fits_on_a_screen_of_source():
    calls = _rule_calls()
    assert len(calls) == len(RULES)
    long = {ast.literal_eval(c.args[0]): c.end_lineno - c.lineno + 1 for c in calls if c.end_lineno - c.lineno >= 50}
    assert long == {}, f"rules over 50 source lines: {long}"


_WORD = r"[^\W\d_]+(?: [^\W\d_]+)*"
_WORD_GROUP = re.compile(rf"\(\?:{_WORD}(?:\|{_WORD}){{3,}}\)")
"""`(?:a|b c|d|e)`: a group of four or more alternatives made only of words (letters and spaces)."""


def test_words_of_a_language_sit_in_words_slots_not_in_the_bare_pattern_text():
    """A bare string passed to `rule(...)` holds no group of four or more plain-word alternatives:
    words go in a `words(...)` slot, one language a keyword, where the rule records its languages."""
    bare = []
    for call in _rule_calls():
        name = ast.literal_eval(call.args[0])
        for arg in call.args[1:]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _WORD_GROUP.search(arg.value):
                bare.append((name, _WORD_GROUP.search(arg.value).group(0)))
    assert bare == []
    assert _WORD_GROUP.search(r"^(?:published|posted|veröffentlicht|publié)\s*:")  # what it catches


def test_rules_in_more_than_one_language_name_them_and_the_reference_lists_them():
    multi = [r for r in RULES if len(r.languages) > 1]
    assert len(multi) >= 50, len(multi)  # most rules know several languages
    assert all(r.languages <= set(LANGUAGES) for r in RULES)
    table = Path(patterns.__file__).parents[1].joinpath("docs", "rules.md").read_text()
    for r in multi:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{r.name}` |"))
        assert all(f" {lang}" in row for lang in r.languages), row
