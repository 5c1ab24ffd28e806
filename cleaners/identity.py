"""Document identity: a record's place (file + its own id) plus a hash of its raw bytes.

`doc_id = H(source, key, raw_hash)`. `key` is the record's own id, typed so that ids of
different JSON types or a locator-looking id cannot collide (`id:s:7`, `id:i:7`, `warc:<urn>`),
or empty for a record that has none (a file, an id-less JSONL line): then the content alone
tells records of one file apart. So an unchanged record always gets the same id (a re-run skips
it), and changed bytes at a known path, URL or id are a new document (a new version).
"""

from __future__ import annotations

import hashlib

import xxhash


def raw_hash(data: bytes | str) -> str:
    """128-bit hex hash of a record's raw bytes (a str is hashed as UTF-8)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return xxhash.xxh3_128_hexdigest(data)


def id_key(value: object) -> str:
    """The typed identity key of a record's own id: `id:s:abc`, `id:i:7` (never equal to a locator)."""
    kind = "i" if isinstance(value, int) and not isinstance(value, bool) else "s"
    return f"id:{kind}:{value}"


def doc_id(source: str, key: str, content_hash: str | None) -> str:
    """Stable 16-hex-digit id of a document: its file, its own id (or ''), its raw content hash.

    A record whose bytes are unknown (an unreadable file) has `content_hash=None`; its id is
    then tied to its place only.
    """
    payload = f"{source}\x00{key}\x00{content_hash or ''}"
    return hashlib.blake2b(payload.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def doc_key(doc_id_hex: str) -> int:
    """doc_id (16 hex digits) as the unsigned 64-bit key of the band index."""
    return int(doc_id_hex, 16)
