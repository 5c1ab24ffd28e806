"""The rule registry: every boilerplate rule, pattern or code, by name, with one on/off switch.

Each rule has a stable dotted name `family.variant` that appears verbatim in
`removed_lines.rule`. Pattern rules (`RULES`) are data: a regex, the most words a line may
have (`max_words`: a long body sentence that merely mentions "subscribers" or "photo"
stays), where in the body it applies (`Scope`) and whether its `author`/`date` groups feed
the article's metadata. Code rules (`CODE_RULES`) are checks that need more than a regex
(the title, the byline, the page's markup, other pages of the site); each is named once in
`cleaners/code_rules.py`, implemented in `cleaners/lines.py` and `cleaners/sites.py`, and registered here, so one switch (`RuleSet`,
from `enabled_rules` / `disabled_rules` prefixes) turns any rule on or off and the README's
rule table is generated from this module.

To add a pattern rule: append a `rule(...)` to `cleaners/patterns.py` with a new dotted name, a pattern anchored
at the line start, the tightest `max_words` that still catches it, and a golden test in
`tests/cleaners/test_lines.py` with one line it must drop and one body sentence it must keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cleaners.code_rules import CODE_RULES, SITE_REPEATED
from cleaners.patterns import RULES
from cleaners.rule_kinds import HEAD_LINES, LANGUAGES, LAST_LINES, TAIL_LINES, CodeRule, Rule, Scope, rule

__all__ = [
    "ALL",
    "CODE_RULES",
    "HEAD_LINES",
    "LAST_LINES",
    "REGISTRY",
    "RULES",
    "SITE_RULE",
    "TAIL_LINES",
    "CodeRule",
    "Rule",
    "RuleSet",
    "Scope",
    "families",
    "markdown_table",
    "rule",
    "rule_set",
    "unknown_prefixes",
]

SITE_RULE = SITE_REPEATED.name
"""The rule `cleaners/sites.py` writes for lines repeated across a site's pages."""

_ENTRIES: tuple[Rule | CodeRule, ...] = (*RULES, *CODE_RULES)
REGISTRY: dict[str, Rule | CodeRule] = {r.name: r for r in _ENTRIES}
if len(REGISTRY) != len(RULES) + len(CODE_RULES):
    raise ValueError("duplicate rule names in the registry")


def _is_on(name: str, enabled: tuple[str, ...], disabled: tuple[str, ...]) -> bool:
    if enabled and not any(name.startswith(p) for p in enabled):
        return False
    return not any(name.startswith(p) for p in disabled)


@dataclass(frozen=True)
class RuleSet:
    """The one switch every stage reads: which rules are on, and the pattern rules among them."""

    on: frozenset[str]
    patterns: tuple[Rule, ...]

    def __contains__(self, name: object) -> bool:
        return name in self.on


@lru_cache(maxsize=64)
def rule_set(enabled: tuple[str, ...] = (), disabled: tuple[str, ...] = ()) -> RuleSet:
    """Rules whose names start with an enabled prefix (all if none given) and no disabled prefix."""
    on = frozenset(n for n in REGISTRY if _is_on(n, enabled, disabled))
    return RuleSet(on, tuple(r for r in RULES if r.name in on))


ALL = rule_set()
"""Every rule on (the default)."""


def unknown_prefixes(prefixes: list[str] | tuple[str, ...]) -> list[str]:
    """The prefixes that name no rule (for validating `enabled_rules` / `disabled_rules`)."""
    return [p for p in prefixes if not any(n.startswith(p) for n in REGISTRY)]


def families() -> list[str]:
    """Rule families (the part of each name before the first dot), sorted."""
    return sorted({n.split(".")[0] for n in REGISTRY})


_WHERE = {
    Scope.ANY: "anywhere",
    Scope.HEAD: f"first {HEAD_LINES} lines",
    Scope.EDGE: f"first {HEAD_LINES} / last {TAIL_LINES} lines",
    Scope.LAST: f"last {LAST_LINES} lines",
    Scope.LATE: "second half",
    Scope.CUT: "second half, cuts to the end",
}


def markdown_table() -> str:
    """The rules reference table: every rule, its kind, where it applies, its word limit and languages."""
    rows = ["| rule | kind | where | max words | languages | note |", "|---|---|---|---:|---|---|"]
    for r in RULES:
        note = "feeds author/date" if r.metadata else ""
        langs = " ".join(lang for lang in LANGUAGES if lang in r.languages) or "any"
        rows.append(f"| `{r.name}` | pattern | {_WHERE[r.scope]} | {r.max_words} | {langs} | {note} |")
    for c in CODE_RULES:
        rows.append(f"| `{c.name}` | code | | | any | {c.what} |")
    return "\n".join(rows) + "\n"
