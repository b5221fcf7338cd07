"""Language detection: Arabic and Arabizi are answered in Arabic, English in English."""

from __future__ import annotations

import pytest

from bot.faq import detect_language
from bot.faq.arabizi import transliterate


@pytest.mark.parametrize(
    "text",
    ["كيف اقدم طلب", "ابي اكلم موظف", "وش الاجراءات؟", "طلبي رقم 123", "مرحبا hello"],
)
def test_arabic_script(text: str) -> None:
    assert detect_language(text) == "ar"


@pytest.mark.parametrize(
    "text",
    ["How do I apply for support?", "I want to talk to a human", "what are your contact channels", "hi", "ok"],
)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    ["abi mowadaf", "wain el jam3iya", "kaif a9'eer mt6awe3", "shlon aqadim 6alab", "ana abi a3rf", "7aj", "ab3a"],
)
def test_arabizi_is_answered_in_arabic(text: str) -> None:
    assert detect_language(text) == "ar"


@pytest.mark.parametrize("text", ["", "   ", "123 456", "😀😀👍", "?!...", "٣٤٥"])
def test_no_words(text: str) -> None:
    assert detect_language(text) is None


def test_transliteration_of_common_words() -> None:
    assert transliterate("abi akalim mowadaf") == "ابي اكلم موظف"
    assert transliterate("wain el jam3iya") == "وين الجمعيه"
    assert transliterate("kam") == "كم"


def test_a_detached_article_keeps_the_known_word() -> None:
    """"el bayanat" is the article and a word the table knows, not letters to spell out."""
    assert transliterate("el bayanat") == "البيانات"
    assert transliterate("wain el jam3iya") == "وين الجمعيه"  # a form of its own with the article


def test_short_vowels_and_pronoun_suffixes_arabic_does_not_write() -> None:
    assert transliterate("3indkum") == "عندكم"
    assert transliterate("3indakum") == "عندكم"
    assert transliterate("lakom") == "لكم"
    assert transliterate("bint") == "بنت"
    assert transliterate("mowadafin") == "موظفين"  # a vowel before one consonant stays


def test_english_words_inside_arabizi_stay_english() -> None:
    assert transliterate("wain el whatsapp 7agkum") == "وين whatsapp حقكم"
    assert transliterate("3indkum social media") == "عندكم social media"
