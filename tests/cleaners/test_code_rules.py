"""The code rules (cleaners/code_rules.py): each named once, each used by a check, all in the registry."""

from __future__ import annotations

import re
from pathlib import Path

import cleaners.code_rules as code_rules
import cleaners.lines as lines
import cleaners.markup as markup
import cleaners.rules as rules
import cleaners.sites as sites
from cleaners.code_rules import CODE_RULES, MARKUP
from cleaners.rule_kinds import CodeRule


def test_every_code_rule_is_named_once_and_used_by_a_check():
    consts = {k for k, v in vars(code_rules).items() if k.isupper() and isinstance(v, CodeRule)}
    checks = Path(lines.__file__).read_text() + Path(sites.__file__).read_text() + Path(rules.__file__).read_text()
    used = {k for k in consts if re.search(rf"\b{k}\b", checks)}
    assert consts - used == set(), "code rules no check uses"
    assert {m.name for m in code_rules.MARKUP.values()} <= {c.name for c in CODE_RULES}
    source = Path(code_rules.__file__).read_text() + checks
    by_kind = {c.name: kind for kind, c in code_rules.MARKUP.items()}
    for c in CODE_RULES:
        spelled = f'("{by_kind[c.name]}",' if c.name in by_kind else f'"{c.name}"'
        assert source.count(spelled) == 1, f"{c.name} is written {source.count(spelled)} times"


def test_the_registry_holds_every_code_rule_and_the_markup_rules_follow_the_markup_kinds():
    assert {c.name for c in CODE_RULES} <= set(rules.REGISTRY)
    assert all(rules.REGISTRY[c.name] is c for c in CODE_RULES)
    kinds = set(markup._ROLE.groupindex) | {kind for _, kind in markup._CONTAINERS}
    assert set(MARKUP) == kinds  # every hint kind markup.py records has its rule, and no rule lacks a kind
    assert code_rules.SITE_REPEATED.name == rules.SITE_RULE
