"""The evidence of a page's type (cleaners/page_features.py), on pages made here."""

from __future__ import annotations

from cleaners.page_features import url_features


def test_url_shape_features():
    f = url_features("https://x.example/2025/10/02/pilots-win-three-year-contract")
    assert f["url_dated"] == 1 and f["url_slug_words"] == 5 and f["url_listing"] == 0
    assert url_features("https://x.example/tag/ferries/page/2")["url_listing"] == 1
    assert url_features("https://x.example/")["url_root"] == 1 and url_features(None)["url_root"] == 1


def test_the_evidence_of_a_front_page_and_of_an_article_differ_where_they_should():
    from trafilatura.utils import load_html

    from cleaners.page_features import page_features
    from tests.cleaners.test_page_types import _article, _ld, _listing, _product

    listing = page_features(load_html(_listing()))
    article = page_features(load_html(_article(ld=_ld("NewsArticle"))))
    product = page_features(load_html(_product()))
    assert listing["teaser_group"] > article["teaser_group"] and listing["headline_links"] > 3
    assert article["longest_run_share"] > listing["longest_run_share"]
    assert article["ld_article"] == 1 and listing["ld_article"] == 0
    assert product["ld_product"] == 1 and product["prices"] > 0 and product["cart_words"] > 0
    assert article["byline_marks"] > 0 and article["time_tags"] > 0
