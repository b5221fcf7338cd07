"""Field validators: pure functions ``(raw, spec) -> Valid | Invalid``.

Why pure: the same validator runs in a conversation, in property tests and in the officer's
console when data is corrected, and must give the same answer everywhere. A validator never
writes a sentence — it returns a reason key and parameters (texts: the ``flow.*`` keys of :mod:`bot.i18n`),
so wording and language stay out of the checks.

All validators accept Arabic-Indic and Persian digits, strip control characters (bidi
overrides could disguise what an officer reads) and keep markup as inert text: "<" is a
character, not a reason to refuse someone's answer.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers

from bot.flows.cities import saudi_cities
from bot.flows.dates import format_date, parse_date
from bot.flows.matching import Ambiguous, Option, match_option
from bot.flows.normalize import clean, fold, fold_digits, only_digits
from bot.i18n import t
from bot.types import Attachment
from bot.understanding.commands import command_of_key

DEFAULT_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
TEXT_MAX = 300
DESCRIPTION_MAX = 1000
NAME_MIN, NAME_MAX = 2, 80

YES_WORDS = frozenset(
    fold(w)
    for w in (
        "نعم",
        "ايه",
        "ايوه",
        "ايوا",
        "اي",
        "إي",
        "اي نعم",
        "ايه نعم",
        "ايه اكيد",
        "ايوه اكيد",
        "نعم اكيد",
        "اكيد",
        "تمام",
        "موافق",
        # a woman agrees in the feminine ("موافقة"), often after a yes ("نعم موافقه")
        "موافقة",
        "نعم موافق",
        "نعم موافقة",
        "ايه موافق",
        "ايه موافقة",
        "اي موافق",
        "اي موافقة",
        "ايوه موافق",
        "ايوه موافقة",
        "نعم اوافق",
        "صح",
        "yes",
        "y",
        "ok",
        "okay",
        "yeah",
        "yep",
        "yup",
        "sure",
        "yes please",
        # Arabizi: Arabic speakers on a Latin keyboard
        "na3am",
        "naam",
        "na3m",
        "n3am",
        "n3m",
        "ee",
        "eeh",
        "aywa",
        "aiwa",
        "aywah",
        "aiwah",
        "ewa",
        "iwa",
        "akeed",
        "akid",
        "tamam",
        # "موافق" on a Latin keyboard
        "muwafeq",
        "mwafeq",
        "mowafeq",
        "muwafiq",
        "mwafiq",
        "muwafqa",
        "mwafqa",
        "mowafqa",
        "muwafaqa",
        "mwafq",
    )
)
NO_WORDS = frozenset(
    fold(w)
    for w in (
        "لا", "لأ", "لا لا", "لالا", "لا ابي", "لا ابغى", "ما ابي", "ما ابغى", "كلا", "لا شكرا", "لا والله",
        "no", "n", "nope", "no thanks", "no thank you", "la", "laa", "la2", "la la", "la shukran", "la shokran",
    )
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What a validator needs to know about a field.

    The static part comes from flows.yaml (see ``FieldDef.to_spec``); ``lang``, ``today`` and
    ``attachments`` describe the current message and are filled in by the runner with
    :func:`dataclasses.replace`, which keeps every validator a plain two-argument function.
    """

    type: str
    min: int | None = None
    max: int | None = None
    choices: tuple[Option, ...] = ()
    content_types: tuple[str, ...] = DEFAULT_CONTENT_TYPES
    max_bytes: int = DEFAULT_MAX_BYTES
    date_bounds: str | None = None  # "past" | "future" | None
    allow_other: bool = True  # city: accept a place that is not in the list
    lang: str = "ar"
    today: date | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Valid:
    value: Any  # JSON-serialisable; what is stored under the field's stable id
    display: str  # how the value is shown back (masked when sensitive)


@dataclass(frozen=True, slots=True)
class Invalid:
    reason_key: str
    params: dict[str, Any] = field(default_factory=dict)


Result = Valid | Invalid
Validator = Callable[[str, FieldSpec], Result]


# --- free text --------------------------------------------------------------------------------


