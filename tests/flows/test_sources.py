"""Readers: every format, bad records kept apart from good ones, no exception on any bytes."""

import contextlib
import gzip
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners.config import Limits, Settings
from cleaners.decode import DecodeError, decode_bytes
from cleaners.document import clean_document
from cleaners.identity import id_key, raw_hash
from cleaners.records import RawDoc, Reject
from flows.sources import bounded_lines, read_file
from tests.conftest import SEEDS


def _kinds(items):
    return [(type(i).__name__, i.locator, getattr(i, "reason", None)) for i in items]


def test_files_without_an_extension_are_sniffed(tmp_path):
    page = (
        "<!DOCTYPE html><html><body><article><p>"
        + "A sentence about the harbour. " * 20
        + "</p></article></body></html>"
    )
    (tmp_path / "page").write_text(page)
    (tmp_path / "feed").write_text(json.dumps({"id": 1, "text": "hello world"}) + "\n")
    (tmp_path / "feed-gz").write_bytes(gzip.compress((json.dumps({"id": 2, "text": "hi"}) + "\n").encode()))
    (tmp_path / "crawl").write_bytes(gzip.decompress((SEEDS / "crawl.warc.gz").read_bytes()))
    (tmp_path / "notes").write_text("just some notes")
    assert [type(i).__name__ for i in read_file(str(tmp_path / "page"))] == ["RawDoc"]
    assert [i.source_id for i in read_file(str(tmp_path / "feed"))] == ["1"]
    assert [i.source_id for i in read_file(str(tmp_path / "feed-gz"))] == ["2"]
    assert len([i for i in read_file(str(tmp_path / "crawl")) if isinstance(i, RawDoc)]) == 2
    assert [i.reason for i in read_file(str(tmp_path / "notes"))] == ["unsupported_format"]


def test_jsonl_keeps_good_lines_and_rejects_bad_ones(tmp_path):
    lines = [
        json.dumps({"id": "a", "url": "https://x.org/1", "text": "hello world"}),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"id": "c", "text": 5}),
        json.dumps({"id": {"nested": 1}, "text": "x"}),
        json.dumps({"url": "https://x.org/2"}),
        "",
        json.dumps({"id": 7, "html": "<p>hi</p>", "published_at": "2024-01-02"}),
    ]
    p = tmp_path / "f.jsonl.gz"
    p.write_bytes(gzip.compress("\n".join(lines).encode()))
    got = _kinds(read_file(str(p)))
    assert got == [
        ("RawDoc", "line:1", None),
        ("Reject", "line:2", "invalid_json"),
        ("Reject", "line:3", "not_an_object"),
        ("Reject", "line:4", "wrong_type"),
        ("Reject", "line:5", "wrong_type"),
        ("Reject", "line:6", "missing_content"),
        ("RawDoc", "line:8", None),
    ]


