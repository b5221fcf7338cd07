"""Validators and normalisers: properties over generated input, plus the cases people really type."""

from __future__ import annotations

import inspect
import re
from dataclasses import replace
from datetime import date

import pytest
from hijridate import Gregorian
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.flows import dates as flow_dates
from bot.flows import validators
from bot.flows.matching import Ambiguous, Option, match_option
from bot.flows.messages import reason_text
from bot.flows.normalize import clean, fold, fold_digits
from bot.flows.validators import (
    FIELD_TYPES,
    FieldSpec,
    Invalid,
    Valid,
    saudi_id_check_digit,
    validate,
)
from bot.types import Attachment

AR_DIGITS = "٠١٢٣٤٥٦٧٨٩"
FA_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


def to_arabic(s: str) -> str:
    return "".join(AR_DIGITS[int(c)] if c.isdigit() else c for c in s)


def to_persian(s: str) -> str:
    return "".join(FA_DIGITS[int(c)] if c.isdigit() else c for c in s)


def luhn_ok(digits: str) -> bool:
    """Independent reading of the rule: odd positions doubled (digit sum), even added, total % 10 == 0."""
    total = 0
    for pos, ch in enumerate(digits, start=1):
        d = int(ch)
        if pos % 2 == 1:
            d = sum(int(x) for x in str(d * 2))
        total += d
    return total % 10 == 0


def v(type_: str, raw: str, **kw: object) -> Valid | Invalid:
    return validate(raw, FieldSpec(type=type_, **kw))  # type: ignore[arg-type]


nine = st.text(alphabet="0123456789", min_size=8, max_size=8)
first = st.sampled_from("12")


@st.composite
def national_ids(draw: st.DrawFn) -> str:
    head = draw(first) + draw(nine)
    return head + str(saudi_id_check_digit(head))


# --- national ID --------------------------------------------------------------------------------


@given(national_ids())
@example("1000000008")
def test_generated_national_ids_pass(nid: str) -> None:
    assert luhn_ok(nid)
    r = v("national_id", nid)
    assert isinstance(r, Valid)
    assert r.value == nid
    assert r.display == "******" + nid[-4:]


@given(national_ids(), st.integers(0, 9))
def test_altering_check_digit_fails(nid: str, d: int) -> None:
    if str(d) == nid[-1]:
        return
    r = v("national_id", nid[:-1] + str(d))
    assert r == Invalid("nid_checksum")


@given(national_ids(), st.integers(1, 8), st.integers(1, 9))
def test_any_single_digit_error_is_caught(nid: str, pos: int, delta: int) -> None:
    wrong = nid[:pos] + str((int(nid[pos]) + delta) % 10) + nid[pos + 1 :]
    assert v("national_id", wrong) == Invalid("nid_checksum")


@given(national_ids(), st.sampled_from(["plain", "arabic", "persian", "spaced", "dashed"]))
def test_national_id_accepts_arabic_digits_and_separators(nid: str, form: str) -> None:
    raw = {
        "plain": nid,
        "arabic": to_arabic(nid),
        "persian": to_persian(nid),
        "spaced": f"{nid[:1]} {nid[1:5]} {nid[5:]}",
        "dashed": f" {nid[:4]}-{nid[4:]} ",
    }[form]
    r = v("national_id", raw)
    assert isinstance(r, Valid) and r.value == nid


@given(st.sampled_from("034567890"), nine)
def test_national_id_must_start_with_1_or_2(head: str, middle: str) -> None:
    body = head + middle
    assert v("national_id", body + str(saudi_id_check_digit(body))) == Invalid("nid_prefix")


@pytest.mark.parametrize("raw", ["", "123", "12345678901", "abcdefghij", "1٢٣"])
def test_national_id_length(raw: str) -> None:
    assert v("national_id", raw) == Invalid("nid_length")


def test_national_id_reason_text_is_courteous_and_bilingual() -> None:
    assert reason_text("nid_length", {}, "ar") == (
        "رقم الهوية يتكون من 10 أرقام ويبدأ بـ 1 للمواطن أو 2 للمقيم. فضلاً أعد كتابته."
    )
    assert "10 digits" in reason_text("nid_length", {}, "en")


# --- phone ----------------------------------------------------------------------------------------

mobile_national = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(["50", "53", "54", "55", "56", "57", "58", "59"]),
    st.text(alphabet="0123456789", min_size=7, max_size=7),
).filter(lambda n: not n.startswith("5799"))  # 5799xxxxx is not allocated to mobiles (libphonenumber data)


