"""`newsclean` command line: run, explain, schema, serve."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.deploy import DEFAULT_TIMEOUT_MINUTES

if TYPE_CHECKING:
    from cleaners.config import DedupConfig
    from flows.server import TemporaryServer
    from flows.warehouse import Warehouse

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

    r = sub.add_parser(
        "run",
        help="ingest inputs into the warehouse",
        description="Read INPUTs (files, directories, globs: .html .htm .warc .warc.gz .jsonl "
        ".jsonl.gz .txt), extract and clean each new or changed record, find near-duplicates against "
        "this run and every earlier run, and commit the tables atomically. Exit 0 when the run "
        "completed (even with rejected inputs), 1 when it failed, 2 on bad arguments, a missing "
        "input or an unwritable warehouse (checked before any work).",
    )
    add_param_options(r)
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("--json", action="store_true", help="print the run summary as JSON")

    e = sub.add_parser("explain", help="show a document's kept text and removed lines with their rules")
    e.add_argument("doc_id", help="doc_id from the articles or rejects table")
    e.add_argument("--warehouse", default="warehouse", help="warehouse root directory (default: ./warehouse)")

    _add_clean(sub)
    sub.add_parser("schema", help="print the table contract (columns, types, meaning) as Markdown")

    _add_maintenance(sub)
    _add_reclean(sub)
    _add_serve(sub)
    al = sub.add_parser(
        "alerts",
        help="install the alert automations for an existing deployment (e.g. one made with `prefect deploy`)",
        description="What `serve --notify` installs, for a deployment served or deployed another way: a "
        "webhook block and automations for failed runs, a deployment not ready, and run alerts.",
    )
    al.add_argument("--deployment", required=True, help="the deployment: ingest/NAME (or NAME)")
    al.add_argument("--notify", required=True, metavar="URL", help="webhook that gets the alerts")
    al.add_argument("--not-ready-minutes", type=float, default=5.0, help="see `serve --not-ready-minutes`")
    return p


def _add_clean(sub: Any) -> None:
    """The `clean` subcommand: one page (or each record of a JSONL/WARC file), no warehouse."""
    c = sub.add_parser(
        "clean",
        help="clean one page and print its text (no warehouse, no Prefect)",
        description="Run extraction and cleaning on one HTML or text file, on every record of a "
        "JSON Lines or WARC file, or on HTML from stdin ('-'), and print the clean text; --explain "
        "adds the page type and every removed line with its rule, --json one object per record. "
        "Exit 1 when every record is rejected (the reasons are printed).",
    )
    c.add_argument(
        "path", help="an HTML, text, JSON Lines or WARC file (every record of the last two), or - for HTML on stdin"
    )
    c.add_argument("--url", default=None, help="the page's URL (helps metadata; default: none)")
    c.add_argument(
        "--keep-headline", action="store_true", help="keep the headline as the first line where the page shows it"
    )
    c.add_argument(
        "--disable-rule",
        action="append",
        default=[],
        metavar="PREFIX",
        help="switch off cleaning rules by name or prefix (repeatable)",
    )
    c.add_argument(
        "--page-type",
        action="append",
        default=None,
        metavar="TYPE",
        dest="page_types",
        help="page types to keep as articles (repeatable; default: article)",
    )
    c.add_argument("--explain", action="store_true", help="also list the page type, removed lines and their rules")
    c.add_argument("--json", action="store_true", help="print title, author, date, text and removed lines as JSON")


def _add_maintenance(sub: Any) -> None:
    """The `runs` and `compact` subcommands."""
    rn = sub.add_parser(
        "runs",
        help="list committed runs with their counts; `runs drop RUN_ID` removes one",
        description="List the warehouse's committed runs (newest last) with their counts. "
        "`newsclean runs drop RUN_ID` removes a committed run from every table (its articles, "
        "duplicates, removed lines, rejects, band keys, site lines and file manifest) in one "
        "atomic publish: for a bad input or a bad rule. Its inputs are then read again by the "
        "next run.",
    )
    rn.add_argument("action", nargs="?", choices=["list", "drop"], default="list")
    rn.add_argument("run_id", nargs="?", help="the run to drop")
    rn.add_argument("--warehouse", default="warehouse", help="warehouse root directory (default: ./warehouse)")
    rn.add_argument(
        "--since", metavar="WHEN", help="only runs started at or after WHEN: a run id or an ISO time (2026-12-01T08:00)"
    )
    rn.add_argument("--failed", action="store_true", help="only failed and crashed runs, with their error")
    rn.add_argument("--changes", action="store_true", help="leave out runs that found nothing new")
    rn.add_argument("--json", action="store_true", help="one JSON object per run (JSON Lines) instead of a table")

    cp = sub.add_parser(
        "compact",
        help="merge the small per-run files of every table into large ones",
        description="Rewrite each table's per-run files (an hourly schedule makes thousands) "
        "into files of up to --rows rows, in one atomic publish; every query gives the same "
        "result before and after.",
    )
    cp.add_argument("--warehouse", default="warehouse", help="warehouse root directory (default: ./warehouse)")
    from flows.params import COMPACT_ROWS, COMPACT_ROWS_RANGE, IDLE_DAYS_RANGE

    cp.add_argument(
        "--rows",
        type=int,
        default=COMPACT_ROWS,
        help=f"rows per file (default: {COMPACT_ROWS}; range [{COMPACT_ROWS_RANGE[0]}, {COMPACT_ROWS_RANGE[1]}])",
    )
    cp.add_argument(
        "--drop-idle-runs-after",
        metavar="DAYS",
        type=int,
        default=0,
        help="also drop the `runs` rows of runs that found nothing new, finished more than DAYS days ago "
        f"(default: 0 = keep; range [{IDLE_DAYS_RANGE[0]}, {IDLE_DAYS_RANGE[1]}])",
    )


def _add_reclean(sub: Any) -> None:
    """The `reclean` subcommand: every run parameter but the inputs (the raw store is the input)."""
    rc = sub.add_parser(
        "reclean",
        help="derive every stored document again from the raw store with the current code and settings",
        description="Clean every stored document again from the warehouse's raw store (kept by every run "
        "unless --no-keep-raw) with this version's cleaner and the settings given here, learn site lines "
        "and cluster near-duplicates as one fresh run of the same records would, and replace the derived "
        "tables in one atomic publish (older snapshots keep theirs). Each row keeps the run that ingested "
        "its document; the re-clean adds a `runs` row of kind `reclean`.",
    )
    add_param_options(rc, inputs=False)
    rc.add_argument("--json", action="store_true", help="print what the re-clean did as JSON")


def _add_serve(sub: Any) -> None:
    """The `serve` subcommand: schedule, every run parameter as the runs' defaults, alerts."""
    from flows.automations import NOT_READY_MINUTES

    sv = sub.add_parser(
        "serve",
        help="serve the ingest flow as a Prefect deployment with a cron schedule",
        description="Register the `ingest` deployment with the Prefect server at PREFECT_API_URL "
        "and run its flow runs (scheduled, or triggered from the UI/API) until interrupted.",
    )
    sv.add_argument("--name", default="scheduled", help="deployment name (default: scheduled)")
    sv.add_argument("--cron", default="0 * * * *", help="cron schedule (default: hourly, '0 * * * *')")
    sv.add_argument(
        "--timezone", default="UTC", help="time zone of the cron schedule, e.g. Europe/Amsterdam (default: UTC)"
    )
    sv.add_argument("--paused", action="store_true", help="register the schedule paused (trigger runs by hand)")
    add_param_options(sv, inputs_flag=True)
    sv.add_argument(
        "--timeout-minutes",
        type=float,
        default=DEFAULT_TIMEOUT_MINUTES,
        help="fail a run that takes longer, so a hung run cannot hold the warehouse "
        f"(default: {DEFAULT_TIMEOUT_MINUTES:g}; 0 = no limit)",
    )
    sv.add_argument(
        "--notify",
        metavar="URL",
        default="",
        help="webhook (Slack, Teams or any receiver of a POSTed JSON `text`) that gets alerts: failed runs, "
        "serve not ready, run alerts (rejects, silent site, idle inbox); installs Prefect automations",
    )
    sv.add_argument(
        "--not-ready-minutes",
        type=float,
        default=NOT_READY_MINUTES,
        help=f"alert when the deployment stays NOT_READY this long (default: {NOT_READY_MINUTES:g}; 0 = at once)",
    )


