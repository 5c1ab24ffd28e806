"""Strip boilerplate lines of one document: the pattern rules and the code rules of the registry.

`strip_lines` is the per-document pass; lines repeated across a site's pages are
`cleaners/sites.py`. Which rules run is one `RuleSet` (`cleaners/rules.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaners.markup import MIN_LINK_WORDS, NO_MARKUP, Markup
from cleaners.records import RemovedLine
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


# Markup hints that mark a whole line as boilerplate when the line is that element's text.
MARKUP_KINDS = ("caption", "credit", "newsletter", "related", "share", "popup")
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


def _markup_rule(line: str, n_words: int, in_tail: bool, markup: Markup, is_list: bool = False) -> str | None:
    if markup is NO_MARKUP:
        return None
    # A one-word line may be a fragment of a paragraph that trafilatura split at a link;
    # inside a pop-up even one word ("Login", "Rationale") is furniture.
    kind = markup.hint(line)
    if n_words < 2 and kind != "popup":
        kind = None
    if kind in MARKUP_KINDS:
        return f"markup.{kind}"
    if in_tail and _teaser(line, n_words, markup, is_list):
        return "markup.teaser"
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
    keep_headline: bool = True,
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


def _strip_once(
    lines: list[str],
    title: str | None,
    patterns: tuple[Rule, ...],
    on_rules: frozenset[str],
    markup: Markup,
    keep_headline: bool,
    byline: str | None,
) -> Stripped:
    """One pass of `strip_lines` over `lines` (positions are indexes into `lines`)."""
    n = len(lines)
    kept: list[str] = []
    positions: list[int] = []
    removed: list[RemovedLine] = []
    author: str | None = None
    date: str | None = None
    names = _author_names(byline)
    cut_from: int | None = None
    cut_rule = ""
    headline_kept = False

    def drop(i: int, line: str, rule: str) -> None:
        """Record line `i` as removed by `rule`."""
        removed.append(RemovedLine(i, line, rule))

    def on(rule: str) -> bool:
        """Whether `rule` is switched on."""
        return rule in on_rules

    labels = _label_runs(lines) if on("junk.labels") else set()

    for i, line in enumerate(lines):
        if cut_from is not None:
            drop(i, line, cut_rule)
            continue
        same = _same_title(line, title) if i < 2 * HEAD_LINES else None
        if same == "exact" and keep_headline and not headline_kept:
            headline_kept = True
            kept.append(line)
            positions.append(i)
            continue
        if same is not None and on("title.repeat"):
            drop(i, line, "title.repeat")
            continue
        probe = _probe(line)
        if i in labels:
            drop(i, line, "junk.labels")
            continue
        if on("junk.no_text") and not any(ch.isalnum() for ch in probe):
            drop(i, line, "junk.no_text")  # "- /", "***", "|  |": no word in it
            continue
        n_words = probe.count(" ") + 1
        in_head = i < HEAD_LINES
        in_tail = i >= n - TAIL_LINES
        if in_head and byline and n_words <= 6 and on("byline.repeat") and _is_author(probe, byline, names):
            drop(i, line, "byline.repeat")  # the author's name alone above the text
            continue
        if i >= n - LAST_LINES and on("byline.signoff") and (m := _SIGNOFF.match(line)):
            # "– David Dunkley" under the last paragraph: the reporter's sign-off.
            author = author or m.group("author")
            drop(i, line, "byline.signoff")
            continue
        if in_tail and BIO_MIN_WORDS <= n_words <= BIO_MAX_WORDS and on("byline.bio"):
            # "Jane Roe is a reporter covering ...": the byline author's bio under the article.
            names = names or _author_names(author)
            folded = probe.casefold()
            if any(folded.startswith(nm) for nm in names):
                drop(i, line, "byline.bio")
                continue
        hit: Rule | None = None
        scopes = Scope.at(i, n)
        for rule in patterns:
            if rule.scope not in scopes:
                continue
            m = rule.matches(probe, n_words)
            if m is None:
                continue
            hit = rule
            if rule.metadata:
                groups = m.groupdict()
                author = author or (groups.get("author") or "").strip() or None
                date = date or (groups.get("date") or "").strip() or None
            break
        if hit is not None:
            drop(i, line, hit.name)
            if hit.scope is Scope.CUT:
                cut_from, cut_rule = i, hit.name
            continue
        if in_head and n_words <= 3 and on("meta.kicker") and i + 1 < n and _same_title(lines[i + 1], title) == "exact":
            drop(i, line, "meta.kicker")  # "Negocios" / "Politics" right above the headline
            continue
        by_markup = _markup_rule(probe, n_words, in_tail, markup, is_list=_LIST_MARK.match(line) is not None)
        if by_markup is not None and on(by_markup):
            drop(i, line, by_markup)
            continue
        kept.append(line)
        positions.append(i)
    return Stripped(kept, positions, removed, author, date)


def _is_author(probe: str, byline: str, names: tuple[str, ...]) -> bool:
    folded = probe.casefold().strip(" .,:;|")
    if folded.startswith("by "):
        folded = folded[3:]
    return folded == byline.casefold() or folded + " " in names
