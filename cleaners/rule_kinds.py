"""What a rule is: `Scope` (where in the body), `Rule` (a pattern rule), `CodeRule` (a check in code)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

HEAD_LINES = 4
"""Lines at the top of the body where bylines, datelines and credits sit."""
TAIL_LINES = 6
"""Lines at the bottom of the body that count as its edge (sign-offs, footers, teasers)."""
LAST_LINES = 2
"""The very last lines: agency sign-offs such as "GIS" or "(AFP)"."""


class Scope(StrEnum):
    """Where in the body a pattern rule applies (`i` is the line's index, `n` the body's lines)."""

    ANY = "any"
    """Anywhere."""
    HEAD = "head"
    """Within the first HEAD_LINES lines (bylines, datelines, credits above the text)."""
    EDGE = "edge"
    """Within the first HEAD_LINES or the last TAIL_LINES lines."""
    LAST = "last"
    """Within the last LAST_LINES lines (agency sign-offs)."""
    LATE = "late"
    """In the second half of the body (section labels such as "Kontakt:" above a footer)."""
    CUT = "cut"
    """In the second half (not the first line); the line *and everything after it* is dropped
    (a comment section or "Related articles" list runs to the end of the page)."""

    @staticmethod
    def at(i: int, n: int) -> frozenset[Scope]:
        """The scopes that apply to line `i` of `n`."""
        return _scopes_at(i, n)


@lru_cache(maxsize=8192)
def _scopes_at(i: int, n: int) -> frozenset[Scope]:
    head, tail, late = i < HEAD_LINES, i >= n - TAIL_LINES, i >= n / 2
    out = {Scope.ANY}
    if head:
        out.add(Scope.HEAD)
    if head or tail:
        out.add(Scope.EDGE)
    if i >= n - LAST_LINES:
        out.add(Scope.LAST)
    if late:
        out.add(Scope.LATE)
        if i > 0:
            out.add(Scope.CUT)
    return frozenset(out)


_NAME = re.compile(r"^[a-z]+(?:\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Rule:
    """A pattern rule: drop a line of at most `max_words` words that `pattern` matches within `scope`."""

    name: str
    pattern: re.Pattern[str]
    max_words: int = 25
    scope: Scope = Scope.ANY
    metadata: bool = False
    """Byline/dateline rules: the match's `author`/`date` groups feed article metadata."""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} is not `family.variant` (lower case, dotted)")
        if not isinstance(self.scope, Scope):
            raise TypeError(f"rule {self.name}: scope must be a Scope, not {self.scope!r}")
        if self.max_words < 1:
            raise ValueError(f"rule {self.name}: max_words must be >= 1")

    def matches(self, line: str, n_words: int) -> re.Match[str] | None:
        """The match on `line` (of `n_words` words), or None."""
        if n_words > self.max_words:
            return None
        return self.pattern.search(line)


def any_of(*alternatives: str) -> str:
    """`(?:a|b|c)`: one slot filled by any of the alternatives (e.g. one word in several languages)."""
    return "(?:" + "|".join(alternatives) + ")"


def rule(
    name: str,
    *parts: str,
    max_words: int = 25,
    scope: Scope = Scope.ANY,
    metadata: bool = False,
    case_sensitive: bool = False,
) -> Rule:
    """A pattern rule whose regex is `parts` joined (case-insensitive unless `case_sensitive`)."""
    flags = re.UNICODE if case_sensitive else re.IGNORECASE | re.UNICODE
    return Rule(name, re.compile("".join(parts), flags), max_words, scope, metadata)


@dataclass(frozen=True)
class CodeRule:
    """A rule implemented as a check in code (registered here for the switch and the README)."""

    name: str
    what: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} is not `family.variant` (lower case, dotted)")
