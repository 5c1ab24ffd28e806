"""What a rule is (cleaners/rule_kinds.py): scopes by position, validated names, joined patterns."""

from __future__ import annotations

import pytest

from cleaners.rule_kinds import (
    HEAD_LINES,
    LANGUAGES,
    LAST_LINES,
    TAIL_LINES,
    CodeRule,
    Rule,
    Scope,
    any_of,
    rule,
    words,
)


def test_scopes_follow_the_line_position():
    n = 20
    assert Scope.HEAD in Scope.at(0, n) and Scope.HEAD not in Scope.at(HEAD_LINES, n)
    assert Scope.EDGE in Scope.at(n - TAIL_LINES, n) and Scope.EDGE not in Scope.at(n // 2 - 1, n)
    assert Scope.LAST in Scope.at(n - LAST_LINES, n) and Scope.LAST not in Scope.at(n - LAST_LINES - 1, n)
    assert Scope.LATE in Scope.at(n // 2, n) and Scope.LATE not in Scope.at(n // 2 - 1, n)
    assert all(Scope.ANY in Scope.at(i, n) for i in range(n))


def test_a_rule_joins_its_parts_and_respects_its_word_limit():
    r = rule("share.row", "^", words(en="share", de="teilen", fr="partager"), r"\s+on\s+\w+$", max_words=4)
    assert r.matches("Teilen on Facebook", 3) and r.matches("share on x", 3)
    assert r.matches("share on x", 5) is None  # longer lines are never boilerplate for this rule
    assert r.matches("shared on Monday at the council", 6) is None


@pytest.mark.parametrize("name", ["Share.row", "share", "share..row", "share.row!"])
def test_rule_names_must_be_dotted_lower_case(name):
    with pytest.raises(ValueError, match="family.variant"):
        rule(name, "x")
    with pytest.raises(ValueError, match="family.variant"):
        CodeRule(name, "a check")


def test_a_words_slot_is_one_group_of_every_language_and_the_rule_knows_its_languages():
    slot = words(en="share|post", de=("teilen", "posten"), other="x")
    assert slot == "(?:share|post|teilen|posten|x)"
    assert slot.languages == {"en", "de"}  # `other` is no language
    r = rule("share.row", "^", slot, "$|^", words(fr="partager"), any_of("y"), "?$")
    assert r.languages == {"en", "de", "fr"}
    assert r.matches("Posten", 1) and r.matches("partagery", 1) and not r.matches("posten sie", 2)
    assert rule("dateline.bare", r"^\d{4}$").languages == frozenset()


def test_a_slot_without_words_or_a_rule_of_an_unknown_language_fails_at_import():
    with pytest.raises(ValueError, match="at least one"):
        words()
    with pytest.raises(ValueError, match="at least one"):
        any_of()
    assert "xx" not in LANGUAGES
    with pytest.raises(ValueError, match="unknown languages"):
        Rule("share.row", rule("share.row", "x").pattern, languages=frozenset({"xx"}))
