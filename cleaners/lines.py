"""Strip boilerplate lines of one document: the pattern rules and the code rules of the registry.

`strip_lines` is the per-document pass; lines repeated across a site's pages are
`cleaners/sites.py`. Which rules run is one `RuleSet` (`cleaners/rules.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cleaners.code_rules import (
    BYLINE_BIO,
    BYLINE_REPEAT,
    BYLINE_SIGNOFF,
    JUNK_LABELS,
    JUNK_NO_TEXT,
    MARKUP,
    MARKUP_TEASER,
    META_KICKER,
    TITLE_HEADLINE,
    TITLE_REPEAT,
)
from cleaners.markup import MIN_LINK_WORDS, NO_MARKUP, Markup
from cleaners.records import RemovedLine
from cleaners.rule_kinds import CodeRule
from cleaners.rules import ALL, HEAD_LINES, LAST_LINES, TAIL_LINES, Rule, RuleSet, Scope


@dataclass(frozen=True, slots=True)
class Stripped:
    """The kept lines (with their original positions), the removed ones, and metadata found."""

    kept: list[str]
    positions: list[int]
    removed: list[RemovedLine]
    author: str | None = None
    date: str | None = None


def _same_title(line: str, title: str | None) -> str | None:
    """'exact' when the line is the title, 'trail' when it is the title plus a site/section trail."""
    if not title:
        return None
    a, b = line.casefold().strip(" .:|"), title.casefold().strip(" .:|")
    if a == b:
        return "exact"
    # "Headline | Section | Site | 23.05.2011": the headline plus a short trail of separators.
    if (
        len(b) > 20
        and a.startswith(b)
        and len(a) <= len(b) + 60
        and a[len(b) :].lstrip()[:1] in {"|", "-", "–", "—", ":", "•", "/"}
    ):
        return "trail"
    return None


TEASER_MIN_WORDS = MIN_LINK_WORDS
TEASER_MAX_WORDS = 30


def _teaser(line: str, n_words: int, markup: Markup, is_list: bool) -> bool:
    """A headline-shaped line that is a whole link: a teaser for another page.

    List items are left alone: a list of links inside an article is usually its content.
    """
    if not (TEASER_MIN_WORDS <= n_words <= TEASER_MAX_WORDS):
        return False
    if is_list or line.endswith((".", ";", ",")) or "://" in line or "@" in line:
        return False
    return markup.is_link(line)


MAX_PASSES = 20
BIO_MIN_WORDS = 8
BIO_MAX_WORDS = 120
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.IGNORECASE)


def _author_names(author: str | None) -> tuple[str, ...]:
    """Case-folded full names (two or more words) from a byline like 'Jane Roe and John Doe'."""
    if not author:
        return ()
    names = (n.strip(" .").casefold() for n in _NAME_SPLIT.split(author))
    return tuple(n + " " for n in names if n.count(" ") >= 1 and len(n) <= 60)


def _markup_rule(line: str, n_words: int, in_tail: bool, markup: Markup, is_list: bool = False) -> CodeRule | None:
    if markup is NO_MARKUP:
        return None
    # A one-word line may be a fragment of a paragraph that trafilatura split at a link;
    # inside a pop-up even one word ("Login", "Rationale") is furniture.
    kind = markup.hint(line)
    if n_words < 2 and kind != "popup":
        kind = None
    if kind in MARKUP:
        return MARKUP[kind]
    if in_tail and _teaser(line, n_words, markup, is_list):
        return MARKUP_TEASER
    return None


_SIGNOFF = re.compile(
    r"^[–—]\s*(?P<author>[A-Z\u00c0-\u017f][\w.'\u2019-]+(?:\s+[A-Z\u00c0-\u017f][\w.'\u2019-]+){0,3})\s*$"
)
_EMPTY_LABEL = re.compile(r"^[^\s:]{1,25}(?: [^\s:]{1,25}){0,2}\s?:$")
LABEL_RUN = 4


def _label_runs(lines: list[str]) -> set[int]:
    """Indexes of lines in runs of 4+ consecutive empty labels ("PP:", "FI slug:"): a form or a
    template's unfilled fields, not a heading (a heading has text after it)."""
    out: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if i < len(lines) and _EMPTY_LABEL.match(line):
            run.append(i)
            continue
        if len(run) >= LABEL_RUN:
            out.update(run)
        run = []
    return out


_LIST_MARK = re.compile(r"^(?:[-–—•·*]\s*)+(?=\S)")


def _probe(line: str) -> str:
    """The text rules look at: table bars and leading list marks removed ("| a |", "- - a")."""
    if line.startswith("|"):
        line = line.strip(" |")
    return _LIST_MARK.sub("", line)


