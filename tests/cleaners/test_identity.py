"""Document identity (cleaners/identity.py): place plus content, typed ids."""

from cleaners.identity import doc_id, raw_hash


def test_doc_id_is_stable_and_follows_content():
    h1, h2 = raw_hash(b"one"), raw_hash(b"two")
    assert doc_id("/a.jsonl", "", h1) == doc_id("/a.jsonl", "", h1)
    assert doc_id("/a.jsonl", "", h1) != doc_id("/a.jsonl", "", h2)
    assert doc_id("/a.jsonl", "", h1) != doc_id("/b.jsonl", "", h1)
    assert len(doc_id("/a", "b", h1)) == 16 and int(doc_id("/a", "b", h1), 16) >= 0
