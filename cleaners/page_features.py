"""What kind of page this is, as numbers: the evidence `cleaners.page_types` weighs.

Every family of evidence is general (no site names): structured data (schema.org JSON-LD and
microdata `@type`, `og:type`), the URL's shape, how much of the text sits in links, how many
teaser blocks repeat one structure, the longest run of paragraphs against the page's text,
headings, bylines and dates, reply structures (forums), prices and carts (products), code
and navigation (documentation), forms and plans (service pages), and how much of the page
trafilatura took as its main text. All read from the tree the extraction already parsed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from urllib.parse import urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement

LD_GROUPS: dict[str, frozenset[str]] = {
    "article": frozenset(
        {
            "article",
            "newsarticle",
            "blogposting",
            "reportagenewsarticle",
            "opinionnewsarticle",
            "analysisnewsarticle",
            "backgroundnewsarticle",
            "reviewnewsarticle",
            "liveblogposting",
            "scholarlyarticle",
            "report",
            "socialmediaposting",
        }
    ),
    "listing": frozenset(
        {"collectionpage", "itemlist", "searchresultspage", "blog", "profilepage", "newsmediaorganization"}
    ),
    "product": frozenset({"product", "offer", "aggregateoffer", "productgroup", "individualproduct", "productmodel"}),
    "forum": frozenset({"qapage", "discussionforumposting", "question", "answer", "comment"}),
    "faq": frozenset({"faqpage"}),
    "docs": frozenset({"techarticle", "apireference", "howto", "course", "softwaresourcecode"}),
    "service": frozenset(
        {"service", "contactpage", "aboutpage", "localbusiness", "softwareapplication", "webapplication"}
    ),
}
"""schema.org types by the kind of page they announce (lower case)."""

_DATED = re.compile(r"/(?:19|20)\d\d[/-](?:0?[1-9]|1[0-2])(?:[/-]|$)|/(?:19|20)\d\d(?:0[1-9]|1[0-2])\d\d/")
_URL_KINDS = {
    "listing": re.compile(
        r"/(?:tags?|category|categories|topics?|sections?|authors?|archives?|page/\d+|search|collections?"
        r"|themen|thema|rubrik|kategorie|seite/\d+|browse|index|all|latest|news)(?:/|$)|[?&](?:s|q|query|page|tag)=",
        re.IGNORECASE,
    ),
    "forum": re.compile(
        r"/(?:forums?|threads?|t|discussions?|community|communities|questions?|answers?|q|r|boards?"
        r"|viewtopic|showthread|comments)(?:/|\.|$)",
        re.IGNORECASE,
    ),
    "product": re.compile(
        r"/(?:products?|p|dp|item|items|shop|store|buy|sku|catalog|gp/product|produkt|artikel|pd)(?:/|$)",
        re.IGNORECASE,
    ),
    "docs": re.compile(
        r"/(?:docs?|documentation|reference|api|manual|guides?|wiki|learn|tutorials?|help|support|kb|faq"
        r"|handbook|dev|developers?|spec)(?:/|$)",
        re.IGNORECASE,
    ),
    "service": re.compile(
        r"/(?:pricing|plans?|contact|contact-us|about|about-us|login|log-in|signin|sign-in|signup|sign-up|register"
        r"|terms|privacy|legal|imprint|impressum|careers|jobs|cart|checkout|account|tuition|admissions|apply"
        r"|services?|solutions?|features|enterprise|demo|download)(?:/|\.|$)",
        re.IGNORECASE,
    ),
}
_PRICE = re.compile(r"[$€£¥₹]\s?\d|\d\s?€")
_CART = re.compile(
    r"add to (?:cart|bag|basket)|in den warenkorb|buy now|add to wishlist|ajouter au panier|in stock|out of stock"
    r"|free shipping|sold out"
)
_REPLY = frozenset(
    w + s
    for w in ("comment", "reply", "post", "message", "answer", "thread", "topic", "vote", "upvote")
    for s in ("", "s")
) | {"replies"}
"""class/id words of reply structures (forums, Q&A, comment threads)."""
_BYLINE = frozenset(w + s for w in ("author", "byline", "writer", "contributor") for s in ("", "s"))
_MARK_WORDS = re.compile(r"[^a-z]+")

_LD = XPath('//script[@type="application/ld+json"]/text()')
_ITEMTYPE = XPath("//@itemtype")
_META = XPath("//meta[@property or @itemprop or @name]")
_PUBLISHED_META = frozenset({"article:published_time", "date", "datepublished"})
_TEASER_PARENTS = frozenset({"article", "li", "div", "section"})

FEATURES: tuple[str, ...] = (
    *(f"ld_{g}" for g in LD_GROUPS),
    "og_article",
    "og_product",
    "meta_published",
    "url_root",
    "url_dated",
    "url_slug_words",
    "url_digits",
    "url_query",
    *(f"url_{k}" for k in _URL_KINDS),
    "log_words",
    "link_share",
    "log_links",
    "links_per_100_words",
    "h1",
    "h2_h3",
    "linked_headings",
    "linked_heading_share",
    "teaser_group",
    "headline_links",
    "article_tags",
    "paragraphs_20",
    "longest_run_share",
    "longest_paragraph_words",
    "time_tags",
    "byline_marks",
    "reply_marks",
    "prices",
    "cart_words",
    "code_blocks",
    "nav_link_share",
    "list_items_share",
    "read_more_links",
    "main_words",
    "main_share",
    "main_lines",
    "main_mean_line_words",
    "main_prose_share",
    "main_sentence_ends",
    "main_short_lines",
)
"""The features, in the order the model reads them. Left out on purpose, though measured: counts
of buttons, inputs, forms and media, title and description shapes, plan words, `og:website`,
whether a page has any structured data at all, and the URL's depth.
They tell the era of a page rather than its kind (the article-only development sets are older
than the typed 2025 pages), and a model fitted with them called a front page of 40 teasers an
article because it had no buttons."""


def _ld_types(tree: HtmlElement) -> set[str]:
    types: set[str] = set()

    def walk(node: object, depth: int = 0) -> None:
        if depth > 6:
            return
        if isinstance(node, dict):
            t = node.get("@type")
            for v in t if isinstance(t, list) else [t]:
                if isinstance(v, str):
                    types.add(v.rsplit("/", 1)[-1].lower())
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                if key in node:
                    walk(node[key], depth + 1)
        elif isinstance(node, list):
            for item in node[:50]:
                walk(item, depth + 1)

    for raw in _LD(tree)[:20]:
        try:
            walk(json.loads(raw))
        except (ValueError, RecursionError):
            continue
    for it in _ITEMTYPE(tree)[:50]:
        types.update(t.rsplit("/", 1)[-1].lower() for t in str(it).split())
    return types


def url_features(url: str | None) -> dict[str, float]:
    """The URL's shape: depth, a dated path, a slug, the words of listing/forum/product/docs/service paths."""
    parts = urlsplit(url or "")
    path = parts.path or "/"
    segments = [s for s in path.split("/") if s]
    last = re.sub(r"\.\w{2,5}$", "", segments[-1]) if segments else ""
    out = {
        "url_root": float(not segments),
        "url_dated": float(bool(_DATED.search(path))),
        "url_slug_words": float(len([w for w in re.split(r"[-_]", last) if w.isalpha()])),
        "url_digits": float(bool(re.search(r"\d{5,}", last))),
        "url_query": float(bool(parts.query)),
    }
    probe = path + ("?" + parts.query if parts.query else "")
    for kind, pattern in _URL_KINDS.items():
        out[f"url_{kind}"] = float(bool(pattern.search(probe)))
    return out


