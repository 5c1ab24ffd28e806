"""Run summary -> Markdown report and table rows (pure; the flow publishes them as artifacts)."""

from __future__ import annotations

from typing import Any

from flows.summaries import COUNTS, STALE_NOTE, RunSummary


def _bar(n: int, top: int, width: int = 30) -> str:
    return "█" * max(1, round(width * n / top)) if top else ""


def stage_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """Counts per stage, one row each (the table artifact)."""
    reasons = ", ".join(f"{k}: {v}" for k, v in sorted(summary.reject_reasons.items(), key=lambda kv: -kv[1]))
    return [
        {"stage": "read", "count": summary.n_documents, "note": f"{summary.n_files} files"},
        {
            "stage": "skipped (already stored)",
            "count": summary.n_skipped,
            "note": f"unchanged records; {summary.n_files_skipped} files skipped unread",
        },
        {"stage": "cleaned", "count": summary.n_articles, "note": "articles written"},
        {"stage": "rejected", "count": summary.n_rejects, "note": reasons},
        {"stage": "removed lines", "count": summary.n_removed_lines, "note": "see removed_lines"},
        {"stage": "clusters", "count": summary.n_clusters, "note": "distinct cluster_id among new articles"},
        {"stage": "duplicates", "count": summary.n_duplicates, "note": "non-canonical copies"},
        {
            "stage": "re-labelled",
            "count": summary.n_relabelled,
            "note": "stored articles whose cluster or canonical changed with this run",
        },
        {
            "stage": "bad input dates",
            "count": summary.n_bad_dates,
            "note": "unparseable published_at (date guessed from the page)",
        },
    ]


def markdown(summary: RunSummary) -> str:
    """Human-readable report: counts, top rules, cluster sizes, largest clusters, timings."""
    out = [f"# newsclean run `{summary.run_id}`", ""]
    out += [f"Warehouse: `{summary.warehouse}`  ", f"Wall time: {summary.seconds:.1f} s", ""]
    out += ["| stage | count | note |", "|---|---:|---|"]
    out += [f"| {r['stage']} | {r['count']} | {r['note']} |" for r in stage_rows(summary)]
    if summary.n_stale:
        out += ["", f"**{STALE_NOTE.format(n=summary.n_stale)}.**"]
    out += _previous(summary) + _articles(summary) + _sites(summary) + _rules(summary) + _clusters(summary)
    if summary.timings:
        out += ["", "## Time per stage", "", "| stage | seconds |", "|---|---:|"]
        out += [f"| {k} | {v:.2f} |" for k, v in summary.timings.items()]
    d = summary.dedup
    if d:
        out += [
            "",
            f"LSH: {d.get('bands')} bands x {d.get('rows')} rows; {d.get('candidate_pairs')} candidate "
            f"pairs ({d.get('history_candidates')} against earlier runs), {d.get('verified_pairs')} verified; "
            f"{d.get('relabelled', 0)} stored articles re-labelled (clusters merged or a new canonical).",
        ]
    return "\n".join(out) + "\n"


def _articles(summary: RunSummary) -> list[str]:
    if not summary.articles:
        return []
    shown = len(summary.articles)
    out = ["", f"## New and changed articles ({shown} of {summary.n_articles})", ""]
    out += ["| title | site | what |", "|---|---|---|"]
    for a in summary.articles:
        what = f"new version of `{a.source}`" if a.revised else "new"
        if not a.canonical:
            what += ", a copy of a story already stored"
        title = (a.title or "(no title)").replace("|", "\\|")
        out.append(f"| {title} | {a.domain or '(no domain)'} | {what} |")
    return out


def _previous(summary: RunSummary) -> list[str]:
    prev = summary.previous
    out: list[str] = []
    if prev:
        out += [
            "",
            f"## Change against the previous run `{prev.run_id}`",
            "",
            "| count | this run | previous | change |",
            "|---|---:|---:|---:|",
        ]
        now = summary.counts()
        for k in COUNTS:
            out.append(f"| {k.removeprefix('n_')} | {now[k]} | {prev.counts[k]} | {now[k] - prev.counts[k]:+d} |")
    jump = reject_jump(summary)
    if jump:
        out += [
            "",
            f"**Rejects jumped**: {jump['reject_share']:.1%} of new documents (previous run "
            f"{jump['previous_reject_share']:.1%}).",
        ]
    return out


