"""`newsclean` command line: run, explain, schema, serve."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EPILOG = """examples:
  newsclean run seeds/                          # ingest the samples into ./warehouse
  newsclean run crawl/*.warc.gz feed.jsonl --warehouse /data/news --threshold 0.6
  newsclean explain 3f2a9c0d1e4b5a6f            # a document's kept text and removed lines
  newsclean schema                              # the table contract
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsclean",
        description="Clean, deduplicated article tables (Parquet) from raw news pages.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="ingest inputs into the warehouse",
                       description="Read INPUTs (files, directories, globs: .html .htm .warc .warc.gz .jsonl "
                       ".jsonl.gz .txt), extract and clean each article, find near-duplicates against this run "
                       "and every earlier run, and commit the tables atomically. Exit 0 when the run completed "
                       "(even with rejected inputs), 1 when it failed, 2 on bad arguments.")
    r.add_argument("inputs", nargs="+", metavar="INPUT", help="input file, directory or glob")
    r.add_argument("--warehouse", default="warehouse", help="warehouse root directory (default: ./warehouse)")
    r.add_argument("--threshold", type=float, default=0.5,
                   help="verified Jaccard at or above which two bodies are one story (default: 0.5)")
    r.add_argument("--containment", type=float, default=0.8,
                   help="verified containment at or above which a trimmed copy joins its original (default: 0.8)")
    r.add_argument("--workers", type=int, default=0, help="parallel batch processes; 0 = one per core (default: 0)")
    r.add_argument("--batch-mb", type=int, default=64, help="target input megabytes per batch task (default: 64)")
    r.add_argument("--batch-files", type=int, default=2000, help="maximum input files per batch task (default: 2000)")
    r.add_argument("--min-words", type=int, default=20,
                   help="reject bodies shorter than this after cleaning (default: 20)")
    r.add_argument("--site-min-pages", type=int, default=3,
                   help="a line on this many pages of one domain is site boilerplate (default: 3)")
    r.add_argument("--drop-headline", action="store_true",
                   help="leave the headline out of the body text (it stays in `title`)")
    r.add_argument("--disable-rule", action="append", default=[], metavar="PREFIX",
                   help="switch off cleaning rules by name or prefix, e.g. 'markup' or 'byline.bio' (repeatable)")
    r.add_argument("--max-doc-mb", type=float, default=20.0, help="reject documents larger than this (default: 20)")
    r.add_argument("--max-decompressed-mb", type=float, default=2000.0,
                   help="stop reading a .gz input past this much decompressed data (default: 2000)")
    r.add_argument("--max-extract-seconds", type=float, default=30.0,
                   help="reject a document whose cleaning takes longer than this (default: 30)")
    r.add_argument("--dask-address", default=None, help="run batches on this Dask scheduler (tcp://host:8786)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("--json", action="store_true", help="print the run summary as JSON")

    e = sub.add_parser("explain", help="show a document's kept text and removed lines with their rules")
    e.add_argument("doc_id", help="doc_id from the articles or rejects table")
    e.add_argument("--warehouse", default="warehouse", help="warehouse root directory (default: ./warehouse)")

    c = sub.add_parser("clean", help="clean one page and print its text (no warehouse, no Prefect)",
                       description="Run extraction and cleaning on one HTML (or .txt) file, or '-' for HTML on "
                       "stdin, and print the clean text; --explain adds every removed line with its rule. "
                       "Exit 1 when the page is rejected (the reason is printed).")
    c.add_argument("path", help="an .html/.htm/.txt file, or - for HTML on stdin")
    c.add_argument("--url", default=None, help="the page's URL (helps metadata; default: none)")
    c.add_argument("--drop-headline", action="store_true", help="leave the headline out of the text")
    c.add_argument("--disable-rule", action="append", default=[], metavar="PREFIX",
                   help="switch off cleaning rules by name or prefix (repeatable)")
    c.add_argument("--explain", action="store_true", help="also list the removed lines and their rules")
    c.add_argument("--json", action="store_true", help="print title, author, date, text and removed lines as JSON")

    sub.add_parser("schema", help="print the table contract (columns, types, meaning) as Markdown")

    sv = sub.add_parser("serve", help="serve the ingest flow as a Prefect deployment with a cron schedule",
                        description="Register the `ingest` deployment with the Prefect server at PREFECT_API_URL "
                        "and run its flow runs (scheduled, or triggered from the UI/API) until interrupted.")
    sv.add_argument("--name", default="scheduled", help="deployment name (default: scheduled)")
    sv.add_argument("--cron", default="0 * * * *", help="cron schedule (default: hourly, '0 * * * *')")
    sv.add_argument("--paused", action="store_true", help="register the schedule paused (trigger runs by hand)")
    sv.add_argument("--inputs", nargs="+", default=["seeds"], help="default inputs of scheduled runs")
    sv.add_argument("--warehouse", default="warehouse", help="default warehouse of scheduled runs")
    return p


def _run(args: argparse.Namespace) -> int:
    from flows.params import IngestParams

    try:
        IngestParams(inputs=args.inputs, warehouse=args.warehouse, threshold=args.threshold,
                     containment=args.containment, workers=args.workers, batch_mb=args.batch_mb,
                     batch_files=args.batch_files, min_words=args.min_words, site_min_pages=args.site_min_pages, dask_address=args.dask_address,
                     keep_headline=not args.drop_headline, disabled_rules=args.disable_rule, max_doc_mb=args.max_doc_mb, max_decompressed_mb=args.max_decompressed_mb,
                     max_extract_seconds=args.max_extract_seconds)
    except ValueError as e:
        print(f"newsclean: invalid arguments:\n{e}", file=sys.stderr)
        return 2
    from flows.pipeline import ingest
    from flows.report import terminal

    try:
        summary = ingest(
            inputs=args.inputs, warehouse=args.warehouse, threshold=args.threshold, containment=args.containment,
            workers=args.workers, batch_mb=args.batch_mb, batch_files=args.batch_files, min_words=args.min_words,
            site_min_pages=args.site_min_pages, keep_headline=not args.drop_headline,
            disabled_rules=args.disable_rule, dask_address=args.dask_address,
            max_doc_mb=args.max_doc_mb, max_decompressed_mb=args.max_decompressed_mb,
            max_extract_seconds=args.max_extract_seconds, progress=not args.no_progress and sys.stderr.isatty(),
        )
    except Exception as e:  # the run itself failed: say why, exit non-zero
        print(f"newsclean: run failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2, default=str) if args.json else terminal(summary))
    return 0


def _explain(args: argparse.Namespace) -> int:
    import polars as pl

    from flows.warehouse import Warehouse

    wh = Warehouse(args.warehouse)
    art = wh.scan("articles").filter(pl.col("doc_id") == args.doc_id).collect()
    rej = wh.scan("rejects").filter(pl.col("doc_id") == args.doc_id).collect()
    removed = wh.scan("removed_lines").filter(pl.col("doc_id") == args.doc_id).sort("position").collect()
    if not art.height and not rej.height:
        print(f"newsclean: no document {args.doc_id} in {wh.root}", file=sys.stderr)
        return 1
    if art.height:
        a = art.row(0, named=True)
        print(f"doc_id:     {a['doc_id']}\nsource:     {a['source']}\nurl:        {a['url']}\ntitle:      {a['title']}")
        print(f"author:     {a['author']}\npublished:  {a['published_at']}\ncluster:    {a['cluster_id']}"
              f" ({'canonical' if a['is_canonical'] else 'duplicate'})\nwords:      {a['n_words']}\n")
        print("--- kept text ---")
        print(a["text"])
    for r in rej.iter_rows(named=True):
        print(f"REJECTED at {r['stage']}: {r['reason']} ({r['detail']}) in run {r['run_id']}")
    print(f"\n--- removed lines ({removed.height}) ---")
    for r in removed.iter_rows(named=True):
        print(f"[{r['position']:>4}] {r['rule']:<24} {r['line']}")
    return 0


def _clean(args: argparse.Namespace) -> int:
    from cleaners.config import Settings
    from cleaners.document import clean_document
    from cleaners.records import RawDoc

    if args.path == "-":
        raw = RawDoc("<stdin>", None, "stdin", url=args.url, html=sys.stdin.buffer.read())
    else:
        path = Path(args.path)
        if not path.is_file():
            print(f"newsclean: no such file: {path}", file=sys.stderr)
            return 2
        if path.suffix.lower() == ".txt":
            raw = RawDoc(str(path), None, "file", url=args.url, text=path.read_text(errors="replace"), fmt="txt")
        else:
            raw = RawDoc(str(path), None, "file", url=args.url, html=path.read_bytes())
    from flows.params import IngestParams

    try:
        settings = IngestParams(inputs=[args.path], keep_headline=not args.drop_headline,
                                disabled_rules=args.disable_rule).settings()
    except ValueError as e:
        print(f"newsclean: invalid arguments:\n{e}", file=sys.stderr)
        return 2
    doc = clean_document(raw, settings)
    if not hasattr(doc, "lines"):
        stage = getattr(doc.stage, "value", str(doc.stage))
        if args.json:
            print(json.dumps({"rejected": True, "stage": stage, "reason": doc.reason, "detail": doc.detail}))
        else:
            print(f"newsclean: rejected at {stage}: {doc.reason} ({doc.detail})", file=sys.stderr)
        return 1
    removed = [{"position": r.position, "rule": r.rule, "line": r.line} for r in doc.removed]
    if args.json:
        print(json.dumps({"title": doc.title, "author": doc.author, "url": doc.url,
                          "published_at": doc.published_at.isoformat() if doc.published_at else None,
                          "text": doc.text, "removed": removed}, ensure_ascii=False, indent=1))
        return 0
    print(doc.text)
    if args.explain:
        print(f"\n--- removed lines ({len(removed)}) ---")
        for r in removed:
            print(f"[{r['position']:>4}] {r['rule']:<24} {r['line']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "explain":
        return _explain(args)
    if args.command == "clean":
        return _clean(args)
    if args.command == "serve":
        from flows.deploy import serve

        serve(name=args.name, cron=args.cron, paused=args.paused, inputs=args.inputs, warehouse=args.warehouse)
        return 0
    if args.command == "schema":
        from cleaners.schema import markdown

        print(markdown())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