@given(mobile_national, st.sampled_from(["0", "", "+966", "00966", "966", "+966 ", "٠", "arabic-intl", "dashes"]))
def test_phone_normalises_to_e164(n: str, form: str) -> None:
    if form == "arabic-intl":
        raw = "+" + to_arabic("966" + n)
    elif form == "dashes":
        raw = f"0{n[:2]}-{n[2:5]} {n[5:]}"
    elif form == "٠":
        raw = to_arabic("0" + n)
    else:
        raw = form + n
    r = v("phone", raw)
    assert isinstance(r, Valid), raw
    assert r.value == "+966" + n
    again = v("phone", r.value)  # round trip: the stored form validates to itself
    assert isinstance(again, Valid) and again.value == r.value


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0112345678", "phone_landline"),
        ("012 654 3210", "phone_landline"),
        ("+971501234567", "phone_not_saudi"),
        ("+44 7700 900123", "phone_not_saudi"),
        ("0521234567", "phone_invalid"),
        ("12345", "phone_invalid"),
        ("جوالي", "phone_invalid"),
        ("", "phone_invalid"),
    ],
)
def test_phone_rejections(raw: str, reason: str) -> None:
    assert v("phone", raw) == Invalid(reason)


# --- dates ----------------------------------------------------------------------------------------

supported = st.dates(min_value=date(1937, 3, 14), max_value=date(2077, 11, 16))


@given(supported)
def test_gregorian_forms(d: date) -> None:
    for raw in (d.isoformat(), f"{d.day}/{d.month}/{d.year}", to_arabic(f"{d.day}/{d.month}/{d.year}") + " م"):
        r = v("date", raw)
        assert isinstance(r, Valid) and r.value == d.isoformat(), raw


@given(supported)
def test_hijri_forms_convert_to_the_same_gregorian_day(d: date) -> None:
    y, m, dd = Gregorian(d.year, d.month, d.day).to_hijri().datetuple()
    for raw in (f"{y}/{m:02d}/{dd:02d}", f"{dd}/{m}/{y}هـ", to_arabic(f"{dd}/{m}/{y}") + " هـ"):
        r = v("date", raw)
        assert isinstance(r, Valid) and r.value == d.isoformat(), raw
        assert "هـ" in r.display


def test_examples_from_the_brief() -> None:
    assert v("date", "2025-03-01") == Valid("2025-03-01", "2025-03-01 (1446/09/01 هـ)")
    assert isinstance(r := v("date", "1/3/2025"), Valid) and r.value == "2025-03-01"
    assert isinstance(r := v("date", "1446/08/25"), Valid) and r.value == "2025-02-24"
    assert isinstance(r := v("date", "25/8/1446هـ"), Valid) and r.value == "2025-02-24"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("30/2/2025", "date_invalid"),
        ("1446/13/01", "date_invalid"),
        ("bukra", "date_format"),
        ("1/3/25", "date_format"),
        ("1/1/1800", "date_out_of_range"),
        ("1/1/1600هـ", "date_out_of_range"),
    ],
)
def test_date_rejections(raw: str, reason: str) -> None:
    assert v("date", raw) == Invalid(reason)


def test_birth_date_not_in_future() -> None:
    spec = FieldSpec(type="date", date_bounds="past", today=date(2025, 3, 1))
    assert validate("2025-03-02", spec) == Invalid("date_future")
    assert isinstance(validate("1990-05-01", spec), Valid)
    spec = replace(spec, date_bounds="future")
    assert validate("2025-02-28", spec) == Invalid("date_past")


# --- text and names ---------------------------------------------------------------------------------


def test_long_description_refused_stating_the_limit() -> None:
    r = v("description", "ا" * 5000, max=1000)
    assert r == Invalid("text_too_long", {"length": 5000, "max": 1000})
    assert "1000" in reason_text(r.reason_key, r.params, "ar")
    assert "1000" in reason_text(r.reason_key, r.params, "en")


def test_description_keeps_lines_and_markup_as_inert_text() -> None:
    r = v("description", "<script>alert(1)</script>\n\nسطر ثاني")
    assert isinstance(r, Valid)
    assert r.value == "<script>alert(1)</script>\n\nسطر ثاني"


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@given(st.text(alphabet="abcمحد <>&", min_size=1, max_size=40), st.lists(st.sampled_from(BIDI), max_size=5))
def test_bidi_controls_are_always_stripped(text: str, controls: list[str]) -> None:
    raw = "".join(controls) + text + "".join(controls)
    cleaned = clean(raw)
    assert not any(c in cleaned for c in BIDI)
    r = v("text", raw)
    if isinstance(r, Valid):
        assert not any(c in r.value for c in BIDI)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("محمد أحمد العتيبي", Valid("محمد أحمد العتيبي", "محمد أحمد العتيبي")),
        ("\u202eمحمد\u202c علي", Valid("محمد علي", "محمد علي")),
        ("<b>Sara</b> O'Neil", Valid("<b>Sara</b> O'Neil", "<b>Sara</b> O'Neil")),
        ("محمد 123", Invalid("name_digits")),
        ("محمد ١٢٣", Invalid("name_digits")),
        ("م", Invalid("name_length", {"min": 2, "max": 80})),
        ("ا" * 81, Invalid("name_length", {"min": 2, "max": 80})),
        ("Алексей", Invalid("name_letters")),
        ("   ", Invalid("required")),
    ],
)
def test_names(raw: str, expected: Valid | Invalid) -> None:
    assert v("name", raw) == expected


