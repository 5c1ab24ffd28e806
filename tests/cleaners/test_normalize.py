from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.config import NormalizeConfig
from cleaners.normalize import normalize_line, normalize_text, split_lines


def test_quotes_dashes_spaces_and_invisibles():
    s = "Hamas\u2019 offices \u2014 \u201cquoted\u201d\u00a0 text\u200b here \u2212 5\u2011year"
    assert normalize_line(s) == 'Hamas\' offices \u2014 "quoted" text here - 5-year'


def test_mojibake_is_repaired():
    assert normalize_line("caf\u00c3\u00a9 cr\u00c3\u00a8me") == "caf\u00e9 cr\u00e8me"


def test_line_breaks_and_blank_lines():
    assert split_lines("a\r\n\r\n  b  \u2028c\n\n\n") == ["a", "b", "c"]


def test_options_can_keep_typography():
    cfg = NormalizeConfig(ascii_quotes=False, unify_dashes=False)
    assert normalize_line("\u201cx\u201d \u2011", cfg) == "\u201cx\u201d \u2011"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_is_idempotent(s):
    once = normalize_text(s)
    assert normalize_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalized_lines_are_stripped_and_non_empty(s):
    for line in split_lines(s):
        assert line and line == line.strip() and "\n" not in line and "  " not in line


def test_homoglyphs_inside_latin_words_become_latin():
    spoofed = "\u0410dv\u0435rt\u0456\u0455\u0435 w\u0456th th\u0435 news site in \u0412\u0435l\u0456z\u0435"
    assert normalize_line(spoofed) == "Advertise with the news site in Belize"
    # Words wholly in Cyrillic or Greek are text, not spoofing.
    assert (
        normalize_line("\u041c\u043e\u0441\u043a\u0432\u0430 and \u0391\u03b8\u03ae\u03bd\u03b1")
        == "\u041c\u043e\u0441\u043a\u0432\u0430 and \u0391\u03b8\u03ae\u03bd\u03b1"
    )
    assert normalize_line(spoofed, NormalizeConfig(fix_homoglyphs=False)) != "Advertise with the news site in Belize"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcxyz AEO\u0430\u0435\u043e\u0441\u0410\u0416\u0436\u03bf\u0391\u03b8")))
def test_homoglyph_repair_is_idempotent_on_mixed_scripts(s):
    once = normalize_text(s)
    assert normalize_text(once) == once


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80),
    st.sampled_from([NormalizeConfig(), NormalizeConfig(ascii_quotes=False), NormalizeConfig(fix_mojibake=False)]),
)
def test_printable_ascii_fast_path_equals_the_full_path(s, cfg):
    """The shortcut for printable ASCII gives what the full chain of steps gives."""
    from cleaners.normalize import _normalize_once

    full = s
    for _ in range(4):
        nxt = _normalize_once(full, cfg)
        if nxt == full:
            break
        full = nxt
    assert normalize_text(s, cfg) == full
