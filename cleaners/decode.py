"""Bytes to text: BOMs, declared and sniffed charsets, binary detection."""

from __future__ import annotations

import codecs
import re

from cleaners.records import RejectReason

_MAGIC = (
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"RIFF", "riff"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ", "xz"),
    (b"OggS", "ogg"),
    (b"ID3", "mp3"),
    (b"\x7fELF", "elf"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)


_CONTROLS = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])


class DecodeError(ValueError):
    """Bytes that are not text; `reason` goes to `rejects.reason` (stage `decode`)."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def sniff_binary(data: bytes) -> str | None:
    """The kind of binary file `data` starts with, or None if it may be text."""
    head = data[:16]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    sample = data[:4096]
    if sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Text (any 8-bit charset or UTF-8) almost never holds C0 controls other than
        # tab/newline/CR/ESC; random or compressed data has ~9% of them.
        controls = len(sample) - len(sample.translate(None, _CONTROLS))
        if controls > len(sample) // 20:
            return "binary"
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode page bytes: BOM, then UTF-8, then the declared/meta charset, then cp1252.

    Raises DecodeError for binary data. NUL bytes and undecodable bytes never raise: NULs
    are dropped, undecodable bytes become U+FFFD under the chosen charset.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace").replace("\x00", "")
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, "replace").replace("\x00", "")
    kind = sniff_binary(data)
    if kind:
        raise DecodeError(RejectReason.BINARY, f"looks like {kind} data, not text")
    try:
        return data.decode("utf-8").replace("\x00", "")
    except UnicodeDecodeError:
        pass
    candidates = []
    if declared:
        candidates.append(declared)
    m = _META_CHARSET.search(data[:8192])
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    for enc in candidates:
        try:
            codec = codecs.lookup(enc).name
        except LookupError:
            continue
        if codec in ("utf-8", "ascii"):
            continue  # declared UTF-8 but not valid UTF-8: the declaration is wrong
        try:
            return data.decode(codec).replace("\x00", "")
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", "replace").replace("\x00", "")
