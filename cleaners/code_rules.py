"""The code rules: checks that need more than a regex, each named and described once, here.

A code rule's name is written only in its constant below. The checks that implement them
(`cleaners/lines.py`, `cleaners/sites.py`) return or write the constant, the registry
(`cleaners/rules.py`) lists `CODE_RULES` beside the pattern rules, and the rules reference in
`docs/rules.md` is generated from both.
"""

from __future__ import annotations

from cleaners.rule_kinds import CodeRule

TITLE_HEADLINE = CodeRule(
    "title.headline", "the headline itself near the top: it is in `title` (keep_headline keeps it here)"
)
TITLE_REPEAT = CodeRule(
    "title.repeat", "a second copy of the headline, or the headline plus a section/site trail, near the top"
)
JUNK_LABELS = CodeRule("junk.labels", 'a run of 4+ empty labels ("PP:", "FI slug:"): an unfilled form or template')
JUNK_NO_TEXT = CodeRule("junk.no_text", 'a line without a letter or digit ("***", "- /", "|  |")')
BYLINE_REPEAT = CodeRule("byline.repeat", "the byline author's name alone in the first HEAD_LINES lines")
BYLINE_SIGNOFF = CodeRule(
    "byline.signoff", '"– Name" in the last LAST_LINES lines: the reporter\'s sign-off (feeds `author`)'
)
BYLINE_BIO = CodeRule("byline.bio", "a line in the last TAIL_LINES that starts with the byline author's full name")
META_KICKER = CodeRule("meta.kicker", 'a 1-3 word section label ("Politics") right above the headline')

_MARKUP_WHAT = (
    ("caption", "the whole line is the page's figure caption"),
    ("credit", "the whole line is a photo/image credit element"),
    ("newsletter", "the whole line is a newsletter/subscription box"),
    ("related", "the whole line is a related-articles element"),
    ("share", "the whole line is a share bar"),
    ("popup", "the whole line is a pop-up or dialog"),
)
MARKUP: dict[str, CodeRule] = {kind: CodeRule(f"markup.{kind}", what) for kind, what in _MARKUP_WHAT}
"""The markup rules by the page element kind they name (`Markup.hint`): the line is that element's text."""
MARKUP_TEASER = CodeRule(
    "markup.teaser", "a headline-shaped whole link in the last TAIL_LINES lines: a teaser for another page"
)
SITE_REPEATED = CodeRule(
    "site.repeated",
    "a short line seen on `site_min_pages` distinct pages of one domain (this run or earlier); "
    "never more than half an article's words",
)

CODE_RULES: tuple[CodeRule, ...] = (
    TITLE_HEADLINE,
    TITLE_REPEAT,
    JUNK_LABELS,
    JUNK_NO_TEXT,
    BYLINE_REPEAT,
    BYLINE_SIGNOFF,
    BYLINE_BIO,
    META_KICKER,
    *MARKUP.values(),
    MARKUP_TEASER,
    SITE_REPEATED,
)
"""Every code rule, in the order the rules reference lists them."""