def _words(text: str | None) -> int:
    return len(text.split()) if text else 0


def page_features(tree: HtmlElement) -> dict[str, float]:
    """The markup evidence of one parsed page (`FEATURES` but `url_*` and `main_*`), read before
    extraction: trafilatura prunes the tree it works on."""
    types = _ld_types(tree)
    out: dict[str, float] = {f"ld_{g}": float(bool(types & names)) for g, names in LD_GROUPS.items()}
    og, published = set(), False
    for meta in _META(tree):
        key = (meta.get("property") or meta.get("itemprop") or meta.get("name") or "").lower()
        if key == "og:type":
            og.add((meta.get("content") or "").strip().lower())
        published = published or key in _PUBLISHED_META
    out["og_article"] = float(any(v.startswith("article") for v in og))
    out["og_product"] = float(any("product" in v for v in og))
    out["meta_published"] = float(published)
    out.update(_structure(tree))
    return out


def main_text_features(page: dict[str, float], main_text: str | None) -> dict[str, float]:
    """The `main_*` features: how much of the page trafilatura took as its main text, and its shape."""
    main_lines = [ln for ln in (main_text or "").splitlines() if ln.strip()]
    main_words = sum(_words(ln) for ln in main_lines)
    lengths = [_words(ln) for ln in main_lines]
    n = max(1, len(main_lines))
    return {
        "main_words": math.log1p(main_words),
        "main_share": min(1.0, main_words / max(1.0, math.expm1(page.get("log_words", 0.0)))),
        "main_lines": math.log1p(len(main_lines)),
        "main_mean_line_words": main_words / n,
        "main_prose_share": sum(k for k in lengths if k >= 20) / max(1, main_words),
        "main_sentence_ends": sum(ln.rstrip().endswith((".", "!", "?", '"', "”", ":")) for ln in main_lines) / n,
        "main_short_lines": sum(k < 6 for k in lengths) / n,
    }