def strip_lines(
    lines: list[str],
    title: str | None,
    rules: RuleSet = ALL,
    markup: Markup = NO_MARKUP,
    keep_headline: bool = False,
    byline: str | None = None,
) -> Stripped:
    """Drop boilerplate lines; bylines/datelines found on the way become metadata.

    `markup` (from the page's HTML, when there was HTML) adds element-level evidence: a line
    that is a whole caption/credit/newsletter/related/share element, or a headline-shaped
    whole link in the tail. `byline` (the page's author metadata) marks the author's name
    standing alone near the top and the author's bio at the bottom.

    Some rules depend on a line's place (head, tail, second half), and removing lines moves
    the others; passes repeat on the kept lines until nothing more goes, so stripping is
    idempotent. Never adds text: the kept lines are a subsequence of `lines`.
    """
    out = _strip_once(lines, title, rules.patterns, rules.on, markup, keep_headline, byline)
    # A kept line already failed every position-free rule; later passes only re-try the rules
    # whose answer depends on where the line now sits.
    placed = tuple(r for r in rules.patterns if r.scope is not Scope.ANY)
    for _ in range(MAX_PASSES - 1):  # bounded: a pathological page cannot loop for long
        if not (out.removed and out.kept):
            break
        again = _strip_once(out.kept, title, placed, rules.on, markup, keep_headline, byline or out.author)
        if not again.removed:
            break
        removed = out.removed + [RemovedLine(out.positions[r.position], r.line, r.rule) for r in again.removed]
        removed.sort(key=lambda r: r.position)
        out = Stripped(
            again.kept,
            [out.positions[p] for p in again.positions],
            removed,
            out.author or again.author,
            out.date or again.date,
        )
    return out


@dataclass(slots=True)
class _Pass:
    """What the checks of one pass see (the page) and what they found so far (metadata)."""

    lines: list[str]
    title: str | None
    byline: str | None
    names: tuple[str, ...]
    markup: Markup
    labels: set[int]
    author: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class _Line:
    """One line as the checks see it: its index, text, probe (list marks off), words and place."""

    i: int
    n: int
    line: str
    probe: str
    n_words: int
    in_head: bool
    in_tail: bool


Check = Callable[[_Pass, _Line], CodeRule | None]
"""A code rule's check: the rule that drops the line, or None."""


def _junk_labels(p: _Pass, ln: _Line) -> CodeRule | None:
    """A line in a run of 4+ empty labels."""
    return JUNK_LABELS if ln.i in p.labels else None


def _junk_no_text(p: _Pass, ln: _Line) -> CodeRule | None:
    """ "- /", "***", "|  |": no letter or digit in the line."""
    return None if any(ch.isalnum() for ch in ln.probe) else JUNK_NO_TEXT


def _byline_repeat(p: _Pass, ln: _Line) -> CodeRule | None:
    """The byline author's name alone above the text."""
    if ln.in_head and p.byline and ln.n_words <= 6 and _is_author(ln.probe, p.byline, p.names):
        return BYLINE_REPEAT
    return None


def _byline_signoff(p: _Pass, ln: _Line) -> CodeRule | None:
    """ "– David Dunkley" under the last paragraph: the reporter's sign-off (kept as the author)."""
    if ln.i >= ln.n - LAST_LINES and (m := _SIGNOFF.match(ln.line)):
        p.author = p.author or m.group("author")
        return BYLINE_SIGNOFF
    return None


def _byline_bio(p: _Pass, ln: _Line) -> CodeRule | None:
    """ "Jane Roe is a reporter covering ...": the byline author's bio under the article."""
    if ln.in_tail and BIO_MIN_WORDS <= ln.n_words <= BIO_MAX_WORDS:
        p.names = p.names or _author_names(p.author)
        folded = ln.probe.casefold()
        if any(folded.startswith(nm) for nm in p.names):
            return BYLINE_BIO
    return None


KICKER_RUN = 3
"""Most short labels stacked above the headline ("Home ›", "Economy") that count as kickers."""
KICKER_MAX_WORDS = 3
"""Longest line, in words, that is a kicker (a section label, not a sentence)."""


def _meta_kicker(p: _Pass, ln: _Line) -> CodeRule | None:
    """ "Negocios" / "Politics" right above the headline (or above another such label that is)."""
    if not (ln.in_head and ln.n_words <= KICKER_MAX_WORDS):
        return None
    for j in range(ln.i + 1, min(ln.i + KICKER_RUN + 1, ln.n)):
        if _same_title(p.lines[j], p.title) == "exact":
            return META_KICKER
        if len(p.lines[j].split()) > KICKER_MAX_WORDS:
            return None
    return None