def validate_text(raw: str, spec: FieldSpec) -> Result:
    long_form = spec.type == "description"
    value = clean(raw, keep_newlines=long_form)
    limit = spec.max or (DESCRIPTION_MAX if long_form else TEXT_MAX)
    if not value:
        return Invalid("required")
    if len(value) < (spec.min or 1):
        return Invalid("text_too_short", {"min": spec.min})
    if len(value) > limit:
        return Invalid("text_too_long", {"length": len(value), "max": limit})
    return Valid(value, shorten(value))


#: words no name is made of, wherever they stand: a request, a question word, a greeting, a
#: command or a control button's word typed in the name box ("confirm" at "patient's full name")
NOT_NAME_WORDS = frozenset(fold(w) for w in (
    "ابي ابغى ابغا اريد ودي أبي أبغى أريد طلب طلبي دعم مساعدة مساعده اقدم أقدم تقديم نعم لا ايوه اوكي"
    " كيف متى وش ايش هل ليش لماذا ماذا وين كم مرحبا السلام عليكم شكرا مشكور موظف القائمة الغاء إلغاء عندي ابوي"
    " امي زوجي توفي يرحمه want need please request support apply help yes no ok okay thanks thank hello hi"
    " how what when where why the my is are was i"
    " confirm confirmed cancel edit submit send agree accept decline disagree skip menu retry continue next done"
    " تأكيد تاكيد اكد أكد تعديل عدل أوافق اوافق موافق موافقة أقر اقر ارفض تخطي رجوع التالي ارسال إرسال"
    " na3am n3am aywa aiwa la2"
    # pronouns, wishes and the small words of a sentence: "انا طالب ماجستير وابي احد يساعدني في الرساله",
    # "الدورات حضوري ولا عن بعد" were filed as names
    " انا أنا اني احنا نحن انت انتي انتم هو هي بغيت ابغي يبي تبي تبون ودنا نبي نبغى يساعدني ساعدوني"
    " ولا او أو عن في الى إلى مع لو اذا إذا عشان لان لأن بس يعني ممكن اقدر ايش شو مين ماهي ماهو"
    " me you we can could would do does did if or and about"
    # the words of a sentence about the form, its person or not understanding it: "عمره ثمان سنوات",
    # "والله ما فهمت", "ما اعرف رقم العضويه والله" were filed as names. Not «الله» (عبد الله، جار الله).
    " والله عمره عمرها عمري سنوات سنين سنه سنة فهمت افهم أفهم فاهم اعرف أعرف ادري أدري العضويه العضوية"
    " عضويتي رقم رقمي ولدي بنتي ابني اسجل أسجل تسجيل حلقة حلقه"
).split())
#: words that are a whole answer of their own ("ايه", "تمام") but also real names ("آية", "تمام"):
#: refused only when they are the whole message
NOT_NAME_ALONE = YES_WORDS | NO_WORDS | frozenset(fold(w) for w in ("طيب", "تمام", "ايه", "اي", "ee", "la"))
#: more words than any name on an ID card has (a paragraph is not a name)
NAME_MAX_WORDS = 8
#: a full name "as on the ID" has at least a first name and a father's or family name
NAME_MIN_PARTS = 2
#: words that join or prefix the parts of a name without being one ("عبدالله بن محمد", "آل سعود",
#: "Al-Harbi", "عبد الله" typed apart)
NAME_PARTICLES = frozenset(fold(w) for w in (
    "بن بنت ابن ال آل عبد al el bin bint ibn bn abd abdul abdel"
).split())
#: what opens a kunya ("أم خالد", "أبو فهد", "بو سعد"): what people are called, not the name on the ID
KUNYA = frozenset(fold(w) for w in ("أبو ابو أم ام بو abu abo umm um om bu").split())
#: a digit inside a Latin word is an Arabizi letter ("mo7amad", "3bdallah"), not a number
_ARABIZI_WORD = re.compile(r"[A-Za-z][0-9]|[0-9][A-Za-z]")


