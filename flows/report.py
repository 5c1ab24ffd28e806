"""Run summary -> Markdown report and table rows (pure; the flow publishes them as artifacts)."""

from __future__ import annotations


def _bar(n: int, top: int, width: int = 30) -> str:
    return "█" * max(1, round(width * n / top)) if top else ""


def stage_rows(summary: dict) -> list[dict]:
    """Counts per stage, one row each (the table artifact)."""
    rows = [
        {"stage": "read", "count": summary["n_documents"], "note": f"{summary['n_files']} files"},
        {"stage": "skipped (already stored)", "count": summary["n_skipped"], "note": "re-run of stored input"},
        {"stage": "cleaned", "count": summary["n_articles"], "note": "articles written"},
        {"stage": "rejected", "count": summary["n_rejects"], "note": ", ".join(
            f"{k}: {v}" for k, v in sorted(summary.get("reject_reasons", {}).items(), key=lambda kv: -kv[1]))},
        {"stage": "removed lines", "count": summary["n_removed_lines"], "note": "see removed_lines"},
        {"stage": "clusters", "count": summary["n_clusters"], "note": "distinct cluster_id among new articles"},
        {"stage": "duplicates", "count": summary["n_duplicates"], "note": "non-canonical copies"},
    ]
    return rows


def markdown(summary: dict) -> str:
    """Human-readable report: counts, top rules, cluster sizes, largest clusters, timings."""
    out = [f"# newsclean run `{summary['run_id']}`", ""]
    out += [f"Warehouse: `{summary['warehouse']}`  ", f"Wall time: {summary['seconds']:.1f} s", ""]
    out += ["| stage | count | note |", "|---|---:|---|"]
    out += [f"| {r['stage']} | {r['count']} | {r['note']} |" for r in stage_rows(summary)]
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
        out += ["", f"LSH: {d.get('bands')} bands x {d.get('rows')} rows; {d.get('candidate_pairs')} candidate "
                f"pairs ({d.get('history_candidates')} against earlier runs), {d.get('verified_pairs')} verified."]
    return "\n".join(out) + "\n"


def terminal(summary: dict) -> str:
    """The short summary `newsclean run` prints."""
    return (
        f"run {summary['run_id']}: {summary['n_files']} files, {summary['n_documents']} documents -> "
        f"{summary['n_articles']} articles ({summary['n_clusters']} clusters, {summary['n_duplicates']} duplicates), "
        f"{summary['n_rejects']} rejects, {summary['n_skipped']} skipped (already stored), "
        f"{summary['n_removed_lines']} lines removed; {summary['seconds']:.1f}s -> {summary['warehouse']}"
    )