# --- numbers and digits ---------------------------------------------------------------------------


@given(st.integers(0, 10**6))
def test_numbers_in_any_digits(n: int) -> None:
    for raw in (str(n), to_arabic(str(n)), to_persian(str(n))):
        assert v("number", raw) == Valid(n, str(n))


def test_number_bounds_and_words() -> None:
    assert v("number", "عمري ٢٥ سنة", min=4, max=100) == Valid(25, "25")
    assert v("number", "2", min=4) == Invalid("number_too_small", {"min": 4})
    assert v("number", "200", max=100) == Invalid("number_too_large", {"max": 100})
    assert v("number", "خمسة") == Valid(5, "5")  # a number up to twenty in words is that number
    assert v("number", "ثلاثة عشر سنة") == Valid(13, "13")
    assert v("number", "خمسة وعشرين") == Invalid("number_expected")  # beyond twenty: not guessed
    assert v("number", "ما اعرف") == Invalid("number_expected")
    assert v("number", "1 2") == Invalid("number_expected")


def test_digits_keep_leading_zeros() -> None:
    assert v("digits", "٠٠١٢٣") == Valid("00123", "00123")
    assert v("digits", "12a") == Invalid("digits_expected")
    assert v("digits", "1234", max=3) == Invalid("digits_length", {"min": 1, "max": 3})


# --- choices ---------------------------------------------------------------------------------------

SUPPORT = (
    Option("financial_aid", "مساعدة مالية", "Financial aid", ("دعم مالي",)),
    Option("medical_supplies", "مستلزمات طبية", "Medical supplies"),
    Option("treatment_transport", "النقل إلى العلاج", "Transport to treatment"),
    Option("psychosocial_support", "دعم نفسي واجتماعي", "Psychosocial support"),
    Option("other_support", "دعم آخر", "Other support"),
)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("financial_aid", "financial_aid"),  # button value
        ("2", "medical_supplies"),  # number in the list
        ("٣", "treatment_transport"),  # Arabic-Indic number
        ("مساعده ماليه", "financial_aid"),  # taa marbuta typed as haa
        ("ابي دعم مالي", "financial_aid"),  # dialect + alias
        ("مستلزمات", "medical_supplies"),
        ("transport", "treatment_transport"),
        ("Psychosocial", "psychosocial_support"),
        ("دعم نفسي", "psychosocial_support"),
    ],
)
def test_choice_resolves(raw: str, value: str) -> None:
    r = v("choice", raw, choices=SUPPORT)
    assert isinstance(r, Valid) and r.value == value


def test_choice_unknown_and_ambiguous() -> None:
    assert v("choice", "xyz", choices=SUPPORT) == Invalid("choice_unknown")
    assert v("choice", "9", choices=SUPPORT) == Invalid("choice_unknown")
    r = v("choice", "دعم", choices=SUPPORT)
    assert isinstance(r, Invalid) and r.reason_key == "choice_ambiguous"
    assert isinstance(match_option("ابي دعم", SUPPORT), Ambiguous)


def test_choice_display_in_english() -> None:
    assert v("choice", "1", choices=SUPPORT, lang="en") == Valid("financial_aid", "Financial aid")


def test_multi_choice() -> None:
    r = v("multi_choice", "1، 3", choices=SUPPORT)
    assert isinstance(r, Valid) and r.value == ["financial_aid", "treatment_transport"]
    r = v("multi_choice", "١ ٢", choices=SUPPORT)
    assert isinstance(r, Valid) and r.value == ["financial_aid", "medical_supplies"]
    assert v("multi_choice", "1, 2, 3", choices=SUPPORT, max=2) == Invalid("multi_count", {"min": 1, "max": 2})


@pytest.mark.parametrize("raw", ["نعم", "ايه", "إيه", "أيوه", "اي", "تمام", "موافق", "yes", "Y", "ok", "yes"])
def test_yes(raw: str) -> None:
    assert v("yes_no", raw) == Valid(True, "نعم")


