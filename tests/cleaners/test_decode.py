"""Decoding page bytes (cleaners/decode.py): BOMs, declared charsets, binary data."""

from cleaners.decode import decode_bytes


def test_decode_charsets():
    assert decode_bytes("café".encode("cp1252")) == "café"
    assert decode_bytes("hällo".encode("utf-16")) == "hällo"
    assert decode_bytes(b'<meta charset="iso-8859-2">\xb1').endswith("ą")
    assert decode_bytes(b'<meta charset="utf-8">caf\xe9').endswith("café")  # wrong declaration