def _by_markup(p: _Pass, ln: _Line) -> CodeRule | None:
    """The line is a whole caption/credit/... element, or a teaser link in the tail (`markup.*`)."""
    return _markup_rule(ln.probe, ln.n_words, ln.in_tail, p.markup, is_list=_LIST_MARK.match(ln.line) is not None)


BEFORE_PATTERNS: tuple[tuple[CodeRule, Check], ...] = (
    (JUNK_LABELS, _junk_labels),
    (JUNK_NO_TEXT, _junk_no_text),
    (BYLINE_REPEAT, _byline_repeat),
    (BYLINE_SIGNOFF, _byline_signoff),
    (BYLINE_BIO, _byline_bio),
)
"""Code rules tried on a line before the pattern rules, in this order (the first that fires drops it)."""
AFTER_PATTERNS: tuple[Check, ...] = (_meta_kicker, _by_markup)
"""Code rules tried after the pattern rules (`_by_markup` returns any of the `markup.*` rules)."""


def _strip_once(
    lines: list[str],
    title: str | None,
    patterns: tuple[Rule, ...],
    on_rules: frozenset[str],
    markup: Markup,
    keep_headline: bool,
    byline: str | None,
) -> Stripped:
    """One pass of `strip_lines` over `lines` (positions are indexes into `lines`).

    Per line: the headline (`title.headline` unless kept), its copies (`title.repeat`), then
    the code rules of BEFORE_PATTERNS, the pattern rules, and the code rules of AFTER_PATTERNS; the first rule
    that fires drops the line.
    """
    n = len(lines)
    kept: list[str] = []
    positions: list[int] = []
    removed: list[RemovedLine] = []
    p = _Pass(lines, title, byline, _author_names(byline), markup, set())
    if JUNK_LABELS.name in on_rules:
        p.labels = _label_runs(lines)
    before = tuple(check for code_rule, check in BEFORE_PATTERNS if code_rule.name in on_rules)
    after = AFTER_PATTERNS
    cut_from: int | None = None
    cut_rule = ""
    headline_seen = False

    for i, line in enumerate(lines):
        if cut_from is not None:
            removed.append(RemovedLine(i, line, cut_rule))
            continue
        same = _same_title(line, title) if i < 2 * HEAD_LINES else None
        if same == "exact" and not headline_seen:
            headline_seen = True
            if keep_headline or TITLE_HEADLINE.name not in on_rules:
                kept.append(line)
                positions.append(i)
            else:
                removed.append(RemovedLine(i, line, TITLE_HEADLINE.name))
            continue
        if same is not None and TITLE_REPEAT.name in on_rules:
            removed.append(RemovedLine(i, line, TITLE_REPEAT.name))
            continue
        probe = _probe(line)
        ln = _Line(i, n, line, probe, probe.count(" ") + 1, i < HEAD_LINES, i >= n - TAIL_LINES)
        rule = _first(before, p, ln, on_rules)
        if rule is None:
            rule, hit = _pattern_rule(patterns, p, ln)
            if hit is not None and hit.scope is Scope.CUT:
                cut_from, cut_rule = i, hit.name
        if rule is None:
            rule = _first(after, p, ln, on_rules)
        if rule is not None:
            removed.append(RemovedLine(i, line, rule))
            continue
        kept.append(line)
        positions.append(i)
    return Stripped(kept, positions, removed, p.author, p.date)


def _first(checks: tuple[Check, ...], p: _Pass, ln: _Line, on_rules: frozenset[str]) -> str | None:
    """The first of `checks` that fires on the line and is switched on."""
    for check in checks:
        rule = check(p, ln)
        if rule is not None and rule.name in on_rules:
            return rule.name
    return None


def _pattern_rule(patterns: tuple[Rule, ...], p: _Pass, ln: _Line) -> tuple[str | None, Rule | None]:
    """The first pattern rule that matches the line where it sits; its author/date feed the metadata."""
    scopes = Scope.at(ln.i, ln.n)
    for rule in patterns:
        if rule.scope not in scopes:
            continue
        m = rule.matches(ln.probe, ln.n_words)
        if m is None:
            continue
        if rule.metadata:
            groups = m.groupdict()
            p.author = p.author or (groups.get("author") or "").strip() or None
            p.date = p.date or (groups.get("date") or "").strip() or None
        return rule.name, rule
    return None, None


def _is_author(probe: str, byline: str, names: tuple[str, ...]) -> bool:
    folded = probe.casefold().strip(" .,:;|")
    if folded.startswith("by "):
        folded = folded[3:]
    return folded == byline.casefold() or folded + " " in names
