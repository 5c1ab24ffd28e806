"""Site-level learning (cleaners/sites.py): lines repeated across a site's pages, never most of an article."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.sites import line_key, site_boilerplate, strip_site_lines


def _docs(rows):
    return pl.DataFrame(
        [
            {
                "doc_id": d,
                "domain": dom,
                "source": f"/in/{d}.html",
                "lines": ls,
                "positions": list(range(len(ls))),
                "line_hashes": [line_key(x) for x in ls],
            }
            for d, dom, ls in rows
        ],
        schema={
            "doc_id": pl.String,
            "domain": pl.String,
            "source": pl.String,
            "lines": pl.List(pl.String),
            "positions": pl.List(pl.Int32),
            "line_hashes": pl.List(pl.UInt64),
        },
    )


def test_site_lines_learned_across_pages_and_runs():
    tag = "Independent reporting from the waterfront since 1898."
    story = "Story {} about the council, the harbour budget and the new ferry timetable for the islands."
    run1 = [("a", "x.com", [story.format("one"), tag]), ("b", "x.com", [story.format("two"), tag])]
    run2 = [("c", "x.com", [story.format("three"), tag]), ("d", "y.com", ["Other site.", tag])]
    prof = lambda rows: pl.DataFrame(  # noqa: E731
        [{"domain": dom, "line_hash": line_key(x), "page_hash": hash(d) & 0xFFFF} for d, dom, ls in rows for x in ls],
        schema={"domain": pl.String, "line_hash": pl.UInt64, "page_hash": pl.UInt64},
    )
    # Run 1 alone: two pages of x.com, below the 3-page threshold: nothing is removed.
    boiler1 = site_boilerplate(prof(run1), 3)
    assert boiler1.height == 0
    # Run 2 plus run 1's stored profile: the third x.com page tips it; y.com (seen once) keeps it.
    boiler2 = site_boilerplate(pl.concat([prof(run1), prof(run2)]), 3)
    out, removed = strip_site_lines(_docs(run2), boiler2)
    kept = dict(zip(out["doc_id"], out["lines"].to_list()))
    assert kept["c"] == [story.format("three")]
    assert kept["d"] == ["Other site.", tag]
    assert removed.select("doc_id", "line", "rule").rows() == [("c", tag, "site.repeated")]


def test_a_story_reposted_under_new_headlines_keeps_its_whole_body():
    """One wire story posted five times on a domain (new URL and headline each time) is one page
    for site learning; the site's real tagline, on three distinct stories, is still learned."""
    from cleaners.sites import page_key, site_profile_rows

    tag = "Independent reporting from the waterfront since 1898."
    body = [
        f"Paragraph {i} of the port strike story: the union and the terminal operators met again on "
        f"Thursday and talked for {i + 3} hours about wages."
        for i in range(6)
    ]
    docs = [(f"repost{k}", f"Port strike update number {k}", body + [tag]) for k in range(5)]
    docs += [
        (
            f"other{k}",
            f"Other story {k}",
            [
                f"Unrelated report about the {topic} timetable, the new harbour lights and the fish auction this week.",
                tag,
            ],
        )
        for k, topic in enumerate(("ferry", "railway", "airport"))
    ]
    rows = [
        r
        for i, (_, title, lines) in enumerate(docs)
        for r in site_profile_rows("x.com", page_key(title, lines, i), lines, 40)
    ]
    prof = pl.DataFrame(
        rows,
        schema={"domain": pl.String, "line_hash": pl.UInt64, "page_hash": pl.UInt64, "line": pl.String},
        orient="row",
    )
    boiler = site_boilerplate(prof, 3)
    out, removed = strip_site_lines(_docs([(d, "x.com", lines) for d, _, lines in docs]), boiler)
    kept = dict(zip(out["doc_id"], out["lines"].to_list()))
    assert all(kept[f"repost{k}"] == body for k in range(5))  # the tagline goes, the body stays
    assert set(removed["line"]) == {tag} and removed.height == 8


def test_site_learning_never_removes_most_of_an_article():
    """Even when every line of a page was learned (a short page that only repeats site lines and a
    shared lede), the page keeps them: the guard trumps the profile."""
    lines = ["Shared lede line that many pages of this site carry word for word.", "Site tagline."]
    boiler = pl.DataFrame(
        {"domain": ["x.com"] * 2, "line_hash": [line_key(x) for x in lines]},
        schema={"domain": pl.String, "line_hash": pl.UInt64},
    )
    out, removed = strip_site_lines(_docs([("a", "x.com", lines), ("b", "x.com", lines[:1] + ["Body " * 40])]), boiler)
    kept = dict(zip(out["doc_id"], out["lines"].to_list()))
    assert kept["a"] == lines and removed.filter(pl.col("doc_id") == "a").height == 0
    assert kept["b"] == ["Body " * 40] and removed.filter(pl.col("doc_id") == "b").height == 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_line_key_is_the_stored_definition(line):
    """Keys are stored in site_lines: the fast key must equal the defining one on any text."""
    import xxhash

    defining = "".join("0" if ch.isdigit() else ch for ch in line.casefold())
    assert line_key(line) == xxhash.xxh3_64_intdigest(defining.encode("utf-8", "surrogatepass"))
    assert line_key("Page 12 of 40") == line_key("page 34 OF 57") and line_key("a١٢") == line_key("A00")


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.none(), st.just(""), st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True)),
    st.from_regex(r"(/[\w .-]{0,12}){0,4}", fullmatch=True),
)
def test_site_of_and_its_polars_expression_agree(domain, source):
    """The batches profile a page under `site_of`; finalize strips by `site_expr`: one definition."""
    from cleaners.sites import FOLDER_SITE, site_expr, site_of

    frame = pl.DataFrame({"domain": [domain], "source": [source]}, schema={"domain": pl.String, "source": pl.String})
    assert frame.select(site_expr())[0, 0] == site_of(domain, source)
    assert site_of(domain, source) == (domain or FOLDER_SITE + source.rpartition("/")[0])
