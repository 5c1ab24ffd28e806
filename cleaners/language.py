"""Language of a body and word counts that work for scripts written without spaces.

Language: py3langid (langid.py's model, shipped inside the package: offline, deterministic,
97 languages, ~1 ms per body on its first 2,000 characters; trafilatura uses the same library
for its own language filter). A body too short to tell gets null.

Words: whitespace-separated tokens, except that characters of scripts written without spaces
(Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) count one word per `CHARS_PER_WORD`
characters (about the mean word length of Chinese and Japanese), so `min_words` means roughly
the same amount of text in every language.
"""

from __future__ import annotations

import math

import polars as pl
import regex

_UNSPACED_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3134F),  # CJK extensions B-H and compatibility supplement
)
UNSPACED = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _UNSPACED_BLOCKS)
"""Scripts written without spaces, as code-point blocks: Python's `regex` and Polars' Rust regex
ship different Unicode versions, so script properties (\\p{Han}) would disagree on new characters."""
CHARS_PER_WORD = 2
MIN_LANGUAGE_CHARS = 40
LANGUAGE_SAMPLE_CHARS = 2000
WORD = r"[^\p{White_Space}]+"
"""A spaced word: a run of non-white-space (Unicode's White_Space, the same in Python and Polars)."""
_WORD_RE = regex.compile(WORD)
_UNSPACED_RE = regex.compile(f"[{UNSPACED}]")  # the same Unicode script classes as Polars' regex


def count_words(text: str) -> int:
    """Words in `text` by the rule above (spaced tokens + unspaced characters / CHARS_PER_WORD)."""
    unspaced = len(_UNSPACED_RE.findall(text))
    spaced = len(_WORD_RE.findall(_UNSPACED_RE.sub(" ", text)))
    return spaced + math.ceil(unspaced / CHARS_PER_WORD)


def n_words_expr(col: str = "text") -> pl.Expr:
    """`count_words` as a Polars expression (Int32)."""
    c = pl.col(col)
    unspaced = c.str.count_matches(f"[{UNSPACED}]")
    spaced = c.str.replace_all(f"[{UNSPACED}]", " ").str.count_matches(WORD)
    return (spaced + (unspaced + CHARS_PER_WORD - 1) // CHARS_PER_WORD).cast(pl.Int32)


def _enough_letters(sample: str) -> bool:
    """Whether `sample` has MIN_LANGUAGE_CHARS letters (stops counting once it has)."""
    letters = 0
    for ch in sample:
        if ch.isalpha():
            letters += 1
            if letters >= MIN_LANGUAGE_CHARS:
                return True
    return False


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the body's language, or None when the text is too short to tell."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if not _enough_letters(sample):
        return None
    import py3langid  # loads its model (~1 s) on first use, once per process

    lang, _ = py3langid.classify(sample)
    return str(lang)


def warm_up() -> None:
    """Load the language model now (about a second, once per process), outside any per-document time limit."""
    detect_language("warm up " * 10)