#: what people type before their name ("اسمي محمد…", "الاسم: …", "معك محمد…", "my name is …"): left
#: out of the stored name, which is the name alone. "انا"/"I am" are not among them: "انا متقاعد
#: ومريض" is a sentence, and would pass for a two-part name once "انا" were taken away.
NAME_INTROS = tuple(sorted((tuple(fold(w) for w in intro.split()) for intro in (
    "اسمي", "اسمي هو", "انا اسمي", "اسمي الكامل", "اسمي الكامل هو", "اسمي الرباعي", "الاسم", "الاسم هو",
    "الاسم الكامل", "الاسم الرباعي", "معك", "معاك", "معكم",
    "my name is", "my name", "my full name is", "my full name", "name", "name is", "full name", "full name is",
    "esmi", "ismi", "esmy", "ismy", "ana esmi", "ana ismi", "el esm", "alesm",
)), key=len, reverse=True))
_INTRO_MARKS = ":：-–—،,."
_LONGEST_INTRO = max(len(intro) for intro in NAME_INTROS)


def _after_intro(value: str) -> str | None:
    """``value`` without a leading :data:`NAME_INTROS` phrase, or None when it has none."""
    toks = value.split()
    folded = tuple(fold(tok.strip(_INTRO_MARKS)) for tok in toks[:_LONGEST_INTRO])  # once, not per intro
    for intro in NAME_INTROS:
        n = len(intro)
        if len(toks) > n and folded[:n] == intro:
            rest = " ".join(toks[n:]).lstrip(_INTRO_MARKS + " ")
            return rest or None
    return None


#: courtesies people put before or after their name ("عبدالله حمد الحربي الله يعافيك"): a wish, not a
#: part of the name, so they are left out of the stored value
NAME_COURTESIES = tuple(sorted((tuple(fold(w) for w in phrase.split()) for phrase in (
    "الله يعافيك", "الله يعافيكم", "يعافيك الله", "الله يخليك", "الله يخليكم", "الله يحفظك", "الله يسعدك",
    "الله يسلمك", "الله يعطيك العافيه", "يعطيك العافيه", "الله يجزاك خير", "جزاك الله خير", "جزاك الله خيرا",
    "جزاكم الله خير", "بارك الله فيك", "لو سمحت", "لو سمحتي", "لو تكرمت", "من فضلك", "شكرا", "شكرا لك",
    "مشكور", "مشكورين", "please", "thanks", "thank you", "pls", "plz",
)), key=len, reverse=True))
#: where "اسمي" stands inside a sentence ("انا امه اسمي هيفاء…"), the name after it is taken
_MID_INTRO = frozenset(fold(w) for w in ("اسمي", "واسمي", "esmi", "ismi"))


def _without_courtesies(value: str) -> str:
    """``value`` without :data:`NAME_COURTESIES` at its end or start (repeatedly, as typed)."""
    toks = value.split()
    folded = [fold(t.strip(_INTRO_MARKS + "!")) for t in toks]  # once, not per courtesy
    changed = True
    while changed and toks:
        changed = False
        for phrase in NAME_COURTESIES:
            n = len(phrase)
            if len(toks) > n and tuple(folded[-n:]) == phrase:
                toks, folded, changed = toks[:-n], folded[:-n], True
                break
            if len(toks) > n and tuple(folded[:n]) == phrase:
                toks, folded, changed = toks[n:], folded[n:], True
                break
    return " ".join(toks).strip(_INTRO_MARKS + " ")


def _after_mid_intro(value: str) -> str | None:
    """The words after an "اسمي" standing inside a sentence ("انا امه اسمي X"), or None."""
    toks = value.split()
    for i, tok in enumerate(toks[1:-1], start=1):
        if fold(tok.strip(_INTRO_MARKS)) in _MID_INTRO:
            rest = " ".join(toks[i:])
            return _after_intro("اسمي" + rest[len(tok):]) if fold(tok) == "واسمي" else _after_intro(rest)
    return None


def validate_name(raw: str, spec: FieldSpec) -> Result:
    """A name; typed after "اسمي"/"my name is" and the like, the name alone is taken
    (:data:`NAME_INTROS`), and whatever follows is judged as the name. Courtesies around it
    ("… الله يعافيك") are left out; in a sentence ("انا امه اسمي X"), the words after "اسمي"
    are taken only when they are a valid name, and the sentence is refused otherwise."""
    value = _without_courtesies(clean(raw)) or clean(raw)
    rest = _after_intro(value)
    if rest is None:
        inner = _after_mid_intro(value)
        if inner is not None and isinstance(found := _validate_name(inner, spec), Valid):
            return found
    return _validate_name(rest if rest is not None else value, spec)


