"""The raw-page codec (cleaners/raw.py): a RawDoc -> its stored row -> the same RawDoc, exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cleaners.config import Settings
from cleaners.document import clean_document
from cleaners.identity import raw_hash
from cleaners.raw import ContentKind, content_of, raw_doc, raw_row
from cleaners.records import RawDoc, Reject

_opt = st.none() | st.text(max_size=40)


@st.composite
def raw_docs(draw) -> RawDoc:
    kind = draw(st.sampled_from(list(ContentKind)))
    body = draw(st.text(max_size=300))  # any code point, lone surrogates included
    html: str | bytes | None = None
    text = None
    if kind is ContentKind.HTML_BYTES:
        html = draw(st.binary(max_size=300))
    elif kind is ContentKind.HTML_STR:
        html = body
    else:
        text = body
    return RawDoc(
        source=draw(st.text(min_size=1, max_size=40)),
        source_id=draw(_opt),
        locator=draw(st.text(min_size=1, max_size=20)),
        url=draw(_opt),
        html=html,
        text=text,
        published_at=draw(_opt),
        title=draw(_opt),
        fmt=draw(st.sampled_from(["html", "txt"])),
        key=draw(st.text(max_size=20)),
        raw_hash=raw_hash(html if html is not None else text or ""),
    )


@given(raw_docs())
def test_a_record_round_trips_through_its_row_field_for_field(doc):
    row = raw_row(doc)
    assert row is not None and row["doc_id"] == doc.doc_id
    back = raw_doc(row)
    assert back == doc and type(back.html) is type(doc.html)  # bytes stay bytes, a str stays a str


def test_a_record_without_content_or_hash_has_no_row():
    assert content_of(RawDoc("f", None, "file")) is None
    assert raw_row(RawDoc("f", None, "file")) is None
    assert raw_row(RawDoc("f", None, "file", text="words")) is None  # no raw_hash: nothing to address it by


def test_the_stored_copy_cleans_to_the_same_article():
    html = (
        "<html><head><title>Harbour ferry</title></head><body><article><h1>Harbour ferry</h1>"
        + "".join(f"<p>The harbour ferry ran on day {i} with {i * 7} passengers aboard the boat.</p>" for i in range(8))
        + "<p>Subscribe to our newsletter for free updates.</p></article></body></html>"
    ).encode()
    doc = RawDoc("/in/a.html", None, "file", html=html, raw_hash=raw_hash(html))
    first, again = clean_document(doc, Settings()), clean_document(raw_doc(raw_row(doc)), Settings())
    assert first == again and not isinstance(first, Reject) and first.lines  # the same record gives the same result
