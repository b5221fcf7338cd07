"""bot.understanding: what one message is, as a pure function of its text (no engine, no storage)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.faq import decide
from bot.packs import load_all
from bot.understanding.commands import command_of
from bot.understanding.core import understand
from bot.understanding.entities import references
from bot.understanding.language import language_of

PACKS = load_all()


@pytest.mark.parametrize("text", [
    "ما ابي اعيش خلاص", "والله ودي انتحر", "I want to kill myself", "ana ta3ban wa abi amoot",
    "خلاص ما عاد فيني حيل، بنهي حياتي الليلة", "أفكر في إيذاء نفسي", "زوجي يضربني الحين وخايفة على عيالي",
    # after an attached "and" (Arabic writes it as part of the next word), and everyday Gulf wording
    "والله تعبت من كل شي وما عاد ابي اعيش", "تعبت وما ابي اعيش", "وابي انتحر", "nafsi amoot w artah",
    "يا ليتني مت وارتحت", "I wish I was dead",
])
def test_crisis_is_flagged_in_dialect_msa_english_and_arabizi(text: str) -> None:
    assert understand(text).crisis


@pytest.mark.parametrize("text", [
    "امي عندها ألم شديد في صدرها الحين وش اسوي؟", "my dad has chest pain right now what do i do",
    "ابوي طاح وما يرد", "ولدي بلع حبوب كثير", "اختي تنزف من العملية وش نسوي",
])
def test_a_body_in_danger_now_is_an_emergency(text: str) -> None:
    u = understand(text)
    assert u.crisis and "emergency" in u.flags


@pytest.mark.parametrize(("text", "flag"), [
    ("وش افضل علاج لها كيماوي ولا اشعاعي؟", "medical"),
    ("should my mother stop chemo if she feels tired?", "medical"),
    ("الموظف ما كان محترم معي", "complaint"),
    ("the officer was rude to me", "complaint"),
    ("عندي شكوه على الموظفه", "complaint"),  # "شكوى" as it is often typed
    ("الموظف كان قليل ادب معي", "complaint"),
    ("هل لقاح الانفلونزا آمن للحامل؟", "medical"),
    ("is the meningitis vaccine safe for my diabetic father", "medical"),
    ("انتم جمعية فاشلة ونصابين", "abuse"),
    ("والله تعبت 😭 ابوي عنده سرطان وما عندي فلوس", "distress"),
])
def test_safety_flags(text: str, flag: str) -> None:
    assert flag in understand(text).flags


@pytest.mark.parametrize("text", [
    "هل تدعمون تكاليف العلاج؟", "كم مدة دراسة الطلب", "ابي اقدم طلب دعم", "كيف اقدم شكوى؟", "السلام عليكم",
    "والله يعطيكم العافية وش الشروط", "وفيه دعم للعلاج؟", "فابي اعرف متى يطلع القرار", "هل تدعمون تكاليف اللقاحات",
    "ابوي ياخذ كيماوي وما يقدر يطلع ولا احد يوديه، تخدمونه في البيت؟",
])
def test_ordinary_questions_raise_no_alarm(text: str) -> None:
    assert not understand(text).flags & {"crisis", "medical", "abuse", "complaint"}


@pytest.mark.parametrize(("text", "flag"), [
    ("ابي اشتكي على التأخير، هل هذا يأثر على طلبي؟", "complaint_question"),
    ("abi ashtaki wain aktib el shakwa?", "complaint_question"),
    ("ana 3indi shakwa 3al ta2kheer, wain arfa3ha?", "complaint_question"),  # Arabizi read both ways
    ("عندي شكوى على التأخير، وين اقدمها؟", "complaint_question"),
    ("I have a complaint, will it affect my application?", "complaint_question"),
    # how they were treated stays a complaint to record, whatever else is asked
    ("how do i file a complaint, the employee was rude to me", "complaint"),
    ("ابي اشتكي، لي شهر ادق عليكم ولا احد يرد", "complaint"),
    ("ابي اشتكي على الموظف، وين المدير؟", "complaint"),  # "where" is not "where do I file"
])
def test_asking_about_complaining_is_not_yet_a_complaint(text: str, flag: str) -> None:
    """Where or how to complain, or whether it harms the request, is a question for the policy."""
    flags = understand(text).flags & {"complaint", "complaint_question"}
    assert flags == {flag}, (text, flags)


@pytest.mark.parametrize("text", [
    "AMS-26-00002", "ams-26-00002", "حالة الطلب AMS-26-00002", "طلب رقم AMS-٢٦-٠٠٠٠٢", "AMS 26 2",
    "AMS2600002", "وش صار على طلبي ams-26-2 الله يعافيك", "AMS\u200f-26-00002",
])
def test_references_in_any_form(text: str) -> None:
    assert understand(text).reference == "AMS-26-00002"


def test_ids_and_mobiles_typed_unprompted() -> None:
    u = understand("رقمي ٠٥٥١٢٣٤٥٦٧ وهويتي 1000000008")
    assert u.entities.mobiles == ("+966551234567",)
    assert u.entities.national_ids == ("1000000008",)
    assert understand("AMS-26-00002").entities.national_ids == ()


@pytest.mark.parametrize(("text", "command"), [
    ("طلباتي", "my_requests"), ("my requests", "my_requests"), ("وين طلباتي؟", "my_requests"),
    ("ابي القائمة لو سمحت", "menu"), ("take me to the menu please", "menu"), ("إلغاء!", "cancel"),
    ("خلاص ما ابي اكمل الطلب، الغه", "cancel"), ("ابي اكلم موظف", "human"), ("موظف", "human"),
    ("English please", "lang_en"), ("بالعربي", "lang_ar"), ("رجوع", "back"), ("تخطي", "skip"),
])
def test_commands_in_any_phrasing(text: str, command: str) -> None:
    assert command_of(text) == command


@pytest.mark.parametrize("text", ["الغاء موعدي في المستشفى كان امس", "ما هي القائمة المطلوبة من الاوراق؟"])
def test_a_command_word_inside_a_sentence_is_not_a_command(text: str) -> None:
    assert command_of(text) is None


@pytest.mark.parametrize("text", [
    "ممكن تطلع لي القائمة", "ودني للقائمة الرئيسية", "الخيارات من جديد لو سمحت", "ارسل لي الخيارات",
    "وريني الخدمات اللي عندكم", "وش تقدر تسوي لي؟", "please bring up the menu", "I would like to see my options",
    "where is the menu?", "what can you do for me", "warini el qa2ema", "rj3ni lel menu",
    "ودني للخيارات الله يحفظك", "اعطني القائمة", "هات الخيارات الله يسعدك", "warini el 8a2ema", "ab8a el 8aema",
])
def test_the_menu_asked_for_in_any_phrasing(text: str) -> None:
    assert understand(text).command == "menu"


@pytest.mark.parametrize("text", [
    "وش الخيارات المتاحة للدعم؟", "what are the payment options", "عندي قائمة ادوية", "قائمة الانتظار وين وصلت",
    "the menu of the restaurant", "show me the policy", "وش خدماتكم", "اعطني الخيارات المتاحة للدعم",
])
def test_a_menu_word_about_something_else_is_no_command(text: str) -> None:
    assert understand(text).command is None


@pytest.mark.parametrize(("text", "kind"), [
    ("السلام عليكم", "greeting"), ("هلا والله", "greeting"), ("hi again", "greeting"), ("شكرا", "thanks"),
    ("مشكورين ما قصرتوا", "thanks"), ("الله يجزاكم خير", "thanks"), ("مع السلامة", "goodbye"), ("bye", "goodbye"),
    ("👍", "emoji"), ("؟؟؟", "punctuation"),
])
def test_small_talk(text: str, kind: str) -> None:
    assert understand(text).smalltalk == kind


def test_salam_is_noticed_even_before_a_question() -> None:
    assert understand("السلام عليكم كيف اقدم طلب").salam
    assert not understand("مرحبا").salam


@pytest.mark.parametrize("text", ["ok", "PDF", "AMS-26-00002", "Mohammed", "yes", "abi", "0551234567"])
def test_tokens_that_are_not_a_language_are_not_clear_english(text: str) -> None:
    found = language_of(text)
    assert not (found.lang == "en" and found.clear)


@pytest.mark.parametrize(("text", "lang"), [
    ("I would like to know how long a request takes", "en"), ("my requests", "en"),
    ("abi akalim mowadaf", "ar"), ("كم مدة الطلب AMS-26-00002", "ar"),
])
def test_clear_languages(text: str, lang: str) -> None:
    found = language_of(text)
    assert found.lang == lang and found.clear


@given(st.text(max_size=300))
def test_understand_never_raises(text: str) -> None:
    u = understand(text)
    assert u.text == text


@given(st.sampled_from(["AMS", "tah", "Rtl"]), st.integers(0, 99), st.integers(1, 99999),
       st.sampled_from(["-", " - ", "", " ", "—"]), st.booleans())
def test_any_written_reference_reads_the_same(code: str, year: int, number: int, sep: str, indic: bool) -> None:
    written = f"{code}{sep}{year:02d}{sep}{number}"
    if indic:
        written = written.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert references(f"عندي طلب {written} وش صار عليه") == (f"{code.upper()}-{year:02d}-{number:05d}",)


@pytest.mark.parametrize(("org", "text", "flow"), [
    ("ratel", "ابي اسجل ولدي في حلقة تحفيظ", "support_request"), ("ilm-alhajj", "abi atlob khedma", "support_request"),
    ("amass", "I'd love to volunteer with you", "volunteer"), ("amass", "ابي احدث رقم جوالي", "data_update"),
    ("ratel", "abi asajel binti fi dawrat el tajweed", "support_request"),  # Arabizi read back loosely
    ("ratel", "how can I enrol in the tajweed classes?", "support_request"), ("amass", "ابي اقدم", "support_request"),
    ("amass", "I want to apply for my mother", "support_request"),
    ("taheel", "ابغى اقدم، وش اسوي؟", "support_request"),  # the question is a clause of its own
    # the wish names what is asked for, whatever else is mentioned: Ratel's programmes are named by
    # "القران" and "تعليم" too, and "خدمة" names every association's main request
    ("ratel", "اختم القران وودي اتطوع عندكم", "volunteer"), ("ratel", "ودي اتطوع معكم في تعليم القران", "volunteer"),
    ("ratel", "I want to volunteer teaching quran online", "volunteer"), ("amass", "ابغى خدمة التطوع", "volunteer"),
])
def test_a_wish_for_a_service_starts_its_form(org: str, text: str, flow: str) -> None:
    d = decide(text, PACKS[org])
    assert (d.kind, d.flow_id) == ("flow", flow)


@pytest.mark.parametrize(("org", "text"), [
    ("taheel", "كيف أقدم على برنامج دعم التوظيف من صندوق هدف؟"),  # an outside programme
    ("amass", "ابي اعرف حالة طلبي"), ("amass", "وش شروط الدعم؟"), ("amass", "اذا قدمت الطلب مين يراجعه؟"),
    ("ratel", "رتل وش تقدم للاطفال؟"), ("amass", "ابي اقيم الخدمه بصراحه، بيعاقبون الموظف؟"),
    # submitting a suggestion about the service is no application for it
    ("rida", "I want to submit a suggestion to improve your service"), ("ratel", "أود تقديم مقترح لتحسين الخدمات"),
    # rating the service (and thanking for the help) is no application for it
    ("amass", "I'd like to rate the service, you were very helpful to my dad"),
])
def test_questions_about_requests_or_outside_programmes_start_no_form(org: str, text: str) -> None:
    assert decide(text, PACKS[org]).kind != "flow" or decide(text, PACKS[org]).flow_id != "support_request"


@pytest.mark.parametrize(("org", "text"), [
    ("ratel", "ابغى اطلب بيتزا"),
    ("amass", "how do I apply for hadaf support?"), ("ratel", "متى تبدا الدراسة اذا سجلت في الحلقة؟"),
    ("ratel", "ابي اقدم على برنامج هدف"),  # "hadaf" is also Arabizi for "goal" in ratel's pack: the full name counts
    ("ilm-alhajj", "who won the world cup in 2018?"), ("ilm-alhajj", "كم عدد سكان السعودية في 2030"),
    ("rida", "ابي رقم بلدية جدة"),
])
def test_something_else_asked_for_is_neither_a_form_nor_an_answer(org: str, text: str) -> None:
    """What the association does not do, a question, or a year that happens to be in its policy."""
    assert decide(text, PACKS[org]).kind not in {"flow", "answer"}


@pytest.mark.parametrize(("text", "kind"), [
    ("شكراً لكم على حسن التعامل", "thanks"), ("thank you for your help", "thanks"), ("مشكورين على سرعة الرد", "thanks"),
    ("شكرا على مساعدتكم لامي، ودي اقيم الخدمة", None), ("شكرا على الرد، متى يوصل الدعم؟", None),
])
def test_thanks_for_something_is_small_talk_unless_it_goes_on(text: str, kind: str | None) -> None:
    assert understand(text).smalltalk == kind