def _validate_name(raw: str, spec: FieldSpec) -> Result:
    """Letters (Arabic or Latin script), spaces and the marks names use (-, ', .), in two parts or more.

    Digits are refused because they usually mean the ID was typed in the name box; digits inside
    Latin words are Arabizi ("mo7amad 3bdallah") and get a reason that writer can follow. Other
    symbols are kept as typed — an officer can correct "<b>" but not a name we refused. A
    sentence, a command or a yes is not a name ("ابي اقدم طلب دعم", "confirm", "نعم"), nor is one
    word or a kunya ("فهد", "أم خالد") where the full name as on the ID is asked: each is refused
    with its reason instead of being filed as the name.
    """
    value = clean(raw)
    lo, hi = spec.min or NAME_MIN, spec.max or NAME_MAX
    if not value:
        return Invalid("required")
    key = fold(value)
    words = key.split()
    if (
        len(words) > NAME_MAX_WORDS
        or "?" in value
        or "؟" in value
        or any(w in NOT_NAME_WORDS or (w.startswith("و") and w[1:] in NOT_NAME_WORDS) for w in words)
        or key in NOT_NAME_ALONE
        or command_of_key(key) is not None
    ):
        return Invalid("name_not_a_name")
    if _ARABIZI_WORD.search(fold_digits(value)):
        return Invalid("name_arabizi")
    if any(ch.isdigit() for ch in value):
        return Invalid("name_digits")
    letters = [ch for ch in value if ch.isalpha()]
    if len(letters) < lo or len(value) > hi:
        return Invalid("name_length", {"min": lo, "max": hi})
    if any(not unicodedata.name(ch, "").startswith(("ARABIC", "LATIN")) for ch in letters):
        return Invalid("name_letters")
    parts = [w for w in words if w not in NAME_PARTICLES and w not in KUNYA]
    if len(parts) < NAME_MIN_PARTS:
        return Invalid("name_kunya" if words[0] in KUNYA else "name_one_word")
    return Valid(value, value)


# --- identifiers --------------------------------------------------------------------------------


def saudi_id_check_digit(first9: str) -> int:
    """The 10th digit of a Saudi national ID / iqama number for its first nine digits.

    Odd positions (1st, 3rd, … 9th) are doubled and their digits added; even positions are
    added as they are; the check digit brings the total to a multiple of 10.
    """
    total = 0
    for i, ch in enumerate(first9):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d // 10 + d % 10
        total += d
    return (10 - total % 10) % 10


def mask_national_id(value: str) -> str:
    return "*" * max(len(value) - 4, 0) + value[-4:]


#: a number written among words: digits with the spaces and dashes people put inside a long
#: number ("055 123 4567"), never touching a Latin letter (those digits are Arabizi letters)
_NUMBER_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])\+?[0-9](?:[0-9]|[\s\-–—.](?=[0-9]))*(?![A-Za-z0-9])")


def numbers_in(text: str) -> list[str]:
    """The numbers standing as numbers in ``text`` (Arabic-Indic digits too), separators kept."""
    return _NUMBER_IN_TEXT.findall(fold_digits(clean(text)))


def _from_sentence(raw: str, spec: FieldSpec, check: Callable[[str, FieldSpec], Result], first: Result) -> Result:
    """``first`` when the whole message was the value; else the one number of the sentence that is
    ("الجوال حقي 0561112233", "رقم هويتي ١٠٠…"). Several different valid numbers are not guessed
    between; with none valid, the reason given is that of the sentence's only number, if one."""
    if isinstance(first, Valid):
        return first
    found = numbers_in(raw)
    if not found or (len(found) == 1 and only_digits(found[0]) == only_digits(raw)):
        return first
    results = [check(n, spec) for n in found]
    valid = {r.value: r for r in results if isinstance(r, Valid)}
    if len(valid) == 1:
        return next(iter(valid.values()))
    if len(valid) > 1:
        return Invalid("several_numbers")
    return results[0] if len(results) == 1 else first


def _national_id(raw: str, spec: FieldSpec) -> Result:
    digits = only_digits(raw)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return Invalid("nid_length")
    if digits[0] not in "12":
        return Invalid("nid_prefix")
    if saudi_id_check_digit(digits[:9]) != int(digits[9]):
        return Invalid("nid_checksum")
    return Valid(digits, mask_national_id(digits))


