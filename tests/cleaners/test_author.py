"""`cleaners.author` selects what trafilatura's author XPaths select and finds the same author."""

from copy import deepcopy

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from cleaners.author import author_candidates, page_author, prune_for_author
from tests.conftest import DATA

PAGES = DATA / "golden" / "pages"

# Pieces of the patterns' literals, near misses and case variants, so generated attributes hit
# and miss every test (anchored, optional hyphen, [Aa], exact equality).
PIECES = [
    "author", "Author", "AUTHOR", "name", "Name", "-", "author-name", "authorName", "AuthorName", "byline",
    "Byline", "byl", "BBL", "username", "writer", "screenname", "zuozhe", "bianji", "xiaobian", "channel-name",
    "submitted-by", "posted-by", "journalist-name", "comments", "Comments", "comment-list", "commentlist",
    "ProductReviews", "sidebar", "is-hidden", "quote", "embedly-instagram", "article-share", "article-support",
    "print", "category", "meta-date", "meta-reviewer", "title", "date", "Figure", "AuthorCard", "AuthorURL",
    "me", " ", "x", "post",
]  # fmt: skip
TAGS = ["a", "address", "div", "link", "p", "span", "strong", "h3", "h4", "section", "li", "author", "time", "figure"]
ATTRS = ["class", "id", "itemprop", "rel", "data-testid", "data-component"]

value = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
attrs = st.dictionaries(st.sampled_from(ATTRS), value, max_size=3)


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    """One element as HTML: a random tag and attributes, text, maybe a <rel> child and children."""
    tag = draw(st.sampled_from(TAGS))
    attributes = "".join(f' {k}="{v}"' for k, v in draw(attrs).items())
    text = draw(st.sampled_from(["", "By Jane Roe", "me", "x", "A much longer line of text " * 6]))
    inner = "<rel>me</rel>" if draw(st.booleans()) and draw(st.booleans()) else ""
    if depth < 2:
        inner += "".join(draw(st.lists(element(depth + 1), max_size=3)))
    return f"<{tag}{attributes}>{text}{inner}</{tag}>tail "


def _page(body: list[str]) -> HtmlElement:
    tree = load_html("<html><head><title>t</title></head><body>" + "".join(body) + "</body></html>")
    assert tree is not None
    return tree


@settings(max_examples=300, deadline=None)
@given(st.lists(element(), min_size=1, max_size=6))
def test_selections_equal_trafilaturas_xpaths(body: list[str]) -> None:
    tree = _page(body)
    got = author_candidates(tree)
    for mine, theirs in zip(got, AUTHOR_XPATHS, strict=True):
        assert mine == theirs(tree)
    pruned = prune_for_author(deepcopy(tree))
    expected = prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS)
    assert etree.tostring(pruned) == etree.tostring(expected)


@settings(max_examples=300, deadline=None)
@given(st.lists(element(), min_size=1, max_size=6))
def test_author_equals_extract_author_on_generated_pages(body: list[str]) -> None:
    tree = _page(body)
    assert page_author(tree) == extract_author(tree)


def test_author_equals_extract_author_on_pages() -> None:
    pages = sorted(PAGES.glob("*.html"))
    assert pages
    for path in pages:
        tree = load_html(path.read_text(encoding="utf-8"))
        assert tree is not None
        assert page_author(tree) == extract_author(tree), path.name
    page = _page(['<div class="story-meta"><span class="author-name">Jane Roe</span></div><p>Body text.</p>'])
    assert page_author(page) == extract_author(page) == "Jane Roe"
    hidden = _page(['<div class="comments"><span class="author">A Commenter</span></div><time>today</time>'])
    assert page_author(hidden) is None  # inside a pruned comment block
