"""Run summary -> Markdown report and table rows (pure; the flow publishes them as artifacts)."""

from __future__ import annotations

from typing import Any


def _bar(n: int, top: int, width: int = 30) -> str:
    return "█" * max(1, round(width * n / top)) if top else ""


def stage_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Counts per stage, one row each (the table artifact)."""
    rows = [
        {"stage": "read", "count": summary["n_documents"], "note": f"{summary['n_files']} files"},
        {
            "stage": "skipped (already stored)",
            "count": summary["n_skipped"],
            "note": f"unchanged records; {summary.get('n_files_skipped', 0)} files skipped unread",
        },
        {"stage": "cleaned", "count": summary["n_articles"], "note": "articles written"},
        {
            "stage": "rejected",
            "count": summary["n_rejects"],
            "note": ", ".join(
                f"{k}: {v}" for k, v in sorted(summary.get("reject_reasons", {}).items(), key=lambda kv: -kv[1])
            ),
        },
        {"stage": "removed lines", "count": summary["n_removed_lines"], "note": "see removed_lines"},
        {"stage": "clusters", "count": summary["n_clusters"], "note": "distinct cluster_id among new articles"},
        {"stage": "duplicates", "count": summary["n_duplicates"], "note": "non-canonical copies"},
        {
            "stage": "bad input dates",
            "count": summary.get("n_bad_dates", 0),
            "note": "unparseable published_at (date guessed from the page)",
        },
    ]
    return rows


def markdown(summary: dict[str, Any]) -> str:
    """Human-readable report: counts, top rules, cluster sizes, largest clusters, timings."""
    out = [f"# newsclean run `{summary['run_id']}`", ""]
    out += [f"Warehouse: `{summary['warehouse']}`  ", f"Wall time: {summary['seconds']:.1f} s", ""]
    out += ["| stage | count | note |", "|---|---:|---|"]
    out += [f"| {r['stage']} | {r['count']} | {r['note']} |" for r in stage_rows(summary)]
    prev = summary.get("previous")
    if prev:
        out += [
            "",
            f"## Change against the previous run `{prev['run_id']}`",
            "",
            "| count | this run | previous | change |",
            "|---|---:|---:|---:|",
        ]
        for k in ("n_documents", "n_skipped", "n_articles", "n_duplicates", "n_rejects", "n_removed_lines"):
            now, before = summary.get(k, 0), prev.get(k) or 0
            out.append(f"| {k.removeprefix('n_')} | {now} | {before} | {now - before:+d} |")
    jump = reject_jump(summary)
    if jump:
        out += [
            "",
            f"**Rejects jumped**: {jump['reject_share']:.1%} of new documents (previous run "
            f"{jump['previous_reject_share']:.1%}).",
        ]
    sites = summary.get("sites", [])
    if sites:
        out += [
            "",
            "## Per site",
            "",
            "| domain | articles | duplicates | rejects | lines removed |",
            "|---|---:|---:|---:|---:|",
        ]
        out += [
            f"| {r['domain']} | {r['articles']} | {r['duplicates']} | {r['rejects']} | {r['lines_removed']} |"
            for r in sites
        ]
    rules = summary.get("rules", {})
    if rules:
        top = max(rules.values())
        out += ["", "## Boilerplate removed, by rule", "", "| rule | lines | |", "|---|---:|---|"]
        out += [f"| `{k}` | {v} | {_bar(v, top)} |" for k, v in list(rules.items())[:15]]
    sizes = summary.get("cluster_sizes", {})
    if sizes:
        top = max(sizes.values())
        out += ["", "## Cluster sizes", "", "| articles per cluster | clusters | |", "|---:|---:|---|"]
        out += [f"| {k} | {v} | {_bar(v, top)} |" for k, v in sorted(sizes.items(), key=lambda kv: int(kv[0]))]
    largest = [c for c in summary.get("largest_clusters", []) if c[2] > 1]
    if largest:
        out += ["", "## Largest clusters", "", "| cluster_id | size | canonical title |", "|---|---:|---|"]
        out += [f"| `{cid}` | {n} | {(title or '(untitled)')[:90]} |" for cid, title, n in largest]
    timings = summary.get("timings", {})
    if timings:
        out += ["", "## Time per stage", "", "| stage | seconds |", "|---|---:|"]
        out += [f"| {k} | {v:.2f} |" for k, v in timings.items()]
    d = summary.get("dedup", {})
    if d:
        out += [
            "",
            f"LSH: {d.get('bands')} bands x {d.get('rows')} rows; {d.get('candidate_pairs')} candidate "
            f"pairs ({d.get('history_candidates')} against earlier runs), {d.get('verified_pairs')} verified; "
            f"{d.get('relabelled', 0)} stored articles re-labelled (clusters merged or a new canonical).",
        ]
    return "\n".join(out) + "\n"


def terminal(summary: dict[str, Any]) -> str:
    """The short summary `newsclean run` prints."""
    return (
        f"run {summary['run_id']}: {summary['n_files']} files, {summary['n_documents']} documents -> "
        f"{summary['n_articles']} articles ({summary['n_clusters']} clusters, {summary['n_duplicates']} duplicates), "
        f"{summary['n_rejects']} rejects, {summary['n_skipped']} skipped (already stored), "
        f"{summary['n_removed_lines']} lines removed; {summary['seconds']:.1f}s -> {summary['warehouse']}"
    )


REJECT_JUMP_MIN = 10
"""A reject jump needs at least this many rejects (a few odd files are not an alert)."""


def reject_jump(summary: dict[str, Any]) -> dict[str, Any] | None:
    """Reject share of this run vs the previous one, when it at least doubled (and grew by 5 points)."""
    prev = summary.get("previous") or {}
    seen = summary["n_documents"] - summary["n_skipped"]
    prev_seen = (prev.get("n_documents") or 0) - (prev.get("n_skipped") or 0)
    if summary["n_rejects"] < REJECT_JUMP_MIN or seen <= 0:
        return None
    share = summary["n_rejects"] / seen
    prev_share = (prev.get("n_rejects") or 0) / prev_seen if prev_seen > 0 else 0.0
    if share >= 2 * prev_share and share - prev_share >= 0.05:
        return {
            "reject_share": round(share, 4),
            "previous_reject_share": round(prev_share, 4),
            "previous_run_id": prev.get("run_id"),
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