def validate_national_id(raw: str, spec: FieldSpec) -> Result:
    """Ten digits with a valid check digit, typed alone or in a sentence ("رقم هويتي …")."""
    return _from_sentence(raw, spec, _national_id, _national_id(raw, spec))


def validate_phone(raw: str, spec: FieldSpec) -> Result:
    """A Saudi mobile number in any usual writing, alone or in a sentence ("الجوال حقي ٠٥…"),
    stored as E.164 ("+9665" and eight digits)."""
    return _from_sentence(raw, spec, _phone, _phone(raw, spec))


def _phone(raw: str, spec: FieldSpec) -> Result:
    text = re.sub(r"[\s\-–—.()]", "", fold_digits(clean(raw)))
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("966") and len(text) == 12:
        text = "+" + text
    if not re.fullmatch(r"\+?[0-9]{6,15}", text):
        return Invalid("phone_invalid")
    try:
        number = phonenumbers.parse(text, "SA")
    except phonenumbers.NumberParseException:
        return Invalid("phone_invalid")
    if number.country_code != 966:
        return Invalid("phone_not_saudi")
    if not phonenumbers.is_valid_number(number):
        return Invalid("phone_invalid")
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        return Invalid("phone_landline")
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return Invalid("phone_invalid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Valid(e164, e164)


def validate_digits(raw: str, spec: FieldSpec) -> Result:
    """A code made of digits (membership number…): leading zeros matter, so it stays a string.
    Typed in a sentence ("رقم عضويتي ١٢٣٤"), the one number of the sentence is taken."""
    return _from_sentence(raw, spec, _digits, _digits(raw, spec))


def _digits(raw: str, spec: FieldSpec) -> Result:
    digits = only_digits(raw)
    lo, hi = spec.min or 1, spec.max or 20
    if not digits:
        return Invalid("required")
    if not re.fullmatch(r"[0-9]+", digits):
        return Invalid("digits_expected")
    if not lo <= len(digits) <= hi:
        return Invalid("digits_length", {"min": lo, "max": hi})
    return Valid(digits, digits)


#: a unit written onto a number ("25yrs", "7y"): the number still stands as a number
_UNITS = re.compile(r"(?<=[0-9])\s*(?:years?|yrs?|yo|y|sana|sanah|sneen|snin)\b", re.IGNORECASE)


def _number_words(word_list: Sequence[str]) -> dict[str, int]:
    """Folded word → value, for words listed as (value, "spellings…")."""
    return {fold(w): n for n, spellings in enumerate(word_list, start=1) for w in spellings.split()}


#: the numbers up to twenty as people write them in words ("ثمان سنين", "عشر", "ثنعش", "eight"): an age
#: or a count typed in words is that number, not "please write a number"
NUMBER_WORDS = _number_words((
    "واحد واحدة one", "اثنين اثنان ثنتين اثنتين two", "ثلاث ثلاثة ثلاثه three", "اربع اربعة أربع أربعة four",
    "خمس خمسة five", "ست ستة سته six", "سبع سبعة seven", "ثمان ثماني ثمانية ثمانيه eight",
    "تسع تسعة nine", "عشر عشرة عشره ten", "احدعش حدعش احدعشر eleven", "اثنعش ثنعش اثنعشر twelve",
    "ثلطعش ثلاثطعش thirteen", "اربعطعش أربعطعش fourteen", "خمسطعش fifteen", "ستطعش sixteen",
    "سبعطعش seventeen", "ثمنطعش ثمانطعش eighteen", "تسعطعش nineteen", "عشرين عشرون twenty",
))
#: the first word of a written teen ("احدى عشر", "ثلاثة عشر"): its value, to which "عشر" adds ten
_TEEN_UNITS = {**{k: v for k, v in NUMBER_WORDS.items() if v < 10}, **{fold(w): n for w, n in (
    ("احد", 1), ("احدى", 1), ("اثنا", 2), ("اثني", 2))}}
_TEN = frozenset(fold(w) for w in ("عشر", "عشرة", "عشره"))


def _numbers_in_words(text: str) -> list[int]:
    """The numbers up to twenty written in words in ``text`` (an "و" before one is "and")."""
    words = [w[1:] if w.startswith("و") and w[1:] in NUMBER_WORDS else w for w in fold(text).split()]
    found: list[int] = []
    i = 0
    while i < len(words):
        if words[i] in _TEEN_UNITS and i + 1 < len(words) and words[i + 1] in _TEN:
            found.append(_TEEN_UNITS[words[i]] + 10)
            i += 2
            continue
        if words[i] in NUMBER_WORDS:
            found.append(NUMBER_WORDS[words[i]])
        i += 1
    return found


def validate_number(raw: str, spec: FieldSpec) -> Result:
    """A whole number; "عمري ٢٥ سنة" is read as 25 because exactly one number is in it, and a
    number up to twenty may be written in words ("ثمان سنين", "عشر").

    Only a number that stands as a number counts: the 3 of "at3alam" is an Arabizi letter, so
    "abi at3alam tajweed" has no number in it (and is refused as such, not as an age of 3)."""
    text = fold_digits(clean(raw)).replace("٬", "").replace(",", "")
    text = _UNITS.sub(" ", text)
    groups = re.findall(r"(?<![A-Za-z0-9])[0-9]+(?![A-Za-z0-9])", text)
    if not groups and "٫" not in text:
        groups = [str(n) for n in _numbers_in_words(text)]
    if len(groups) != 1 or "٫" in text:
        return Invalid("number_expected")
    n = int(groups[0])
    if spec.min is not None and n < spec.min:
        return Invalid("number_too_small", {"min": spec.min})
    if spec.max is not None and n > spec.max:
        return Invalid("number_too_large", {"max": spec.max})
    return Valid(n, str(n))


# --- choices --------------------------------------------------------------------------------


def _ambiguous(match: Ambiguous, lang: str) -> Invalid:
    sep = ", " if lang == "en" else "، "
    return Invalid("choice_ambiguous", {"options": sep.join(o.label(lang) for o in match.options)})


def validate_choice(raw: str, spec: FieldSpec) -> Result:
    match = match_option(raw, spec.choices)
    if isinstance(match, Ambiguous):
        return _ambiguous(match, spec.lang)
    if match is None:
        return Invalid("choice_unknown")
    return Valid(match.value, match.label(spec.lang))


def validate_multi_choice(raw: str, spec: FieldSpec) -> Result:
    """Several options separated by commas ("1، 3", "مالي, نقل") or spaces between numbers."""
    text = fold_digits(clean(raw))
    parts = [p for p in re.split(r"[,،;؛+/\n]|\s+و\s+|\s+and\s+", text) if p.strip()]
    if len(parts) == 1 and re.fullmatch(r"[0-9]+(\s+[0-9]+)+", parts[0].strip()):
        parts = parts[0].split()
    values: list[str] = []
    for part in parts:
        match = match_option(part, spec.choices)
        if isinstance(match, Ambiguous):
            return _ambiguous(match, spec.lang)
        if match is None:
            return Invalid("choice_unknown")
        if match.value not in values:
            values.append(match.value)
    lo, hi = spec.min or 1, spec.max or len(spec.choices)
    if not lo <= len(values) <= hi:
        return Invalid("multi_count", {"min": lo, "max": hi})
    return Valid(values, display_for(spec, values))


def validate_yes_no(raw: str, spec: FieldSpec) -> Result:
    key = fold(raw)
    if key in YES_WORDS:
        return Valid(True, t("flow.yes", spec.lang))
    if key in NO_WORDS:
        return Valid(False, t("flow.no", spec.lang))
    return Invalid("yes_no")


def validate_city(raw: str, spec: FieldSpec) -> Result:
    """A Saudi city from the field's list or the shared one; small places are accepted as typed.

    Refusing a village because it is missing from our list would block exactly the people the
    policy wants served "from their location", so an unmatched but plausible place name is
    stored as ``other:<name>`` for the officer.
    """
    options = spec.choices or saudi_cities()
    match = match_option(raw, options, place=True, numbered=bool(spec.choices))
    if isinstance(match, Ambiguous):
        return _ambiguous(match, spec.lang)
    if isinstance(match, Option):
        return Valid(match.value, match.label(spec.lang))
    name = clean(raw)
    letters = [ch for ch in name if ch.isalpha()]
    plausible = 2 <= len(letters) and len(name) <= 40 and not any(ch.isdigit() for ch in name)
    plausible = plausible and not any(w in NOT_NAME_WORDS for w in fold(name).split())
    plausible = plausible and fold(name) not in NOT_NAME_ALONE
    if spec.allow_other and plausible and re.fullmatch(r"[\w\s'\-]+", name):
        return Valid("other:" + name, name)
    return Invalid("city_unknown")


# --- dates and files --------------------------------------------------------------------------------


def validate_date(raw: str, spec: FieldSpec) -> Result:
    parsed = parse_date(raw)
    if isinstance(parsed, str):
        return Invalid(parsed)
    if spec.today is not None:
        if spec.date_bounds == "past" and parsed > spec.today:
            return Invalid("date_future")
        if spec.date_bounds == "future" and parsed < spec.today:
            return Invalid("date_past")
    iso = parsed.isoformat()
    return Valid(iso, format_date(iso, spec.lang))


def type_names(content_types: tuple[str, ...]) -> str:
    names = [ct.split("/")[-1].upper().replace("JPEG", "JPG") for ct in content_types]
    return ", ".join(dict.fromkeys(names))


def validate_attachment(raw: str, spec: FieldSpec) -> Result:
    """The first file of the message, checked against the allow-list and size limit.

    When a provider does not report a size we accept the file: the download step enforces
    the limit again, and refusing a file we can't measure would strand the beneficiary.
    """
    types = type_names(spec.content_types)
    if not spec.attachments:
        return Invalid("attachment_expected", {"types": types})
    att = spec.attachments[0]
    guessed = mimetypes.guess_type(att.filename or att.url)[0]
    ctype = (att.content_type or guessed or "").split(";")[0].strip().lower()
    if spec.content_types and ctype not in spec.content_types:
        return Invalid("attachment_type", {"types": types})
    if att.size is not None and att.size > spec.max_bytes:
        return Invalid("attachment_size", {"max_mb": round(spec.max_bytes / (1024 * 1024), 1)})
    value = {"url": att.url, "content_type": ctype, "size": att.size, "filename": att.filename}
    return Valid(value, display_for(spec, value))


VALIDATORS: dict[str, Validator] = {
    "text": validate_text,
    "description": validate_text,
    "name": validate_name,
    "national_id": validate_national_id,
    "phone": validate_phone,
    "digits": validate_digits,
    "number": validate_number,
    "choice": validate_choice,
    "multi_choice": validate_multi_choice,
    "yes_no": validate_yes_no,
    "city": validate_city,
    "date": validate_date,
    "attachment": validate_attachment,
}
FIELD_TYPES: frozenset[str] = frozenset(VALIDATORS)
CHOICE_TYPES: frozenset[str] = frozenset({"choice", "multi_choice"})


def validate(raw: str, spec: FieldSpec) -> Result:
    """Run the validator for ``spec.type``."""
    return VALIDATORS[spec.type](raw, spec)


def shorten(text: str, limit: int = 120) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def display_for(spec: FieldSpec, value: Any) -> str:
    """How a stored value is shown back (summary, officer notes) in ``spec.lang``."""
    lang = spec.lang
    if value is None:
        return t("flow.not_provided", lang)
    if spec.type == "national_id":
        return mask_national_id(str(value))
    if spec.type == "yes_no":
        return t("flow.yes" if value else "flow.no", lang)
    if spec.type in ("choice", "city", "multi_choice"):
        options = spec.choices or (saudi_cities() if spec.type == "city" else ())
        labels = {o.value: o.label(lang) for o in options}
        items = value if isinstance(value, list) else [value]
        shown = [labels.get(v, str(v).removeprefix("other:")) for v in items]
        return ("، " if lang != "en" else ", ").join(shown)
    if spec.type == "date":
        return format_date(str(value), lang)
    if spec.type == "attachment":
        if isinstance(value, dict) and value.get("pending"):
            return t("flow.attachment_later", lang)
        if isinstance(value, dict):
            return str(value.get("filename") or value.get("content_type") or "✓")
    return shorten(str(value))
