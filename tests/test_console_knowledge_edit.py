"""An edit the console refuses says so in the officer's words, never in the pack's internals.

Each refusal kind of /console/settings and /console/knowledge is posted through the real
console (in process, on a migrated SQLite file) and must name the field by the label the form
shows and what is expected in plain words, in the console's language (Arabic first, English on
the toggle); no pydantic field path, regular expression or pydantic wording reaches the page,
the form keeps what the admin typed, the field is marked invalid, and nothing is stored.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from storage.pack_overrides import PackOverride
from tests.console_forms import settings_form
from tests.harness import Agent, Harness

REFUSAL_RE = re.compile(r'<div[^>]*id="refusal".*?</div>', re.S)
#: what a refusal may never show: pydantic's wording and error types, regex fragments
LEAKS = ("String should", "Input should", "Value error", "should match", "should have", "should be",
         "validation error", "pydantic", "string_pattern_mismatch", "string_too_short", "too_short",
         "greater_than_equal", "less_than_equal", "value_error", "int_parsing", "extra_forbidden",
         "missing", "^", "[0-9", "\\s", "(?", "{", "working_hours", "widget_origins", "referral_officer",
         "first_response_minutes", "decision_min_days", "crisis_lines", "pack.", "topics.", "flows.")


async def admin(h: Harness, lang: str = "ar") -> Agent:
    await h.staff("admin@amass.sa", role="admin", orgs=("amass",))
    agent, status, _ = await h.login("admin@amass.sa")
    assert status == 200
    if lang == "en":
        await agent.get("/console/lang?to=en&next=/console/settings")
    return agent


async def stored(h: Harness) -> int:
    return int(await h.scalar(select(func.count()).select_from(PackOverride)))


def refusal(page: str) -> str:
    found = REFUSAL_RE.search(page)
    assert found, page[:2000]
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", found.group(0)))


def assert_plain(page: str, path: str, *words: str) -> None:
    """The refusal reads ``words``; the field path and every internal wording are absent."""
    text = " ".join(refusal(page).split())
    assert path not in page, path
    for word in words:
        assert word in text, (word, text)
    leaked = [leak for leak in LEAKS if leak in text]
    assert not leaked, (leaked, text)


def marked(page: str, name: str) -> bool:
    """The input (or textarea) ``name`` is marked invalid and points at the refusal."""
    return bool(re.search(rf'<(input|textarea)[^>]*name="{re.escape(name)}"[^>]*aria-invalid="true"', page))


SETTINGS_CASES: list[tuple[str, dict[str, str], str, tuple[str, ...], str]] = [
    # (id, typed, the path that used to show, readable words, the input marked)
    ("time", {"start": "8 صباحاً"}, "pack.contact.working_hours.start",
     ("بداية الدوام (24 ساعة)", "اكتب الوقت بصيغة 08:00"), "start"),
    ("end_time", {"end": "4pm"}, "pack.contact.working_hours.end",
     ("نهاية الدوام (24 ساعة)", "اكتب الوقت بصيغة 08:00"), "end"),
    ("phone", {"phone": "0555-abc"}, "pack.contact.phone", ("الهاتف", "+966 11 000 0000"), "phone"),
    ("email", {"email": "care at amass"}, "pack.contact.email", ("البريد الإلكتروني", "name@example.org"), "email"),
    ("website", {"website": "www.amass.org"}, "pack.contact.website", ("الموقع الإلكتروني", "https://"), "website"),
    ("origins", {"widget_origins": "https://www.amass.org\nwww.example.org/chat"}, "pack.contact.widget_origins",
     ("المواقع التي تضمّ نافذة المحادثة", "https://www.example.org", "www.example.org/chat"), "widget_origins"),
    ("crisis", {"crisis_lines": "وزارة الصحة 937"}, "pack.contact.crisis_lines",
     ("أرقام الدعم في الأزمات", "الرقم|الاسم بالعربية|الاسم بالإنجليزية", "وزارة الصحة 937"), "crisis_lines"),
    ("days_not_a_number", {"decision_min_days": "أسبوعين"}, "pack.decision_min_days",
     ("مدة البت (أيام)", "رقماً صحيحاً"), "decision_min_days"),
    ("days_zero", {"decision_min_days": "0"}, "pack.decision_min_days",
     ("مدة البت (أيام)", "1 أو أكثر"), "decision_min_days"),
    ("retention", {"messages_days": "-5"}, "pack.retention.messages_days",
     ("نصوص المحادثات", "رقماً صحيحاً", "الافتراضي"), "messages_days"),
    ("minutes_too_many", {"first_response_minutes": "2000"}, "pack.first_response_minutes",
     ("مهلة الرد الأول (دقائق)", "1440"), "first_response_minutes"),
    ("minutes_not_a_number", {"first_response_minutes": "ربع ساعة"}, "pack.first_response_minutes",
     ("مهلة الرد الأول (دقائق)", "1440"), "first_response_minutes"),
    ("empty_name", {"name_en": ""}, "pack.name.en", ("الاسم · EN", "لا يصح أن يكون فارغاً"), "name_en"),
    ("half_a_pair", {"committee_ar": "لجنة البحث", "committee_en": ""}, "pack.committee.en",
     ("اللجنة · EN", "باللغتين"), "committee_en"),
]


@pytest.mark.parametrize(("typed", "path", "words", "name"), [c[1:] for c in SETTINGS_CASES],
                         ids=[c[0] for c in SETTINGS_CASES])
async def test_a_refused_setting_names_its_label_and_what_is_expected(
        h: Harness, typed: dict[str, str], path: str, words: tuple[str, ...], name: str) -> None:
    a = await admin(h)
    status, page, _ = await a.post("/console/settings", settings_form(h, **typed))
    assert status == 400
    assert_plain(page, path, "لم يُحفظ شيء", *words)
    value = htmllib.escape(next(iter(typed.values())), quote=True)
    assert value in page  # the form keeps what was typed
    assert marked(page, name)
    assert await stored(h) == 0


async def test_a_working_day_that_is_not_offered_is_refused_in_words(h: Harness) -> None:
    a = await admin(h)
    fields = [*settings_form(h).items(), ("csrf", a.csrf), ("days", "0"), ("days", "9")]
    async with a.session.post(a.base + "/console/settings", data=fields) as r:
        status, page = r.status, await r.text()
    assert status == 400
    assert_plain(page, "pack.contact.working_hours.days", "أيام العمل", "اختر")
    assert await stored(h) == 0


async def test_an_empty_form_prompt_is_refused_by_its_question_label(h: Harness) -> None:
    a = await admin(h)
    status, page, _ = await a.post("/console/settings", {
        "org": "amass", "version": "0", "action": "prompt", "flow": "support_request", "field": "full_name",
        "prompt_ar": "تفضل باسمك الرباعي", "prompt_en": "  "})
    assert status == 400
    assert_plain(page, "prompt.en", "طلب دعم مستفيد", "الاسم", "لا يصح أن يكون فارغاً")
    assert "support_request" not in refusal(page) and "full_name" not in refusal(page)
    assert "تفضل باسمك الرباعي" in page and marked(page, "prompt_en")


async def test_the_english_console_explains_in_english(h: Harness) -> None:
    a = await admin(h, "en")
    status, page, _ = await a.post("/console/settings", settings_form(h, start="8am"))
    assert status == 400
    assert_plain(page, "pack.contact.working_hours.start", "Nothing was saved", "Opens at (24-hour)",
                 "Write the time as 08:00")
    assert "اكتب" not in refusal(page) and 'value="8am"' in page


# --- the knowledge page ------------------------------------------------------------------------------


def topic_form(**changes: str) -> dict[str, str]:
    lines = "\n".join(["وش السالفة مع التمر", "هل توزعون تمر", "ابي تمر", "توزيع التمور متى", "do you give dates",
                       "dates distribution", "tamr majani", "متى توزيع التمر"])
    form = {"org": "amass", "version": "0", "action": "add_topic", "topic": "dates_gift",
            "clause_ar": "توزيع التمور", "clause_en": "Dates distribution",
            "answer_ar": "نوزع التمر في رمضان من مقر الجمعية.", "answer_en": "We hand out dates in Ramadan.",
            "questions": lines}
    form.update(changes)
    return form


KNOWLEDGE_CASES: list[tuple[str, dict[str, str], str, tuple[str, ...], str, str]] = [
    # (id, form, the path that used to show, readable words, the input marked, a typed text kept)
    ("empty_answer", {"org": "amass", "version": "0", "action": "answer", "topic": "decision_period",
                      "answer_ar": "", "answer_en": "Within two weeks."},
     "topics.decision_period.answer.ar", ("الإجابة بالعربية", "مدة الرد على الطلب", "لا يصح أن يكون فارغاً"),
     "answer_ar", "Within two weeks."),
    ("gone_topic", {"org": "amass", "version": "0", "action": "answer", "topic": "no_such_topic",
                    "answer_ar": "س", "answer_en": "x"},
     "topics.no_such_topic", ("لم يعد موجوداً", "حدّث الصفحة"), "", ""),
    ("empty_phrasing", {"org": "amass", "version": "0", "action": "add_phrasing", "topic": "decision_period",
                        "phrasing": "   "},
     "topics.decision_period.questions", ("صيغة جديدة", "اكتب الصيغة"), "phrasing", ""),
    ("same_phrasing", {"org": "amass", "version": "0", "action": "add_phrasing", "topic": "decision_period",
                       "phrasing": "كم ننتظر بعد ما قدمنا عشان نرتب امورنا"},
     "topics.decision_period.questions", ("صيغة جديدة", "موجودة"), "phrasing",
     'value="كم ننتظر بعد ما قدمنا عشان نرتب امورنا"'),
    ("topic_id", topic_form(topic="Dates Gift"), "topics.Dates Gift.id",
     ("معرّف الموضوع", "حروف إنجليزية صغيرة"), "topic", "نوزع التمر في رمضان من مقر الجمعية."),
    ("topic_exists", topic_form(topic="decision_period"), "topics.decision_period",
     ("معرّف الموضوع", "يوجد موضوع"), "topic", "نوزع التمر في رمضان من مقر الجمعية."),
    ("few_phrasings", topic_form(questions="تمر\nتمور\ndates"), "topics.dates_gift.questions",
     ("صيغ السؤال", "8 صيغ على الأقل", "3"), "questions", "نوزع التمر في رمضان من مقر الجمعية."),
    ("empty_clause", topic_form(clause_en=""), "topics.dates_gift.clause.en",
     ("البند الذي تستند إليه (إنجليزي)", "لا يصح أن يكون فارغاً"), "clause_en", "نوزع التمر في رمضان من مقر الجمعية."),
]


@pytest.mark.parametrize(("form", "path", "words", "name", "kept"), [c[1:] for c in KNOWLEDGE_CASES],
                         ids=[c[0] for c in KNOWLEDGE_CASES])
async def test_a_refused_knowledge_edit_names_its_label_and_what_is_expected(
        h: Harness, form: dict[str, str], path: str, words: tuple[str, ...], name: str, kept: str) -> None:
    a = await admin(h)
    status, page, _ = await a.post("/console/knowledge", form)
    assert status == 400
    assert_plain(page, path, "لم يُحفظ شيء", *words)
    assert kept in page
    assert not name or marked(page, name)
    assert await stored(h) == 0


async def test_removing_a_phrasing_below_the_minimum_is_refused_in_words(h: Harness) -> None:
    a = await admin(h)
    assert "msg=pack_saved" in (await a.post("/console/knowledge", topic_form()))[2]
    status, page, _ = await a.post("/console/knowledge", {"org": "amass", "version": "1", "action": "remove_phrasing",
                                                          "topic": "dates_gift", "phrasing": "ابي تمر"})
    assert status == 400
    assert_plain(page, "topics.dates_gift.questions", "صيغ السؤال", "8 صيغ على الأقل")
    assert await stored(h) == 1


# --- the YAML upload: where the option (button) labels are edited -----------------------------------------


async def upload(a: Agent, doc: dict[str, Any] | str) -> tuple[int, str]:
    body = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True)
    status, page, _ = await a.post("/console/knowledge/import", {"org": "amass", "version": "0", "yaml": body})
    return status, page


async def exported(a: Agent) -> dict[str, Any]:
    status, text = await a.get("/console/knowledge/export?org=amass")
    assert status == 200
    return dict(yaml.safe_load(text))


@pytest.mark.parametrize(("lang", "key", "text", "words"), [
    ("en", "label", "Help with transport to treatment",
     ("Nothing was saved", "Help with transport to treatment", "Support type", "Beneficiary support request",
      "32 characters", "WhatsApp", "20")),
    ("ar", "button", "النقل من المنزل إلى المستشفى والعودة",
     ("لم يُحفظ شيء", "النقل من المنزل إلى المستشفى والعودة", "نوع الدعم", "طلب دعم مستفيد", "واتساب", "20")),
], ids=["label", "button"])
async def test_an_option_longer_than_a_whatsapp_button_is_refused_at_save(
        h: Harness, lang: str, key: str, text: str, words: tuple[str, ...]) -> None:
    a = await admin(h, lang)
    doc = await exported(a)
    choice = doc["flows"]["support_request"]["fields"]["support_type"]["choices"][0]
    choice[key] = {**(choice.get(key) or choice["label"]), lang: text}
    status, page = await upload(a, doc)
    assert status == 400, page[:500]
    assert_plain(page, f"choices.0.{key}.{lang}", *words)
    assert await stored(h) == 0
    # twenty characters is a whole button: saved
    choice[key] = {**choice[key], lang: text[:20]}
    status, page = await upload(a, doc)
    assert status == 200 and 'id="refusal"' not in page and await stored(h) == 1


async def test_a_broken_or_foreign_upload_is_refused_in_words(h: Harness) -> None:
    a = await admin(h)
    status, page = await upload(a, "pack:\n  name: [unclosed\n")
    assert status == 400
    assert_plain(page, "not valid YAML", "الملف المرفوع", "السطر 3")
    doc = await exported(a)
    doc["pack"]["slug"] = "taheel"
    status, page = await upload(a, doc)
    assert status == 400
    assert_plain(page, "pack.slug", "الملف المرفوع", "لجمعية أخرى")
    doc = await exported(a)
    doc["pack"]["contact"]["working_hours"]["start"] = "8"
    status, page = await upload(a, doc)
    assert status == 400
    assert_plain(page, "pack.contact.working_hours.start", "بداية الدوام (24 ساعة)", "اكتب الوقت بصيغة 08:00")
    assert await stored(h) == 0
