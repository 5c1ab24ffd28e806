"""Page markup facts (cleaners/markup.py): captions, share rows, teasers, pop-ups read from the tree."""

from cleaners.lines import strip_lines
from cleaners.rules import CODE_RULES, RuleSet

CODE_ONLY = RuleSet(frozenset(c.name for c in CODE_RULES), ())


PAGE = """<html><body><article>
<p>Dockworkers returned to work on Tuesday after unions agreed on a new wage deal with the
terminal operators, a spokesman told <a href="/r">our reporters</a> on the quay.</p>
<div class="wp-caption-text">Cranes stand idle at the container terminal</div>
<div class="social-share">Share this story with friends</div>
<p><a href="/a/1">Antwerp braces for a wave of diverted container ships</a></p>
<ul><li><a href="/a/2">Hamburg terminal operators report record volumes</a></li></ul>
</article></body></html>"""


def test_markup_marks_captions_share_rows_and_tail_teasers():
    from lxml.html import fromstring

    from cleaners.markup import page_markup

    markup = page_markup(fromstring(PAGE))
    body = (
        "Dockworkers returned to work on Tuesday after unions agreed on a new wage deal with the "
        "terminal operators, a spokesman told our reporters on the quay."
    )
    lines = [
        body,
        "Cranes stand idle at the container terminal",
        "Share this story with friends",
        "Antwerp braces for a wave of diverted container ships",
        "- Hamburg terminal operators report record volumes",
        "our reporters",
    ]
    out = strip_lines(lines, None, CODE_ONLY, markup)
    assert {r.line: r.rule for r in out.removed} == {
        "Cranes stand idle at the container terminal": "markup.caption",
        "Share this story with friends": "markup.share",
        "Antwerp braces for a wave of diverted container ships": "markup.teaser",
    }
    # A paragraph that contains a link, a list of links, and a two-word link fragment stay.
    assert out.kept == [body, "- Hamburg terminal operators report record volumes", "our reporters"]
    # Without markup (plain-text input) the same lines all stay.
    assert strip_lines(lines, None, CODE_ONLY).kept == lines


def test_popup_and_modal_text_is_furniture_unless_it_holds_the_article():
    from lxml.html import fromstring

    from cleaners.markup import page_markup

    body = "<p>" + "Dockworkers returned to work on Tuesday after a new wage deal. " * 20 + "</p>"
    popup = (
        '<div class="pum pum-overlay"><div class="pum-content"><p>Initial Officer Training Programme '
        "provides basic military officer training to cadets.</p><p>Sign in to your account</p></div></div>"
    )
    markup = page_markup(fromstring(f"<html><body><article>{body}</article>{popup}</body></html>"))
    lines = [
        "Initial Officer Training Programme provides basic military officer training to cadets.",
        "Sign in to your account",
    ]
    out = strip_lines(
        ["Dockworkers returned to work on Tuesday after a new wage deal."] + lines, None, CODE_ONLY, markup
    )
    assert [r.rule for r in out.removed] == ["markup.popup", "markup.popup"]
    # A wrapper named like a modal that holds the headline (or most of the page) is the article.
    wrapped = page_markup(
        fromstring(
            f'<html><body><div class="modal-article"><h1>Strike ends</h1>{body}'
            f"<p>Sign in to your account</p></div></body></html>"
        )
    )
    assert wrapped.hint("Sign in to your account") is None
