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


LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "pl")
"""The languages a pattern rule's words may be given in (ISO 639-1), in the order they are written."""

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
    languages: frozenset[str] = frozenset()
    """The languages its words are given in (empty: language-neutral, such as a date or a URL)."""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} is not `family.variant` (lower case, dotted)")
        if not isinstance(self.scope, Scope):
            raise TypeError(f"rule {self.name}: scope must be a Scope, not {self.scope!r}")
        if self.max_words < 1:
            raise ValueError(f"rule {self.name}: max_words must be >= 1")
        if unknown := self.languages - set(LANGUAGES):
            raise ValueError(f"rule {self.name}: unknown languages {sorted(unknown)}")

    def matches(self, line: str, n_words: int) -> re.Match[str] | None:
        """The match on `line` (of `n_words` words), or None."""
        if n_words > self.max_words:
            return None
        return self.pattern.search(line)


Words = str | tuple[str, ...]
"""One alternative, or several."""


class Slot(str):
    """A regex slot `(?:a|b|c)` that remembers which languages its alternatives were given in."""

    languages: frozenset[str]

    def __new__(cls, pattern: str, languages: frozenset[str]) -> Slot:
        """The slot's pattern text, carrying `languages`."""
        out = super().__new__(cls, pattern)
        out.languages = languages
        return out


def any_of(*alternatives: str) -> Slot:
    """`(?:a|b|c)`: one slot filled by any of the alternatives, none of them tied to a language."""
    if not alternatives:
        raise ValueError("any_of needs at least one alternative")
    return Slot("(?:" + "|".join(alternatives) + ")", frozenset())


def words(
    *,
    en: Words = (),
    de: Words = (),
    fr: Words = (),
    es: Words = (),
    it: Words = (),
    pt: Words = (),
    pl: Words = (),
    other: Words = (),
) -> Slot:
    """`(?:...)`: one slot filled by any of the words, given one language a line.

    `other` holds alternatives of no one language (numbers, brand names). The slot records the
    languages it covers, so the rules reference can say which languages each rule knows.
    """
    given = {"en": en, "de": de, "fr": fr, "es": es, "it": it, "pt": pt, "pl": pl, "other": other}
    alternatives: list[str] = []
    languages: set[str] = set()
    for lang, alts in given.items():
        items = (alts,) if isinstance(alts, str) else alts
        if items and lang != "other":
            languages.add(lang)
        alternatives.extend(items)
    if not alternatives:
        raise ValueError("words needs at least one alternative")
    return Slot("(?:" + "|".join(alternatives) + ")", frozenset(languages))


def rule(
    name: str,
    *parts: str,
    max_words: int = 25,
    scope: Scope = Scope.ANY,
    metadata: bool = False,
    case_sensitive: bool = False,
) -> Rule:
    """A pattern rule whose regex is `parts` joined (case-insensitive unless `case_sensitive`).

    The rule knows the languages of the `words(...)` slots among its parts.
    """
    flags = re.UNICODE if case_sensitive else re.IGNORECASE | re.UNICODE
    languages = frozenset().union(*(p.languages for p in parts if isinstance(p, Slot)))
    return Rule(name, re.compile("".join(parts), flags), max_words, scope, metadata, languages)


@dataclass(frozen=True)
class CodeRule:
    """A rule implemented as a check in code (registered here for the switch and the README)."""

    name: str
    what: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} is not `family.variant` (lower case, dotted)")