def add_param_options(parser: argparse.ArgumentParser, inputs_flag: bool = False, inputs: bool = True) -> None:
    """One option per `IngestParams` field: its flag, type, help and default come from the model.

    `run` takes its inputs as arguments; `serve` (`inputs_flag`) as `--inputs`, the defaults of
    the runs it serves.
    """
    from flows.params import IngestParams

    for name, f in IngestParams.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        default = f.get_default(call_default_factory=True)
        help_text = f"{f.description} (default: {default})"
        if name == "inputs" and not inputs:
            continue
        if name == "inputs" and inputs_flag:
            parser.add_argument("--inputs", nargs="+", dest="inputs", default=None, metavar="INPUT", help=help_text)
        elif name == "inputs":
            parser.add_argument("inputs", nargs="+", metavar="INPUT", help=f.description)
        elif f.annotation is bool:
            flag = str(extra.get("cli") or f"--{name.replace('_', '-')}")
            parser.add_argument(
                flag,
                dest=name,
                action="store_const",
                const=not default,
                default=None,
                help=f"{f.description} (set: {not default})",
            )
        elif f.annotation == list[str]:
            flag = str(extra.get("cli") or f"--{name.replace('_', '-')}")
            parser.add_argument(
                flag, dest=name, action="append", default=None, metavar="NAME", help=f"{f.description} (repeatable)"
            )
        else:
            kind: Callable[[str], Any] = f.annotation if f.annotation in (int, float) else str  # type: ignore[assignment]
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, default=None, help=help_text)


