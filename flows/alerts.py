"""What a finished run's numbers say an operator must hear: the run's own alerts.

Three judgements read a run against the runs before it (no Prefect here; `prefect_io` emits
each alert as a `newsclean.alert.<kind>` event, and the automations `serve --notify` installs
send them to a webhook, with failed runs and a dead `serve` that Prefect itself reports):

- `rejects`: the reject share of the new documents passed `alert_reject_share`, or at least
  doubled against the previous run (`report.reject_jump`);
- `site_silent`: a site whose pages this run were all rejected, some for a reason other than
  the routine ones (not an article, a record seen twice), while its pages gave articles in the
  recent runs (a layout change, a paywall, a broken cleaner rule);
- `inbox_idle`: no new or changed document for `alert_idle_runs` runs in a row (the feed or
  crawler behind the inbox stopped); said once per streak of that length.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flows import report
from flows.summaries import RunSummary

SITE_HISTORY_RUNS = 24
"""Runs looked back over for a site's articles (a day of hourly runs)."""
MIN_REJECTS = 10
"""Fewest rejects in a run before the share is worth an alert."""


class AlertKind(StrEnum):
    """What an alert is about; the event is `newsclean.alert.<kind>`."""

    REJECTS = "rejects"
    SITE_SILENT = "site_silent"
    INBOX_IDLE = "inbox_idle"


@dataclass(frozen=True)
class RecentRun:
    """One earlier committed run, as the alerts read it."""

    run_id: str
    new_documents: int
    articles: int


@dataclass(frozen=True)
class Alert:
    """One thing to tell the operator, in one line."""

    kind: AlertKind
    message: str

    @property
    def event(self) -> str:
        """The Prefect event name this alert is emitted as."""
        return f"newsclean.alert.{self.kind.value}"


@dataclass(frozen=True)
class AlertRules:
    """The bounds alerts are judged by (from the run parameters)."""

    reject_share: float = 0.5
    idle_runs: int = 6


def run_alerts(
    summary: RunSummary, recent: list[RecentRun], site_articles: dict[str, int], rules: AlertRules
) -> list[Alert]:
    """The alerts of one finished run. `recent` holds the earlier runs, newest last;
    `site_articles` the articles each site gave over the last SITE_HISTORY_RUNS runs."""
    where = f"warehouse {summary.warehouse}, run {summary.run_id}"
    alerts = [a for a in (_rejects(summary, rules, where), _idle(summary, recent, rules, where)) if a]
    alerts += _silent_sites(summary, site_articles, where)
    return alerts


def _rejects(summary: RunSummary, rules: AlertRules, where: str) -> Alert | None:
    seen = summary.n_documents - summary.n_skipped
    if seen <= 0 or summary.n_rejects < MIN_REJECTS:
        return None
    share = summary.n_rejects / seen
    jump = report.reject_jump(summary)
    if share <= rules.reject_share and not jump:
        return None
    top = ", ".join(f"{reason} {n}" for reason, n in sorted(summary.reject_reasons.items(), key=lambda kv: -kv[1])[:3])
    before = f" (previous run {jump['previous_reject_share']:.0%})" if jump else ""
    return Alert(
        AlertKind.REJECTS,
        f"{summary.n_rejects} of {seen} new documents rejected ({share:.0%}{before}; {top}): {where}",
    )


def _idle(summary: RunSummary, recent: list[RecentRun], rules: AlertRules, where: str) -> Alert | None:
    if rules.idle_runs <= 0 or summary.n_documents - summary.n_skipped > 0:
        return None
    streak = 1
    for run in reversed(recent):
        if run.new_documents > 0:
            break
        streak += 1
    if streak % rules.idle_runs:
        return None
    return Alert(AlertKind.INBOX_IDLE, f"no new or changed documents for {streak} runs in a row: {where}")


def _silent_sites(summary: RunSummary, site_articles: dict[str, int], where: str) -> list[Alert]:
    out = []
    for site in summary.sites:
        had = site_articles.get(site.domain, 0)
        if site.articles == 0 and site.failed > 0 and had > 0:
            out.append(
                Alert(
                    AlertKind.SITE_SILENT,
                    f"site {site.domain}: {site.failed} pages read, none became an article "
                    f"({had} articles in the last {SITE_HISTORY_RUNS} runs): {where}",
                )
            )
    return out