@pytest.mark.parametrize("raw", ["لا", "لا أبي", "no", "N", "no"])
def test_no(raw: str) -> None:
    assert v("yes_no", raw) == Valid(False, "لا")


def test_yes_no_other() -> None:
    assert v("yes_no", "ممكن") == Invalid("yes_no")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("جده", "jeddah"),
        ("جدة", "jeddah"),
        ("Jeddah", "jeddah"),
        ("Riyadh", "riyadh"),
        ("الرياض", "riyadh"),
        ("رياض", "riyadh"),
        ("مكه", "makkah"),
        ("المدينه", "madinah"),
        ("Al-Khobar", "khobar"),
        ("الجموم", "jumum"),
        ("الطايف", "taif"),
    ],
)
def test_city_fuzzy(raw: str, value: str) -> None:
    r = v("city", raw)
    assert isinstance(r, Valid) and r.value == value


def test_city_unlisted_place_is_kept_and_nonsense_refused() -> None:
    assert v("city", "قرية الفرعة") == Valid("other:قرية الفرعة", "قرية الفرعة")
    assert v("city", "12345") == Invalid("city_unknown")
    assert v("city", "قرية الفرعة", allow_other=False) == Invalid("city_unknown")


def test_city_from_the_flows_own_list() -> None:
    own = (Option("jumum", "الجموم", "Al Jumum"), Option("makkah", "مكة المكرمة", "Makkah"))
    assert v("city", "2", choices=own) == Valid("makkah", "مكة المكرمة")


# --- attachments ------------------------------------------------------------------------------------


def test_attachment_checks() -> None:
    pdf = Attachment(url="https://files.example/r.pdf", content_type="application/pdf", size=1000, filename="r.pdf")
    r = v("attachment", "", attachments=(pdf,))
    assert isinstance(r, Valid) and r.value["content_type"] == "application/pdf" and r.display == "r.pdf"
    exe = Attachment(url="https://files.example/x.exe", content_type="application/x-msdownload", size=10)
    assert v("attachment", "", attachments=(exe,)) == Invalid("attachment_type", {"types": "PDF, JPG, PNG"})
    big = Attachment(url="https://files.example/big.jpg", content_type="image/jpeg", size=6 * 1024 * 1024)
    assert v("attachment", "", attachments=(big,)) == Invalid("attachment_size", {"max_mb": 5.0})
    guessed = Attachment(url="https://files.example/scan.png")
    assert isinstance(v("attachment", "", attachments=(guessed,)), Valid)
    assert v("attachment", "هذا التقرير") == Invalid("attachment_expected", {"types": "PDF, JPG, PNG"})


# --- normalisation and catalog ------------------------------------------------------------------------


@given(st.integers(0, 10**12))
def test_fold_digits_round_trip(n: int) -> None:
    assert fold_digits(to_arabic(str(n))) == str(n)
    assert fold_digits(to_persian(str(n))) == str(n)


def test_fold_unifies_spellings() -> None:
    assert fold("إلغاء") == fold("الغاء")
    assert fold("جدة") == fold("جده")
    assert fold("مُسْتَلْزَمَات") == fold("مستلزمات")
    assert fold("ـمـرحـبـا") == fold("مرحبا")


def test_every_type_has_a_validator_and_every_reason_has_words() -> None:
    assert {
        "text",
        "description",
        "name",
        "national_id",
        "phone",
        "choice",
        "multi_choice",
        "yes_no",
        "number",
        "date",
        "city",
        "attachment",
    } <= FIELD_TYPES
    # every reason a validator (or the date parser) can give has its sentence in both languages;
    # that every text is written in both, with the same placeholders, is tests/test_i18n.py
    reasons = set(re.findall(r'Invalid\(\s*"(\w+)"', inspect.getsource(validators)))
    reasons |= set(re.findall(r'return "(\w+)"', inspect.getsource(flow_dates)))
    assert {"required", "nid_checksum", "date_invalid", "attachment_size"} <= reasons
    for reason in reasons:
        params = dict.fromkeys(("min", "max", "length", "options", "types", "max_mb"), "1")
        assert reason_text(reason, params, "ar") and reason_text(reason, params, "en")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(FIELD_TYPES)), st.text(max_size=60))
def test_no_input_makes_a_validator_fail(type_: str, raw: str) -> None:
    spec = FieldSpec(type=type_, choices=SUPPORT if "choice" in type_ else (), today=date(2025, 3, 1))
    result = validate(raw, spec)
    assert isinstance(result, Valid | Invalid)
    if isinstance(result, Invalid):
        assert reason_text(result.reason_key, result.params, "ar")
        assert reason_text(result.reason_key, result.params, "en")
    else:
        assert "\u202e" not in str(result.value)
