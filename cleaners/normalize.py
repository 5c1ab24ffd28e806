"""Text normalization: mojibake, Unicode form, quotes, dashes, invisible characters, whitespace.

Every step is idempotent, so `normalize_text(normalize_text(x)) == normalize_text(x)`
(a Hypothesis test holds us to it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy

from cleaners.config import NormalizeConfig

_QUOTES = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u2035"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2036"), '"'),
}
# Hyphen look-alikes become '-'; en/em dashes keep their meaning but lose their variants.
_DASHES = {
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2212\ufe63\uff0d\u00ad"), "-"),
    **dict.fromkeys(map(ord, "\u2015\ufe58"), "\u2014"),
}
# Zero-width and bidi controls carry no text; C0/C1 controls other than tab/newline are noise.
_INVISIBLE = dict.fromkeys(
    [
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ],
    None,
)
_LINE_BREAKS = re.compile(r"\r\n|[\r\u0085\u2028\u2029\x0b\x0c]")
_SPACES = re.compile(r"[^\S\n]+")


# Cyrillic and Greek letters that look like Latin ones.
_CONFUSABLE = str.maketrans(
    {
        **dict(zip("АВЕКМНОРСТХУІЈЅаеорсхуіјѕԁӏ", "ABEKMHOPCTXYIJSaeopcxyijsdl")),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο", "ABEZHIKMNOPTYXo")),
    }
)
_NON_LATIN_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")
_MIXED_WORD = re.compile(r"\w*[A-Za-z]\w*")


def _fix_homoglyphs(text: str) -> str:
    """Latin look-alikes inside words that also hold Latin letters become Latin."""
    if not _NON_LATIN_LETTER.search(text):
        return text

    def fix(m: re.Match[str]) -> str:
        """A mixed-script word with its Cyrillic/Greek look-alike letters made Latin."""
        word = m.group(0)
        return word.translate(_CONFUSABLE) if _NON_LATIN_LETTER.search(word) else word

    return _MIXED_WORD.sub(fix, text)


@lru_cache(maxsize=8)
def _table(cfg: NormalizeConfig) -> dict[int, str | None]:
    table: dict[int, str | None] = dict(_INVISIBLE)
    if cfg.ascii_quotes:
        table.update(_QUOTES)
    if cfg.unify_dashes:
        table.update(_DASHES)
    return table


def normalize_line(line: str, cfg: NormalizeConfig = NormalizeConfig()) -> str:
    """Normalize one line (no newlines expected): characters, then whitespace."""
    return normalize_text(line, cfg).replace("\n", " ")


def normalize_text(text: str, cfg: NormalizeConfig = NormalizeConfig()) -> str:
    """Normalize a whole body; lines are stripped, empty lines dropped, joined by '\\n'.

    Mojibake repair can reveal new mojibake (a C1 control removed, then two characters that
    read as one in cp1252), so passes repeat until the text stops changing (at most 4).
    """
    if text.isascii() and text.isprintable():
        return _normalize_printable_ascii(text, cfg)
    for _ in range(4):
        out = _normalize_once(text, cfg)
        if out == text:
            break
        text = out
    return text


def _normalize_printable_ascii(text: str, cfg: NormalizeConfig) -> str:
    """`normalize_text` of one line of printable ASCII (most link texts and many lines): only
    spaces and the backtick quote can change (tests/cleaners/test_normalize.py holds it to the full path)."""
    out = " ".join(text.split())
    return out.replace("`", "'") if cfg.ascii_quotes else out


def _normalize_once(text: str, cfg: NormalizeConfig) -> str:
    if cfg.fix_mojibake and not text.isascii():
        text = ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=False, normalization=None)
    text = unicodedata.normalize(cfg.unicode_form, text)  # type: ignore[arg-type]  # NFC/NFKC, checked by the config
    text = _LINE_BREAKS.sub("\n", text)
    text = text.translate(_table(cfg))
    if cfg.fix_homoglyphs:
        text = _fix_homoglyphs(text)
    # translate can expose new combining sequences (e.g. a removed ZWJ); renormalize once.
    text = unicodedata.normalize(cfg.unicode_form, text)  # type: ignore[arg-type]
    lines = (_SPACES.sub(" ", ln).strip() for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)


def split_lines(text: str, cfg: NormalizeConfig = NormalizeConfig()) -> list[str]:
    """Normalized, non-empty lines of `text`."""
    out = normalize_text(text, cfg)
    return out.split("\n") if out else []