_CODE_TEXT = XPath("//body//script/text() | //body//style/text() | //body//noscript/text()", smart_strings=False)
_LINK_TEXT = XPath("//body//a//text()", smart_strings=False)
_NAV_LINK_TEXT = XPath(
    "//nav//a//text() | //aside//a//text() | //header//a//text() | //footer//a//text()", smart_strings=False
)
_LI_TEXT = XPath("//li/text()", smart_strings=False)
_P = XPath("//body//p")
_HEADINGS = XPath("//h2 | //h3 | //h4")
_MARKS = XPath("//@class", smart_strings=False)
_READ_MORE = re.compile(
    r"^(?:read more|continue reading|read the full|more\b|weiterlesen|mehr\b|lire la suite|leer más|leggi tutto)"
)
_COUNTS = {
    name: XPath(f"count({expr})")
    for name, expr in {
        "links": "//body//a",
        "h1": "//h1",
        "article_tags": "//article",
        "time_tags": "//time",
        "code": "//pre | //code",
    }.items()
}


_HEADLINE_LINKS = XPath(
    "//body//a[string-length(normalize-space(.)) >= 20][not(ancestor::nav or ancestor::footer or ancestor::header)]"
)


def _card(link: HtmlElement) -> tuple[str, str]:
    """The block a headline-shaped link stands for: its nearest article/li/div/section ancestor
    (within four levels), by tag and class, so repeated teaser cards share one key."""
    node = link
    for _ in range(4):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
        if node.tag in _TEASER_PARENTS:
            return str(node.tag), str(node.get("class", ""))[:40]
    return "a", str(link.get("class", ""))[:40]


def _n(strings: list[str]) -> int:
    return len(" ".join(strings).split())


def _structure(tree: HtmlElement) -> dict[str, float]:
    """Text in links, headings, teaser groups, paragraph runs, marks: XPath in C, Python per paragraph."""
    body = tree.find("body")
    text = body.text_content() if body is not None else ""
    for code in _CODE_TEXT(tree):  # scripts and styles are not the page's text
        text = text.replace(code, " ", 1)
    low = text.lower()
    total = max(1, len(text.split()))
    link_texts = _LINK_TEXT(tree)
    link_words = _n(link_texts)
    read_more = sum(bool(_READ_MORE.match(t.strip().lower())) for t in link_texts if len(t) < 40)
    count = {name: int(x(tree)) for name, x in _COUNTS.items()}
    runs: Counter[int] = Counter()
    paragraphs_20 = longest_p = 0
    for p in _P(tree):
        n = _words(p.text_content())
        paragraphs_20 += n >= 20
        longest_p = max(longest_p, n)
        parent = p.getparent()
        if parent is not None:
            runs[id(parent)] += n
    headings = _HEADINGS(tree)
    linked = 0
    for h in headings:
        a = h.find(".//a")
        if (a is not None and _words(a.text_content()) >= max(1, _words(h.text_content()) // 2)) or any(
            x.tag == "a" for x in h.iterancestors()
        ):
            linked += 1
    teasers: Counter[tuple[str, str]] = Counter()
    for a in _HEADLINE_LINKS(tree):
        if 4 <= _words(a.text_content()) <= 30:
            teasers[_card(a)] += 1
    marks = Counter(_MARK_WORDS.split(" ".join(_MARKS(tree)).lower()))
    return {
        "log_words": math.log1p(total),
        "link_share": min(1.0, link_words / total),
        "log_links": math.log1p(count["links"]),
        "links_per_100_words": 100.0 * count["links"] / total,
        "h1": float(count["h1"]),
        "h2_h3": math.log1p(len(headings)),
        "linked_headings": math.log1p(linked),
        "linked_heading_share": linked / max(1, len(headings)),
        "teaser_group": math.log1p(max(teasers.values()) if teasers else 0),
        "headline_links": math.log1p(sum(teasers.values())),
        "article_tags": math.log1p(count["article_tags"]),
        "paragraphs_20": math.log1p(paragraphs_20),
        "longest_run_share": min(1.0, (max(runs.values()) if runs else 0) / total),
        "longest_paragraph_words": math.log1p(longest_p),
        "time_tags": math.log1p(count["time_tags"]),
        "byline_marks": math.log1p(sum(marks[w] for w in _BYLINE)),
        "reply_marks": math.log1p(sum(marks[w] for w in _REPLY)),
        "prices": math.log1p(len(_PRICE.findall(text))),
        "cart_words": math.log1p(len(_CART.findall(low))),
        "code_blocks": math.log1p(count["code"]),
        "nav_link_share": min(1.0, _n(_NAV_LINK_TEXT(tree)) / max(1, link_words)),
        "list_items_share": min(1.0, _n(_LI_TEXT(tree)) / total),
        "read_more_links": math.log1p(read_more),
    }
