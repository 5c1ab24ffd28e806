"""Page types (cleaners/page_types.py, page_features.py): a must-keep and a must-drop page per
family of evidence, made here; the shipped model reproduced from its shipped features."""

from __future__ import annotations

import json

import polars as pl
import pytest

from cleaners.config import Settings
from cleaners.document import clean_document
from cleaners.page_features import FEATURES
from cleaners.page_types import MODEL_PATH, TRAIN_PATH, PageType, fit
from cleaners.records import CleanDoc, RawDoc, Reject
from tests.conftest import SEEDS

STORY = [
    "The harbour board voted on Tuesday to extend the pilots' contract by three years, ending a dispute that "
    "had kept two container ships waiting outside the port for most of last week.",
    "Board members said the agreement raises night-shift pay and adds a second pilot on the largest vessels, "
    "a demand the union had made since the spring.",
    "Shipping companies welcomed the deal but warned that the higher costs would be passed on to importers, "
    "who already pay some of the highest fees of any port in the region.",
    "The union's chair, who negotiated for eleven hours on Monday, said members would vote on the text next "
    "week and that she expected a clear majority in favour.",
    "Traffic in the port should return to normal by the weekend, the harbour master told reporters, once the "
    "backlog of ships at anchor has been cleared.",
    "A spokesperson for the city said the council would review the port's budget in light of the new costs "
    "at its meeting at the end of the month.",
]


SECTIONS = ["Home", "News", "Harbour", "Ferries", "Business", "Sport", "Culture", "Weather", "Opinion", "Video"]
NAV = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in SECTIONS * 4)
FOOTER = "".join(
    f'<li><a href="/{w.lower()}">{w}</a></li>'
    for w in ("About us", "Contact", "Careers", "Advertise", "Privacy policy", "Terms of use", "Cookie settings")
)


def _page(body: str, head: str = "", title: str = "Page") -> str:
    """A page in a site's template: a menu of 40 links, the body, a footer of links."""
    return (
        f'<!DOCTYPE html><html><head><title>{title}</title><meta name="viewport" content="width=device-width">'
        f'{head}</head><body><header><nav><ul class="menu">{NAV}</ul></nav></header>'
        f"<main>{body}</main><footer><ul>{FOOTER}</ul><p>© 2025 the site, all rights reserved.</p></footer>"
        "</body></html>"
    )


def _ld(kind: str, **extra: object) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", "@type": kind, **extra})}</script>'


def _article(ld: str = "", og: str = "", byline: bool = True) -> str:
    by = '<p class="byline">By Jane Roe</p><time datetime="2025-10-02">2 October 2025</time>' if byline else ""
    paras = "".join(f"<p>{p}</p>" for p in STORY)
    return _page(
        f"<article><h1>Pilots win three-year contract</h1>{by}{paras}</article>",
        head=ld + og,
        title="Pilots win three-year contract",
    )


def _teasers(n: int = 40) -> str:
    """A front page's teaser blocks: a linked headline, a date and a one-line summary each."""
    return "".join(
        f'<div class="teaser"><h2><a href="/2025/10/0{i % 9 + 1}/story-number-{i}">Story number {i} about the '
        f"harbour, the ferries and the port</a></h2><time>2 October 2025</time><p>A short summary of story {i}: "
        f"what happened at the harbour and what comes next for the city.</p></div>"
        for i in range(n)
    )


def _listing(ld: str = "") -> str:
    pager = '<nav class="pagination">' + "".join(f'<a href="?page={i}">{i}</a>' for i in range(1, 8)) + "</nav>"
    return _page(f"<h1>Harbour news</h1>{_teasers(60)}{pager}", head=ld, title="Harbour news")


def _forum() -> str:
    posts = "".join(
        f'<div class="post reply"><div class="author">user{i}</div><div class="message"><p>I had the same problem '
        f"with the ferry app, reply number {i}. Reinstalling helped for a day, then it crashed again when I "
        f'opened the timetable.</p></div><span class="vote">+{i}</span><a href="#reply">Reply</a> '
        f'<a href="#quote">Quote</a></div>'
        for i in range(30)
    )
    return _page(
        f"<h1>Ferry app keeps crashing</h1>{posts}",
        head=_ld("QAPage", mainEntity={"@type": "Question", "name": "Ferry app keeps crashing"}),
        title="Ferry app keeps crashing - Forum",
    )


def _product() -> str:
    specs = "".join(f"<tr><td>Spec {i}</td><td>{i * 7} mm</td></tr>" for i in range(20))
    similar = "".join(
        f'<li class="product-card"><a href="/p/model-{i}">Harbour model {i}</a><span class="price">€ {99 + i}.00</span>'
        "<button>Add to cart</button></li>"
        for i in range(12)
    )
    return _page(
        '<h1>Harbour Pro 3 binoculars</h1><p class="price">€ 249.00</p><p>In stock. Free shipping.</p>'
        '<select name="colour"><option>Black</option><option>Green</option></select><button>Add to cart</button>'
        f"<button>Add to wishlist</button><table>{specs}</table><ul>{similar}</ul>",
        head=_ld("Product", name="Harbour Pro 3", offers={"@type": "Offer", "price": "249.00"})
        + '<meta property="og:type" content="product">',
        title="Harbour Pro 3 binoculars",
    )


