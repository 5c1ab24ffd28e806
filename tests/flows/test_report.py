"""The run report (flows/report.py, pure): change against the previous run, per-site counts, reject jumps."""

from dataclasses import replace

from flows import report
from flows.summaries import COUNTS, PreviousRun, RunSummary, SiteCounts


def _previous(**counts: int) -> PreviousRun:
    base = dict.fromkeys(COUNTS, 0) | {"n_documents": 100, "n_articles": 95, "n_rejects": 5, "n_duplicates": 3}
    return PreviousRun("r1", base | {"n_removed_lines": 9} | counts)


def _summary(**kw) -> RunSummary:
    base = RunSummary(
        run_id="r2",
        warehouse="/wh",
        n_files=3,
        n_refused=0,
        n_files_skipped=0,
        n_batches=1,
        workers=1,
        missing_inputs=[],
        flow_run_id=None,
        deployment=None,
        n_documents=100,
        n_skipped=0,
        n_articles=80,
        n_duplicates=10,
        n_clusters=70,
        n_rejects=20,
        n_removed_lines=7,
        n_bad_dates=0,
        n_relabelled=0,
        seconds=1.0,
        timings={},
        reject_reasons={"too_short": 20},
        rules={},
        cluster_sizes={},
        sites=[SiteCounts("a.example", 50, 4, 2, 1, 5)],
        largest_clusters=[("c1", None, 3)],
        dedup={},
        previous=_previous(),
    )
    return replace(base, **kw)


def test_reject_jump_needs_a_doubled_share_and_enough_rejects():
    assert report.reject_jump(_summary()) == {
        "reject_share": 0.2,
        "previous_reject_share": 0.05,
        "previous_run_id": "r1",
    }
    assert report.reject_jump(_summary(n_rejects=8)) is None  # too few to alert on
    assert report.reject_jump(_summary(previous=_previous(n_rejects=15))) is None  # 20 % after 15 %: no jump
    assert report.reject_jump(_summary(previous=None))["previous_reject_share"] == 0.0


def test_markdown_compares_with_the_previous_run_and_lists_sites():
    md = report.markdown(_summary())
    assert "Change against the previous run `r1`" in md
    assert "| articles | 80 | 95 | -15 |" in md and "| rejects | 20 | 5 | +15 |" in md
    assert "**Rejects jumped**: 20.0% of new documents (previous run 5.0%)" in md
    assert "| a.example | 50 | 4 | 2 | 5 |" in md
    assert "(untitled)" in md  # a cluster without any titled member says so
    assert report.stage_rows(_summary())[3] == {"stage": "rejected", "count": 20, "note": "too_short: 20"}


def test_the_report_names_new_and_changed_articles_and_the_relabels():
    from flows.summaries import ArticleChange

    s = _summary(
        n_relabelled=3,
        articles=[
            ArticleChange("Port strike ends", "a.example", "/in/a.html", revised=True, canonical=True),
            ArticleChange("Port | strike", None, "/in/b.html", revised=False, canonical=False),
        ],
    )
    text = report.markdown(s)
    assert "## New and changed articles (2 of 80)" in text
    assert "| Port strike ends | a.example | new version of `/in/a.html` |" in text
    assert "| Port \\| strike | (no domain) | new, a copy of a story already stored |" in text
    assert {k: v for k, v in report.stage_rows(s)[-2].items() if k != "note"} == {"stage": "re-labelled", "count": 3}


def test_stored_articles_of_other_settings_are_one_line_in_the_report_and_the_terminal():
    from flows.report import terminal

    quiet = _summary()
    assert "newsclean reclean" not in report.markdown(quiet) and "newsclean reclean" not in terminal(quiet)
    stale = _summary(n_stale=12)
    line = "12 stored articles were cleaned with other settings or another cleaner version"
    assert line in report.markdown(stale) and line in terminal(stale) and "`newsclean reclean`" in terminal(stale)