def _sites(summary: RunSummary) -> list[str]:
    if not summary.sites:
        return []
    out = [
        "",
        "## Per site",
        "",
        "| domain | articles | duplicates | rejects | lines removed |",
        "|---|---:|---:|---:|---:|",
    ]
    return out + [
        f"| {r.domain} | {r.articles} | {r.duplicates} | {r.rejects} | {r.lines_removed} |" for r in summary.sites
    ]


def _rules(summary: RunSummary) -> list[str]:
    if not summary.rules:
        return []
    top = max(summary.rules.values())
    out = ["", "## Boilerplate removed, by rule", "", "| rule | lines | |", "|---|---:|---|"]
    return out + [f"| `{k}` | {v} | {_bar(v, top)} |" for k, v in list(summary.rules.items())[:15]]


def _clusters(summary: RunSummary) -> list[str]:
    out: list[str] = []
    sizes = summary.cluster_sizes
    if sizes:
        top = max(sizes.values())
        out += ["", "## Cluster sizes", "", "| articles per cluster | clusters | |", "|---:|---:|---|"]
        out += [f"| {k} | {v} | {_bar(v, top)} |" for k, v in sorted(sizes.items(), key=lambda kv: int(kv[0]))]
    largest = [c for c in summary.largest_clusters if c[2] > 1]
    if largest:
        out += ["", "## Largest clusters", "", "| cluster_id | size | canonical title |", "|---|---:|---|"]
        out += [f"| `{cid}` | {n} | {(title or '(untitled)')[:90]} |" for cid, title, n in largest]
    return out


def terminal(summary: RunSummary) -> str:
    """The short summary `newsclean run` prints."""
    s = summary
    return (
        f"run {s.run_id}: {s.n_files} files, {s.n_documents} documents -> "
        f"{s.n_articles} articles ({s.n_clusters} clusters, {s.n_duplicates} duplicates), "
        f"{s.n_rejects} rejects, {s.n_skipped} skipped (already stored), "
        f"{s.n_removed_lines} lines removed; {s.seconds:.1f}s -> {s.warehouse}"
    ) + (f"\n{STALE_NOTE.format(n=s.n_stale)}" if s.n_stale else "")


REJECT_JUMP_MIN = 10
"""A reject jump needs at least this many rejects (a few odd files are not an alert)."""


def reject_jump(summary: RunSummary) -> dict[str, Any] | None:
    """Reject share of this run vs the previous one, when it at least doubled (and grew by 5 points)."""
    prev = summary.previous.counts if summary.previous else {}
    seen = summary.n_documents - summary.n_skipped
    prev_seen = prev.get("n_documents", 0) - prev.get("n_skipped", 0)
    if summary.n_rejects < REJECT_JUMP_MIN or seen <= 0:
        return None
    share = summary.n_rejects / seen
    prev_share = prev.get("n_rejects", 0) / prev_seen if prev_seen > 0 else 0.0
    if share >= 2 * prev_share and share - prev_share >= 0.05:
        return {
            "reject_share": round(share, 4),
            "previous_reject_share": round(prev_share, 4),
            "previous_run_id": summary.previous.run_id if summary.previous else None,
        }
    return None


class ProgressBar:
    """Terminal progress over the input bytes, with documents and units done (rich)."""

    def __init__(self, total_bytes: int) -> None:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self.p = Progress(
            TextColumn("cleaning"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[docs]} documents, {task.fields[units]} units"),
            TimeElapsedColumn(),
        )
        self.p.start()
        self.task = self.p.add_task("input", total=total_bytes, docs=0, units="0/0")

    def update(self, done_bytes: int, docs: int, units_done: int, units: int) -> None:
        """Move the bar to `done_bytes` and show the document and unit counts."""
        self.p.update(self.task, completed=done_bytes, docs=docs, units=f"{units_done}/{units}")

    def stop(self) -> None:
        """Finish the bar."""
        self.p.stop()