def _docs() -> str:
    side = "".join(f'<li><a href="/docs/api/{i}">Method {i}</a></li>' for i in range(60))
    body = "".join(
        f'<section class="method"><h2>tide.get(station, day)</h2><p>Returns the tide table of one station for '
        f"one day, as a list of (time, height) pairs.</p><pre><code>tide.get('rotterdam', {i})\n# [(0, 1.2), "
        f"(6, 0.3)]</code></pre><table><tr><td>station</td><td>str</td></tr><tr><td>day</td><td>int</td></tr>"
        "</table></section>"
        for i in range(30)
    )
    return _page(
        f'<aside><ul class="toc">{side}</ul></aside><h1>Tide API reference</h1>{body}', title="Tide API reference"
    )


def _service() -> str:
    plans = "".join(
        f'<div class="plan"><h3>{name}</h3><p>€ {price} per month, billed yearly</p><ul><li>Unlimited tide alerts</li>'
        f"<li>{price} stations</li><li>Email support</li></ul><button>Get started</button></div>"
        for name, price in (("Basic", 9), ("Pro", 29), ("Team", 99), ("Enterprise", 299))
    )
    form = '<form><input name="email"><input name="company"><button>Request a demo</button></form>'
    return _page(f"<h1>Pricing</h1>{plans}{form}", title="Pricing - Harbour Cloud")


def _kind(html: str, url: str) -> tuple[str, float | None]:
    out = clean_document(RawDoc("page.html", None, "file", url=url, html=html.encode()), Settings())
    if isinstance(out, Reject):
        assert out.reason in ("not_an_article",), out
        return str(out.page_type), out.page_type_score
    assert isinstance(out, CleanDoc)
    return out.page_type, out.page_type_score


NEWS = "https://harbourtimes.example/2025/10/02/pilots-win-three-year-contract"


@pytest.mark.parametrize(
    "family,html,url",
    [
        ("structured data", _article(ld=_ld("NewsArticle", headline="Pilots win")), "https://harbourtimes.example/a/7"),
        ("og:type", _article(og='<meta property="og:type" content="article">'), "https://harbourtimes.example/a/7"),
        ("URL shape", _article(byline=False), NEWS),
        ("byline and date", _article(), "https://harbourtimes.example/node/7"),
        ("one long text block", _article(byline=False), "https://harbourtimes.example/node/7"),
        ("structured data that lies is outweighed", _article(ld=_ld("Product")), NEWS),
    ],
)
def test_must_keep_articles(family, html, url):
    assert _kind(html, url)[0] == "article", family


@pytest.mark.parametrize(
    "family,html,url,expected",
    [
        ("teaser blocks and links", _listing(), "https://harbourtimes.example/harbour/", "listing"),
        ("URL shape of a tag page", _listing(), "https://harbourtimes.example/tag/ferries/page/2", "listing"),
        (
            "structured data: a collection",
            _listing(ld=_ld("CollectionPage")),
            "https://harbourtimes.example/harbour",
            "listing",
        ),
        (
            "listing whose structured data lies (every page an Article)",
            _listing(ld=_ld("NewsArticle")),
            "https://harbourtimes.example/section/harbour",
            "listing",
        ),
        ("reply structures", _forum(), "https://forum.example/t/ferry-app-keeps-crashing/4411", "forum"),
        ("prices and carts", _product(), "https://shop.example/p/harbour-pro-3", "product"),
        ("code and a navigation tree", _docs(), "https://tides.example/docs/api/get", "documentation"),
        ("plans and forms", _service(), "https://cloud.example/pricing", "service"),
    ],
)
def test_must_drop_non_articles(family, html, url, expected):
    kind, score = _kind(html, url)
    assert kind != "article", family
    assert kind == expected, (family, kind)
    assert score is not None and score > 0.5


def test_text_dumps_are_articles_and_kept_types_are_kept():
    doc = clean_document(RawDoc("d.txt", None, "file", text="Headline\n" + "\n".join(STORY), fmt="txt"), Settings())
    assert isinstance(doc, CleanDoc) and doc.page_type == "article" and doc.page_type_score is None
    from dataclasses import replace

    keep = replace(Settings(), extract=replace(Settings().extract, page_types=("article", "listing")))
    raw = RawDoc("l.html", None, "file", url="https://harbourtimes.example/tag/ferries", html=_listing().encode())
    out = clean_document(raw, keep)
    assert isinstance(out, CleanDoc) and out.page_type == "listing"


def test_a_reject_says_why_in_its_detail():
    raw = RawDoc("p.html", None, "file", url="https://shop.example/p/harbour-pro-3", html=_product().encode())
    out = clean_document(raw, Settings())
    assert isinstance(out, Reject) and out.reason == "not_an_article"
    assert out.detail.startswith("page type product (P(article) ") and "evidence: " in out.detail
    assert "keep with page_types" in out.detail


def test_the_seed_pages_stay_articles():
    for page in sorted(SEEDS.rglob("*.html")):
        out = clean_document(RawDoc(str(page), None, "file", html=page.read_bytes()), Settings())
        assert isinstance(out, CleanDoc) and out.page_type == "article", page.name


def test_the_shipped_model_is_what_its_training_script_fits():
    rows = pl.read_parquet(TRAIN_PATH)
    assert set(FEATURES) <= set(rows.columns) and rows.height > 1000
    assert fit(rows) == MODEL_PATH.read_text()


def test_every_type_is_a_page_type():
    assert {t.value for t in PageType} >= {"article", "listing", "forum", "product", "documentation", "service"}
