"""What a rule is (cleaners/rule_kinds.py): scopes by position, validated names, joined patterns."""

from __future__ import annotations

import pytest

from cleaners.rule_kinds import HEAD_LINES, LAST_LINES, TAIL_LINES, CodeRule, Scope, any_of, rule


def test_scopes_follow_the_line_position():
    n = 20
    assert Scope.HEAD in Scope.at(0, n) and Scope.HEAD not in Scope.at(HEAD_LINES, n)
    assert Scope.EDGE in Scope.at(n - TAIL_LINES, n) and Scope.EDGE not in Scope.at(n // 2 - 1, n)
    assert Scope.LAST in Scope.at(n - LAST_LINES, n) and Scope.LAST not in Scope.at(n - LAST_LINES - 1, n)
    assert Scope.LATE in Scope.at(n // 2, n) and Scope.LATE not in Scope.at(n // 2 - 1, n)
    assert all(Scope.ANY in Scope.at(i, n) for i in range(n))


def test_a_rule_joins_its_parts_and_respects_its_word_limit():
    r = rule("share.row", "^", any_of("share", "teilen", "partager"), r"\s+on\s+\w+$", max_words=4)
    assert r.matches("Teilen on Facebook", 3) and r.matches("share on x", 3)
    assert r.matches("share on x", 5) is None  # longer lines are never boilerplate for this rule
    assert r.matches("shared on Monday at the council", 6) is None


@pytest.mark.parametrize("name", ["Share.row", "share", "share..row", "share.row!"])
def test_rule_names_must_be_dotted_lower_case(name):
    with pytest.raises(ValueError, match="family.variant"):
        rule(name, "x")
    with pytest.raises(ValueError, match="family.variant"):
        CodeRule(name, "a check")