def params_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The options given on the command line (others take the model's defaults)."""
    from flows.params import IngestParams

    return {k: getattr(args, k) for k in IngestParams.model_fields if getattr(args, k, None) is not None}


def _run(args: argparse.Namespace) -> int:
    from flows.server import start_prefect_server

    starting = start_prefect_server()  # boots in its own process while the pipeline is imported
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run_with(args, starting)
    except KeyboardInterrupt:
        print("newsclean: interrupted: the warehouse holds whole runs only; run again to finish", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        if starting is not None:
            starting.stop()  # no-op when the run already stopped it


def _serve(args: argparse.Namespace) -> int:
    """`newsclean serve`: check everything a served run needs at once, then serve until stopped."""
    from flows.automations import Notify
    from flows.deploy import ServeError, check_serve, serve

    try:
        notify = Notify(args.notify, args.not_ready_minutes) if args.notify else None
        served = check_serve(args.name, args.cron, args.timezone, params_from_args(args))
    except (ServeError, ValueError) as e:
        print(f"newsclean: {e}", file=sys.stderr)
        return 2
    try:
        serve(served, paused=args.paused, timeout_minutes=args.timeout_minutes, notify=notify)
    except KeyboardInterrupt:
        return 0
    return 0


def _alerts(args: argparse.Namespace) -> int:
    """`newsclean alerts`: the automations of `serve --notify` for an existing deployment."""
    from flows.automations import Notify, install_for
    from flows.deploy import ServeError, check_server

    try:
        notify = Notify(args.notify, args.not_ready_minutes)
        api_url = check_server()
        names = install_for(args.deployment, notify, api_url, os.environ.get("PREFECT_UI_URL"))
    except (ServeError, ValueError) as e:
        print(f"newsclean: {e}", file=sys.stderr)
        return 2
    print(f"alerts to {notify.url}: {', '.join(names)}")
    return 0


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (systemd, a container stop, `kill`): unwind like Ctrl-C, so the temporary server
    and the worker processes are stopped and the warehouse lock is released."""
    raise KeyboardInterrupt(f"signal {signum}")


def _run_with(args: argparse.Namespace, starting: TemporaryServer | None) -> int:
    from flows.params import ParameterError, preflight, validate

    try:
        params = validate(params_from_args(args))
    except ParameterError as e:
        print(f"newsclean: {e}", file=sys.stderr)
        return 2
    problems = preflight(params)
    if problems:
        for problem in problems:
            print(f"newsclean: {problem}", file=sys.stderr)
        return 2
    from flows.pipeline import ingest
    from flows.report import terminal
    from flows.server import prefect_api
    from flows.units import PROGRESS_ENV

    if not args.no_progress and sys.stderr.isatty():
        os.environ[PROGRESS_ENV] = "1"
    try:
        with prefect_api(starting):
            summary = ingest(params=params)
    except OSError as e:  # a full disk, a read-only warehouse: say which, in words
        print(f"newsclean: run failed: {_os_error(e)}", file=sys.stderr)
        return 1
    except Exception as e:  # the run itself failed: say why, exit non-zero
        print(f"newsclean: run failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(json.dumps(summary.to_dict(), indent=2, default=str) if args.json else terminal(summary))
    return 0


def _open_warehouse(path: str):  # type: ignore[no-untyped-def]
    """The warehouse at `path`, or None after a one-line message (no warehouse, or no run yet)."""
    from flows.warehouse import MARKER, Warehouse

    wh = Warehouse(path)
    if not (wh.root / MARKER).exists() and wh.snapshot() is None:
        print(
            f"newsclean: no warehouse at {wh.root} (a run creates it: newsclean run INPUT --warehouse DIR)",
            file=sys.stderr,
        )
        return None
    if wh.snapshot() is None:
        print(f"newsclean: no committed run in {wh.root} yet", file=sys.stderr)
        return None
    return wh


def _maintain(wh: Warehouse, action: Callable[[], Any]) -> Any:
    """Run a maintenance action under the lock, after recovering what a crashed command left;
    an OSError (read-only warehouse, disk full) is one line, not a traceback."""
    with wh.lock(timeout=3600):
        wh.recover()
        return action()


def _run_dedup_config(wh: Warehouse, run_id: str) -> DedupConfig | None:
    """The dedup settings a committed run used (for re-clustering after a drop), None if unreadable."""
    import polars as pl

    from flows.params import validate

    row = wh.scan("runs").filter(pl.col("run_id") == run_id).select("parameters").collect()
    try:
        return validate(json.loads(row.item(0, 0))).settings().dedup
    except Exception:
        return None


def _os_error(e: OSError) -> str:
    """An OSError in words, with the fix for the common ones (the warehouse is left as it was)."""
    import errno

    where = f" ({e.filename})" if e.filename else ""
    if e.errno == errno.ENOSPC:
        return f"no space left on the device{where}; free space and run again (nothing was published)"
    if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"the warehouse is not writable{where}: {e.strerror}; nothing was changed"
    return f"{e.strerror or e}{where}"


def _runs(args: argparse.Namespace) -> int:
    wh = _open_warehouse(args.warehouse)
    if wh is None:
        return 2
    if args.action == "drop":
        if not args.run_id:
            print("newsclean: runs drop needs a RUN_ID (see `newsclean runs`)", file=sys.stderr)
            return 2
        from flows.maintenance import drop_run

        try:
            n = _maintain(wh, lambda: drop_run(wh, args.run_id, _run_dedup_config(wh, args.run_id)))
        except KeyError as e:
            print(f"newsclean: {e.args[0]}", file=sys.stderr)
            return 2
        except OSError as e:
            print(f"newsclean: runs drop failed: {_os_error(e)}", file=sys.stderr)
            return 1
        print(f"dropped run {args.run_id}: {n} rows removed from every table")
        return 0
    from flows.run_record import RunFilter, list_runs

    try:
        runs = list_runs(wh, RunFilter.parse(args.since, args.failed, args.changes))
    except ValueError as e:
        print(f"newsclean: {e}", file=sys.stderr)
        return 2
    if args.json:
        for row in runs.to_dicts():
            print(json.dumps(row, default=str))
        return 0
    import polars as pl

    cols = ["run_id", "finished_at", "kind", "status", "n_files", "n_documents", "n_skipped", "n_articles"]
    cols += ["n_duplicates", "n_rejects", "seconds", "deployment"] + (["error"] if args.failed else [])
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, tbl_hide_dataframe_shape=True, fmt_str_lengths=200):
        print(runs.select(cols))
    return 0


def _compact(args: argparse.Namespace) -> int:
    from flows.maintenance import compact
    from flows.params import check_idle_days, check_rows

    try:
        rows, idle_days = check_rows(args.rows), check_idle_days(args.drop_idle_runs_after)
    except ValueError as e:
        print(f"newsclean: {e}", file=sys.stderr)
        return 2
    wh = _open_warehouse(args.warehouse)
    if wh is None:
        return 2
    n_runs = wh.read("runs").height
    try:
        counts = _maintain(wh, lambda: compact(wh, rows, idle_days))
    except OSError as e:
        print(f"newsclean: compact failed: {_os_error(e)}", file=sys.stderr)
        return 1
    for table, (before, after) in counts.items():
        print(f"{table:<14} {before:>6} files -> {after}")
    if idle_days:
        print(f"runs: {n_runs - wh.read('runs').height} rows of no-op runs older than {idle_days} days dropped")
    return 0


def _reclean(args: argparse.Namespace) -> int:
    import dataclasses

    from flows.params import ParameterError, validate
    from flows.reclean import no_raw_pages, reclean

    try:
        params = validate(params_from_args(args))
    except ParameterError as e:
        print(f"newsclean: {e}", file=sys.stderr)
        return 2
    wh = _open_warehouse(params.warehouse)
    if wh is None:
        return 2
    if (why := no_raw_pages(wh)) is not None:
        print(f"newsclean: {why}", file=sys.stderr)
        return 2
    try:
        done = reclean(wh, params, log=lambda line: print(line, file=sys.stderr))
    except OSError as e:
        print(f"newsclean: reclean failed: {_os_error(e)}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(dataclasses.asdict(done)))
    else:
        print(done.line())
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
        print(
            f"author:     {a['author']}\npublished:  {a['published_at']}\ncluster:    {a['cluster_id']}"
            f" ({'canonical' if a['is_canonical'] else 'duplicate'})\nwords:      {a['n_words']}\n"
            f"body from:  {a.get('extraction') or 'not recorded (cleaned before arbitration)'}\n"
        )
        print("--- kept text ---")
        print(a["text"])
    for r in rej.iter_rows(named=True):
        kind = f" [page type {r['page_type']}]" if r.get("page_type") else ""
        print(f"REJECTED at {r['stage']}: {r['reason']} ({r['detail']}) in run {r['run_id']}{kind}")
    print(f"\n--- removed lines ({removed.height}) ---")
    for r in removed.iter_rows(named=True):
        print(f"[{r['position']:>4}] {r['rule']:<24} {r['line']}")
    return 0


def _clean(args: argparse.Namespace) -> int:
    """Clean one file (HTML, text, or every record of a JSON Lines or WARC file) and print it."""
    from dataclasses import replace

    from cleaners.document import clean_document
    from cleaners.extract import quiet_library_logs
    from cleaners.records import RawDoc, Reject
    from flows.params import ParameterError, validate
    from flows.sources import read_file

    if args.path == "-":
        items: list[RawDoc | Reject] = [RawDoc("<stdin>", None, "stdin", url=args.url, html=sys.stdin.buffer.read())]
    elif not Path(args.path).is_file():
        print(f"newsclean: no such file: {args.path}", file=sys.stderr)
        return 2
    else:
        items = list(read_file(str(Path(args.path).absolute())))
        if args.url and len(items) == 1 and isinstance(items[0], RawDoc):
            items = [replace(items[0], url=args.url)]
    try:
        settings = validate(
            {
                "inputs": [args.path],
                "keep_headline": args.keep_headline,
                "disabled_rules": args.disable_rule,
                **({"page_types": args.page_types} if args.page_types else {}),
            }
        ).settings()
    except ParameterError as e:
        print(f"newsclean: {e}", file=sys.stderr)
        return 2
    quiet_library_logs()
    many = len(items) > 1 or (items and items[0].locator not in ("file", "stdin"))
    cleaned = 0
    for item in items:
        doc = clean_document(item, settings) if isinstance(item, RawDoc) else item
        cleaned += not isinstance(doc, Reject)
        _print_cleaned(doc, args, item.locator if many else None)
    return 0 if cleaned else 1


def _print_cleaned(doc: Any, args: argparse.Namespace, record: str | None) -> None:
    """One cleaned document or reject: JSON (one object a line), or its text and, with --explain, why."""
    from cleaners.records import Reject

    where = {"record": record, "source_id": doc.source_id} if record else {}
    if isinstance(doc, Reject):
        stage = doc.stage.value
        if args.json:
            print(
                json.dumps(
                    {
                        **where,
                        "rejected": True,
                        "stage": stage,
                        "reason": doc.reason.value,
                        "detail": doc.detail,
                        "page_type": doc.page_type,
                        "page_type_score": doc.page_type_score,
                    },
                    ensure_ascii=False,
                )
            )
        elif record:
            print(f"=== {record}: rejected at {stage}: {doc.reason.value} ({doc.detail})\n")
        else:
            print(f"newsclean: rejected at {stage}: {doc.reason.value} ({doc.detail})", file=sys.stderr)
        return
    removed = [{"position": r.position, "rule": r.rule, "line": r.line} for r in doc.removed]
    if args.json:
        data = {
            **where,
            "title": doc.title,
            "page_type": doc.page_type,
            "page_type_score": doc.page_type_score,
            "extraction": doc.extraction,
            "extraction_why": doc.extraction_why,
            "author": doc.author,
            "url": doc.url,
            "published_at": doc.published_at.isoformat() if doc.published_at else None,
            "text": doc.text,
            "removed": removed,
        }
        print(json.dumps(data, ensure_ascii=False) if record else json.dumps(data, ensure_ascii=False, indent=1))
        return
    if record:
        print(f"=== {record}{f' ({doc.source_id})' if doc.source_id else ''}: {doc.title or '(untitled)'}")
    print(doc.text)
    if args.explain:
        score = "" if doc.page_type_score is None else f", P(article) {doc.page_type_score:.2f}"
        print(f"\n--- page type: {doc.page_type}{score} ---")
        print(f"--- body from: {doc.extraction_why} ---")
        print(f"\n--- removed lines ({len(removed)}) ---")
        for r in removed:
            print(f"[{r['position']:>4}] {r['rule']:<24} {r['line']}")
    if record:
        print()


def main(argv: list[str] | None = None) -> int:
    """`newsclean` entry point: parse the command line and run the sub-command.

    A closed pipe (`newsclean schema | head`) ends the command quietly, as `head` asked.
    """
    try:
        return _main(argv)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python would flush stdout again at exit
        return 0


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "explain":
        return _explain(args)
    if args.command == "clean":
        return _clean(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "alerts":
        return _alerts(args)
    if args.command == "runs":
        return _runs(args)
    if args.command == "compact":
        return _compact(args)
    if args.command == "reclean":
        return _reclean(args)
    if args.command == "schema":
        from cleaners.schema import markdown

        print(markdown())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
