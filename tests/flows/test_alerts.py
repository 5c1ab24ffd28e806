"""Run alerts (flows/alerts.py, pure): reject share, silent sites, idle inboxes, each in one line."""

from __future__ import annotations

from flows.alerts import SITE_HISTORY_RUNS, AlertKind, AlertRules, RecentRun, run_alerts
from flows.summaries import SiteCounts
from tests.flows.test_report import _previous, _summary

RULES = AlertRules(reject_share=0.5, idle_runs=3)


def _kinds(alerts) -> list[AlertKind]:
    return [a.kind for a in alerts]


def test_a_high_reject_share_alerts_with_the_top_reasons_and_where():
    s = _summary(
        n_rejects=60, reject_reasons={"too_short": 40, "timeout": 15, "empty": 5}, previous=_previous(n_rejects=55)
    )
    (alert,) = run_alerts(s, [], {}, RULES)
    assert alert.kind is AlertKind.REJECTS and alert.event == "newsclean.alert.rejects"
    assert "60 of 100 new documents rejected (60%" in alert.message
    assert "too_short 40, timeout 15, empty 5" in alert.message and "warehouse /wh, run r2" in alert.message


def test_a_doubled_share_alerts_below_the_bound_and_a_steady_one_does_not():
    jumped = run_alerts(_summary(n_rejects=20), [], {}, RULES)  # 20 % after 5 %
    assert _kinds(jumped) == [AlertKind.REJECTS] and "previous run 5%" in jumped[0].message
    steady = _summary(n_rejects=20, previous=_previous(n_rejects=18))
    assert run_alerts(steady, [], {}, RULES) == []
    assert run_alerts(_summary(n_rejects=9, previous=None), [], {}, RULES) == []  # too few to matter


def test_an_idle_inbox_alerts_once_per_streak_of_idle_runs():
    idle = _summary(n_documents=40, n_skipped=40, n_rejects=0, sites=[])
    busy = RecentRun("r0", 12, 10)
    quiet = RecentRun("rq", 0, 0)
    assert run_alerts(idle, [busy, quiet], {}, RULES) == []  # a streak of 2
    (alert,) = run_alerts(idle, [busy, quiet, quiet], {}, RULES)
    assert alert.kind is AlertKind.INBOX_IDLE and "for 3 runs in a row" in alert.message
    assert run_alerts(idle, [busy] + [quiet] * 3, {}, RULES) == []  # said once, not every run
    assert len(run_alerts(idle, [busy] + [quiet] * 5, {}, RULES)) == 1  # and again after another streak
    assert run_alerts(idle, [quiet] * 5, {}, AlertRules(idle_runs=0)) == []  # 0 = never


def test_a_site_whose_pages_all_failed_alerts_when_it_had_articles_before():
    broken = SiteCounts("b.example", articles=0, duplicates=0, rejects=7, failed=7, lines_removed=0)
    fronts = SiteCounts("c.example", articles=0, duplicates=0, rejects=3, failed=0, lines_removed=0)
    s = _summary(n_rejects=10, sites=[broken, fronts], previous=_previous(n_rejects=10))
    (alert,) = run_alerts(s, [], {"b.example": 40, "c.example": 30}, RULES)
    assert alert.kind is AlertKind.SITE_SILENT
    assert f"site b.example: 7 pages read, none became an article (40 articles in the last {SITE_HISTORY_RUNS}" in (
        alert.message
    )
    assert run_alerts(s, [], {}, RULES) == []  # a new site with no history is not "silent"
