"""Word counts for every script, and the body's language."""

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from cleaners.language import count_words, detect_language, n_words_expr

JA = "東京都は二十五日、新しい港湾計画を発表した。計画では、貨物の取扱量を十年で二倍にすることを目指している。"
ZH = "上海港今天宣布新的扩建计划，预计在未来十年内将集装箱吞吐量提高一倍，并新建三个深水泊位。"


def test_unspaced_scripts_count_about_one_word_per_two_characters():
    assert count_words("The harbour opened on Monday.") == 5
    marks = sum(1 for ch in JA if ch in "、。")  # CJK punctuation stands alone: one token each
    assert count_words(JA) == -(-(len(JA) - marks) // 2) + marks
    assert count_words(ZH * 3) >= 60  # a short Chinese article passes min_words=20
    assert count_words("Tokyo 東京 harbour") == 3


# Planes 0-2: characters assigned after both regex engines' Unicode tables (plane 3 Han
# extensions) may be classed differently by Python's `regex` and Rust's `regex`.
@given(st.text(st.characters(max_codepoint=0x2FFFF, exclude_categories=("Cs",)), max_size=300))
def test_polars_expression_agrees_with_python(text):
    got = pl.DataFrame({"text": [text]}).select(n_words_expr("text"))["text"][0]
    assert got == count_words(text)


def test_language_of_bodies():
    assert detect_language("The city council approved the new ferry line to the islands on Thursday evening.") == "en"
    assert detect_language("Der Stadtrat hat am Donnerstag die neue Fährlinie zu den Inseln genehmigt.") == "de"
    assert detect_language(JA) == "ja" and detect_language(ZH) == "zh"
    assert detect_language("Too short") is None