def test_corrupt_gzip_keeps_what_was_readable(tmp_path):
    good = "\n".join(json.dumps({"id": str(i), "text": "x " * 50}) for i in range(200)).encode()
    blob = gzip.compress(good)
    p = tmp_path / "broken.jsonl.gz"
    p.write_bytes(blob[: len(blob) // 2])
    items = list(read_file(str(p)))
    assert any(isinstance(i, RawDoc) for i in items)
    assert isinstance(items[-1], Reject) and items[-1].reason == "corrupt_file"


def test_gzip_bomb_is_capped(tmp_path):
    p = tmp_path / "bomb.jsonl.gz"
    p.write_bytes(gzip.compress(b"\n" * 5_000_000))
    items = list(read_file(str(p), Limits(max_decompressed_bytes=1_000_000)))
    assert [i.reason for i in items] == ["too_large"] and "max_decompressed_mb 1" in items[0].detail


def test_warc_seed_records_have_ids_urls_and_offsets():
    items = list(read_file(str(SEEDS / "crawl.warc.gz")))
    assert len(items) == 2 and all(isinstance(i, RawDoc) for i in items)
    assert all(i.source_id.startswith("<urn:uuid:") and i.url.startswith("https://") for i in items)
    assert items[0].locator == "offset:0" and items[1].locator.startswith("offset:")


def test_truncated_warc_keeps_good_records(tmp_path):
    data = (SEEDS / "crawl.warc.gz").read_bytes()
    p = tmp_path / "t.warc.gz"
    p.write_bytes(data[: len(data) - 300])
    items = list(read_file(str(p)))
    assert isinstance(items[0], RawDoc)
    assert isinstance(items[-1], Reject) and items[-1].reason in {"truncated_record", "corrupt_record"}


def test_empty_and_unknown_files_are_rejected_with_reasons(tmp_path):
    (tmp_path / "e.html").write_bytes(b"  \n")
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "img.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert [i.reason for i in read_file(str(tmp_path / "e.html"))] == ["empty"]
    assert [i.reason for i in read_file(str(tmp_path / "x.pdf"))] == ["unsupported_format"]
    raw = next(read_file(str(tmp_path / "img.html")))
    assert clean_document(raw, Settings()).reason == "binary"


def test_jsonl_ids_cannot_collide_with_locators_or_other_types(tmp_path):
    assert id_key(7) != id_key("7") and id_key("line:3") != "line:3"
    p = tmp_path / "ids.jsonl"
    body = "the same body text for every record in this file"
    p.write_text(
        "\n".join(
            json.dumps(o)
            for o in (
                {"id": 7, "text": body},
                {"id": "7", "text": body},
                {"id": "line:3", "text": body},
                {"text": body},
            )
        )
        + "\n"
    )
    items = list(read_file(str(p)))
    assert [i.source_id for i in items] == ["7", "7", "line:3", None]
    assert len({i.doc_id for i in items}) == 4


def test_a_record_keeps_its_id_when_its_line_moves(tmp_path):
    p = tmp_path / "feed.jsonl"
    a, b = json.dumps({"url": "https://x.org/a", "text": "alpha " * 30}), json.dumps({"id": 1, "text": "beta " * 30})
    p.write_text(a + "\n" + b + "\n")
    first = {i.doc_id for i in read_file(str(p))}
    p.write_text(json.dumps({"text": "new " * 30}) + "\n" + a + "\n" + b + "\n")
    second = [i.doc_id for i in read_file(str(p))]
    assert first <= set(second) and len(set(second) - first) == 1


def test_bounded_lines_skip_overlong_lines_with_their_hash():
    import io

    data = b"short\n" + b"x" * 5000 + b"\nafter\n\n\r\n\nlast"
    got = list(bounded_lines(io.BytesIO(data), cap=100))
    assert [(no, ln, n) for no, ln, n, _ in got] == [
        (1, b"short", 5),
        (2, None, 5000),
        (3, b"after", 5),
        (7, b"last", 4),
    ]
    assert got[1][3] == raw_hash(b"x" * 5000)


@given(st.lists(st.sampled_from([b"", b"\r", b"a", b"bb", b" ", b"x" * 30]), max_size=60), st.integers(1, 40))
def test_bounded_lines_number_every_non_empty_line_as_splitlines_does(lines, block):
    import io

    import flows.sources as sources

    data = b"\n".join(lines)
    want = [(i + 1, ln) for i, ln in enumerate(data.split(b"\n")) if ln.strip()]
    old, sources.READ_BLOCK = sources.READ_BLOCK, block  # lines and blank runs across block edges
    try:
        got = [
            (no, ln)
            for no, ln, _, _ in bounded_lines(io.BufferedReader(io.BytesIO(data)), cap=20)
            if ln is None or ln.strip()  # whitespace-only lines are the caller's to skip
        ]
    finally:
        sources.READ_BLOCK = old
    assert [no for no, _ in got] == [no for no, _ in want]
    assert [ln for _, ln in got] == [ln if len(ln) <= 20 else None for _, ln in want]


def test_parts_cover_every_record_exactly_once(tmp_path):
    p = tmp_path / "big.jsonl.gz"
    p.write_bytes(gzip.compress("\n".join(json.dumps({"id": i, "text": f"doc {i}"}) for i in range(300)).encode()))
    whole = [i.doc_id for i in read_file(str(p))]
    parts = [i.doc_id for k in range(3) for i in read_file(str(p), part=k, parts=3)]
    assert len(whole) == 300 and sorted(parts) == sorted(whole)
    assert all(len(list(read_file(str(p), part=k, parts=3))) > 50 for k in range(3))


def test_parts_of_a_file_get_equal_record_counts(tmp_path):
    """A file of 138 records in 3 parts: 46 each (blocks of 32 gave 64 / 42 / 32, and the
    largest part ran alone at the end of a two-worker run)."""
    p = tmp_path / "feed.jsonl"
    p.write_text("\n".join(json.dumps({"id": i, "text": f"doc {i}"}) for i in range(138)) + "\n")
    counts = [len(list(read_file(str(p), part=k, parts=3))) for k in range(3)]
    assert counts == [46, 46, 46]
    counts = [len(list(read_file(str(p), part=k, parts=4))) for k in range(4)]
    assert sorted(counts) == [34, 34, 35, 35]


def test_a_fifo_is_rejected_without_being_opened(tmp_path):

    os.mkfifo(tmp_path / "x.html")
    assert [i.reason for i in read_file(str(tmp_path / "x.html"))] == ["not_a_file"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_no_exception_escapes_on_arbitrary_bytes(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("fuzz")
    for name in ("x.html", "x.txt", "x.jsonl", "x.jsonl.gz", "x.warc", "x.warc.gz"):
        p = d / name
        p.write_bytes(data)
        for item in read_file(str(p)):
            if isinstance(item, RawDoc):
                out = clean_document(item, Settings())
                assert out is not None
    with contextlib.suppress(DecodeError):
        decode_bytes(data)


def test_a_file_without_documents_is_a_reject(tmp_path):
    (tmp_path / "blank.jsonl").write_text("\n\n  \n")
    items = list(read_file(str(tmp_path / "blank.jsonl")))
    assert [(type(i).__name__, i.reason) for i in items] == [("Reject", "no_documents")]


def _warc_gz(path, payloads: list[bytes]) -> None:
    """A .warc.gz of HTML responses, one gzip member per record (as crawlers write them)."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, payload in enumerate(payloads):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
            rec = writer.create_warc_record(
                f"https://bomb.example/{i}", "response", payload=io.BytesIO(payload), http_headers=headers
            )
            writer.write_record(rec)


PAGE = (
    b"<html><body><article>"
    + b"<p>A paragraph about the harbour and the ferries.</p>" * 20
    + b"</article></body></html>"
)


def test_a_warc_gz_bomb_stops_at_the_decompression_budget_and_keeps_the_records_before(tmp_path):
    p = tmp_path / "bomb.warc.gz"
    _warc_gz(p, [PAGE, b"<html>" + b" " * 30_000_000, PAGE + b"<!-- after -->"])
    items = list(read_file(str(p), Limits(max_decompressed_bytes=5_000_000)))
    assert [type(i).__name__ for i in items] == ["RawDoc", "Reject"]
    assert items[1].reason == "too_large" and "5,000,000 bytes" in items[1].detail
    # The budget is shared by the parts of a file: each part of four may inflate a quarter.
    parts = [list(read_file(str(p), Limits(max_decompressed_bytes=40_000_000), k, 4)) for k in range(4)]
    assert [i.reason for part in parts for i in part if isinstance(i, Reject)] == ["too_large"]
    assert "10,000,000 bytes" in parts[0][-1].detail and "shared by the 4 parts" in parts[0][-1].detail
