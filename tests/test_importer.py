"""The policy importer's core: noise repair, facts, periods, readers, determinism (no subprocess).

The five seed policies live beside the repository (``../shared/seeds``); tests that need them
skip with the reason when that folder is absent. Our own two policies are in tests/data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfWriter

from bot.importer.english import channel_id, render, render_named
from bot.importer.extract import extract
from bot.importer.pack_writer import ImportRefused, import_policy
from bot.importer.periods import find_period
from bot.importer.reader import PolicyReadError, read_policy
from bot.importer.text import clean_text, fold
from bot.packs import load_pack
from tests.policy_files import make_docx, make_pdf

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
DATA = Path(__file__).with_name("data") / "policies"
SLUGS = {"000": "taheel", "001": "amass", "002": "ilm-alhajj", "003": "rida", "004": "ratel"}
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed policies (../shared/seeds) are not here")


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


# --- noise repair -----------------------------------------------------------------------------

def test_presentation_forms_and_tatweel_become_plain_letters() -> None:
    assert clean_text("ﺟﻤﻌﻴﺔ علــــم الحـــج") == "جمعية علم الحج"


def test_a_mirrored_justified_line_is_read_in_order() -> None:
    # a justified PDF line whose words came out right-to-left reversed (seed 002's general goal)
    line = "على  والعمل  ومقترحاتهم  متطلباتهم  ومتابعة  عالية  وجودة  وسرعة  بإتقان  الشرائح  كافة  من  للمستفيدين  متميزة  خدمة  تقديم"
    assert clean_text(line).startswith("تقديم خدمة متميزة للمستفيدين")


def test_torn_word_endings_go_back_where_they_belong() -> None:
    title = "  وتقديم الخدمات  ينمع المستفيــــــد اتسياسة تنظيم العلاق"
    assert clean_text(title) == "سياسة تنظيم العلاقات مع المستفيدين وتقديم الخدمات"


def test_glued_chunks_and_trailing_bullets_are_split_and_reordered() -> None:
    line = "والتوقيع عليها وأنه مسؤول مسئولية مباشرة عن صحة المعلومات.   الخدمةالتأكد على صحة البيانات المقدمة من طالب  -"
    assert clean_text(line) == (
        "- التأكد على صحة البيانات المقدمة من طالب الخدمة والتوقيع عليها وأنه مسؤول مسئولية مباشرة عن صحة المعلومات."
    )


def test_a_word_split_by_a_stray_space_is_joined() -> None:
    assert "مختلف المستويات" in clean_text("ويتم التعامل مع المستفيد على مختل ف المستويات بالشكل التالي")


@given(st.lists(st.sampled_from(["تقديم", "خدمة", "متميزة", "للمستفيدين", "جودة", "عالية", "الجمعية", "السياسات",
                                 "يتم", "يقر", "يوقع", "هذه", "المستفيدين.", "الخدمات", "ينمع", "الخارجينشر"]),
                min_size=1, max_size=12))
def test_clean_single_spaced_text_is_left_as_it_is(words: list[str]) -> None:
    line = " ".join(words)
    assert clean_text(line) == line


# --- periods ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "days", "bound", "english"), [
    ("والرد عليه بشأن قبوله أو رفضه خلال مدة لا تقل عن أسبوعين.", 14, "min", "within a period of no less than two weeks"),
    ("والرد عليه خلال عشرة أيام عمل من تاريخ اكتمال الطلب.", 14, "max", "within ten working days"),
    ("والرد عليه خلال شهر.", 30, "max", "within a month"),
    ("والرد عليه في غضون ٢١ يوماً.", 21, "max", "within 21 days"),
    ("لا تقل عن أسبوع", 7, "min", "within a period of no less than a week"),
    ("خلال ثلاثة أسابيع", 21, "max", "within three weeks"),
])
def test_decision_periods_in_any_phrasing(sentence: str, days: int, bound: str, english: str) -> None:
    period = find_period(sentence)
    assert period is not None
    assert (period.days, period.bound, period.english()) == (days, bound, english)
    assert period.phrase in sentence


def test_a_sentence_without_a_period_has_none() -> None:
    assert find_period("التوضيح للمستفيد بأن طلبه سيرفع للجنة البحث لدراسة طلبه.") is None


# --- facts from the seeds ---------------------------------------------------------------------

@needs_seeds
@pytest.mark.parametrize(("prefix", "name", "officer", "committee", "channels", "hijri", "gregorian"), [
    ("000", "جمعية تأهيل العلمية", "مسؤول نطاق الاستشارة أو البرنامج", None, 0, None, None),
    ("001", "جمعية أمس", "مسؤول البحث الاجتماعي", "لجنة البحث", 8, None, "2024-01-24"),
    ("002", "جمعية علم الحج", "مسؤول البحث الاجتماعي", "لجنة البحث", 8, "1446-08-25", "2025-02-24"),
    ("003", "الجمعية التعاونية متعددة الأغراض رضا", "مسؤول البحث الاجتماعي", "لجنة البحث", 7, "1443-05-07",
     "2021-12-11"),
    ("004", "جمعية رتل الرقمية", "مسؤول الشؤون التعليمية", "لجنة الشؤون التعليمية", 8, "1447-01-18", "2025-07-13"),
])
def test_seed_facts(prefix: str, name: str, officer: str, committee: str | None, channels: int,
                    hijri: str | None, gregorian: str | None) -> None:
    facts = extract(seed(prefix).read_text(encoding="utf-8"))
    assert facts.name == name
    assert facts.referral_officer == officer
    assert facts.committee == committee
    assert len(facts.channels) == channels
    assert (facts.period.days if facts.period else None) == (14 if committee else None)
    approval = facts.approval
    assert (approval.date_hijri if approval else None) == hijri
    assert (approval.date_gregorian if approval else None) == gregorian
    assert facts.reception and "لباقة" in facts.reception
    assert facts.satisfaction and "للعقاب" in facts.satisfaction


@needs_seeds
def test_the_garbled_seed_reads_like_the_clean_ones(tmp_path: Path) -> None:
    garbled, clean = extract(seed("002").read_text(encoding="utf-8")), extract(seed("001").read_text(encoding="utf-8"))
    assert garbled.title == "سياسة تنظيم العلاقات مع المستفيدين وتقديم الخدمات"
    assert [fold(c)[-6:] for c in garbled.channels][:4] == [fold(c)[-6:] for c in clean.channels][:4]
    assert garbled.goal and garbled.goal.startswith("تقديم خدمة متميزة")
    assert garbled.declaration and garbled.declaration.startswith("التأكد على صحة البيانات المقدمة من طالب الخدمة")
    assert garbled.repaired_lines >= 5 and clean.repaired_lines < 5
    report = import_policy(seed("002"), "ilm-alhajj", tmp_path).report.render("x")
    assert "damaged by PDF text extraction" in report and "أفسدها استخراج النص" in report
    assert garbled.tools == ["اللائحة الأساسية للجمعية", "دليل خدمات البحث الاجتماعي", "دليل سياسة الدعم للمستفيدين",
                             "طلب دعم مستفيد"]


@needs_seeds
def test_cooperative_members_and_location() -> None:
    facts = extract(seed("003").read_text(encoding="utf-8"))
    assert facts.kind == "cooperative" and facts.beneficiary_term == "المساهم"
    assert facts.location == "محافظة الجموم - مكة المكرمة"
    assert facts.approval and facts.approval.session == "33"


# --- English renderings -----------------------------------------------------------------------

def test_known_phrases_are_rendered_and_unknown_ones_quoted_not_invented() -> None:
    assert render_named("مسؤول الشؤون التعليمية", "officer") == ("Educational affairs officer", True)
    assert render_named("لجنة الدراسة والتقييم", "committee") == ("Study and assessment committee", True)
    english, ok = render_named("لجنة الإسكان التنموي", "committee")
    assert not ok and "«لجنة الإسكان التنموي»" in english
    english, ok = render("دليل الحوكمة الداخلية", "tool")
    assert not ok and "«دليل الحوكمة الداخلية»" in english
    assert channel_id("الواتساب", 0)[:2] == ("whatsapp", "WhatsApp")
    assert channel_id("البث الإذاعي", 3)[0] == "channel_4"


# --- readers ----------------------------------------------------------------------------------

def test_docx_is_read_with_its_list_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "p.docx"
    make_docx("القنوات المستخدمة للتواصل مع المستفيدين:\n- المقابلة.\n- الخطابات.", path)
    assert read_policy(path).splitlines() == ["القنوات المستخدمة للتواصل مع المستفيدين:", "- المقابلة.", "- الخطابات."]


def test_text_pdf_is_read(tmp_path: Path) -> None:
    path = tmp_path / "p.pdf"
    text = (DATA / "basira.txt").read_text(encoding="utf-8")
    make_pdf(text, path)
    read = read_policy(path)
    assert "لجنة الدراسة والتقييم" in read and "جمعية بصيرة لرعاية المكفوفين" in read
    p = load_pack(import_policy(path, "basira", tmp_path / "orgs").directory).pack
    assert p.committee and p.committee.ar == "لجنة الدراسة والتقييم" and p.decision_min_days == 30
    assert p.policy.approval and p.policy.approval.date_gregorian == "2024-09-05"


def test_a_scanned_pdf_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(PolicyReadError, match="no text layer"):
        read_policy(path)


def test_unsupported_and_non_policy_files_are_refused(tmp_path: Path) -> None:
    odt = tmp_path / "p.odt"
    odt.write_bytes(b"x")
    with pytest.raises(PolicyReadError, match="unsupported"):
        read_policy(odt)
    note = tmp_path / "note.txt"
    note.write_text("قائمة مشتريات: حليب، خبز، تمر.", encoding="utf-8")
    with pytest.raises(ImportRefused, match="sections"):
        import_policy(note, "note", tmp_path / "orgs")
    assert not (tmp_path / "orgs" / "note").exists()


# --- writing ----------------------------------------------------------------------------------

def _tree(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def test_same_policy_same_pack_byte_for_byte(tmp_path: Path) -> None:
    first = import_policy(DATA / "namaa.md", "namaa", tmp_path / "a").directory
    second = import_policy(DATA / "namaa.md", "namaa", tmp_path / "b").directory
    assert _tree(first) == _tree(second)
    assert sorted(_tree(first)) == ["faq.yaml", "flows.yaml", "pack.yaml"]


def test_an_existing_pack_is_kept_unless_forced(tmp_path: Path) -> None:
    import_policy(DATA / "namaa.md", "namaa", tmp_path)
    with pytest.raises(ImportRefused, match="--force"):
        import_policy(DATA / "namaa.md", "namaa", tmp_path)
    import_policy(DATA / "namaa.md", "namaa", tmp_path, code="NMA", force=True)
    assert load_pack(tmp_path / "namaa").pack.code == "NMA"
    assert [p.name for p in tmp_path.iterdir()] == ["namaa"]  # no scratch folder left behind


def test_our_markdown_policy_becomes_its_own_association(tmp_path: Path) -> None:
    result = import_policy(DATA / "namaa.md", "namaa", tmp_path)
    lp = load_pack(result.directory)
    p = lp.pack
    assert (p.name.ar, p.name.en) == ("جمعية نماء الخيرية", "Namaa Charitable Association")
    assert p.short_name.ar == "جمعية نماء"
    assert p.location and (p.location.ar, p.location.en) == ("محافظة الطائف", "Taif Governorate")
    assert [c.id for c in p.channels] == ["interview", "email", "whatsapp", "sms", "website", "volunteering"]
    assert (p.referral_officer.ar, p.referral_officer.en) == ("مسؤول الخدمات الاجتماعية", "Social services officer")
    assert p.committee and (p.committee.ar, p.committee.en) == ("لجنة المساعدات", "Aid committee")
    assert p.decision_min_days == 14  # ten working days, in whole weeks
    assert p.policy.approval and p.policy.approval.date_hijri == "1446-03-12"
    assert p.policy.approval.date_gregorian is None and p.policy.approval.meeting == "5"
    assert set(lp.flows) == {"support_request", "data_update", "volunteer"}
    decl = lp.flows["support_request"].declaration
    assert decl and "خلال عشرة أيام عمل" in decl.ar and "within ten working days" in decl.en
    assert p.contact.phone is None and p.contact.email is None  # never invented


def test_our_docx_policy_without_volunteering_gets_no_volunteer_form(tmp_path: Path) -> None:
    docx = tmp_path / "basira.docx"
    make_docx((DATA / "basira.txt").read_text(encoding="utf-8"), docx)
    result = import_policy(docx, "basira", tmp_path / "orgs")
    lp = load_pack(result.directory)
    p = lp.pack
    assert p.name.ar == "جمعية بصيرة لرعاية المكفوفين" and p.name.en == "Basira Association"
    assert [c.id for c in p.channels] == ["phone", "field_visits", "app", "letters"]
    assert p.committee and p.committee.en == "Study and assessment committee"
    assert p.decision_min_days == 30
    assert "volunteer" not in lp.flows and "volunteering" not in {t.id for t in lp.faq.topics}
    assert p.policy.approval and p.policy.approval.date_gregorian == "2024-09-05"
    assert p.policy.approval.date_hijri is None
    success = lp.flows["support_request"].success
    assert success and "earliest_date" not in success.ar  # "within a month" is no earliest date
    rendered = result.report.render(str(result.directory))
    assert "Basira Association" in rendered and "الاسم الإنجليزي" in rendered
    assert "volunteering" in rendered.split("Not found")[1]


@needs_seeds
def test_every_seed_imports_into_a_loadable_pack_with_every_topic_phrased_enough(tmp_path: Path) -> None:
    for prefix, slug in SLUGS.items():
        lp = load_pack(import_policy(seed(prefix), slug, tmp_path).directory)
        assert all(len(t.questions) >= 8 for t in lp.faq.topics)
        ids = {t.id for t in lp.faq.topics}
        assert {"apply_support", "request_status", "data_update", "talk_to_officer", "referral_officer"} <= ids
        assert ("volunteer" in lp.flows) == (slug != "taheel")
        english = [t.answer.en for t in lp.faq.topics]
        assert not any(re.search(r"[\u0600-\u06ff]", a) and "«" not in a for a in english), slug


def test_a_policy_worded_differently_still_yields_its_facts(tmp_path: Path) -> None:
    """Ordinal headings ("سادساً: إجراءات التعامل…"), "يحال" instead of "إحالته", "مدة أقصاها ثلاثة
    أسابيع", a masculine ordinal meeting and a year-first Hijri date."""
    result = import_policy(DATA / "sanad.txt", "sanad", tmp_path)
    lp = load_pack(result.directory)
    p = lp.pack
    assert p.name.ar == "جمعية سند لرعاية الأيتام"
    assert p.location and (p.location.ar, p.location.en) == ("مدينة جدة", "Jeddah")
    assert [c.id for c in p.channels] == ["phone", "email", "unified_number"]
    assert p.referral_officer.ar == "مسؤول الرعاية" and p.referral_officer.en == "Care officer"
    assert p.committee and p.committee.ar == "لجنة الكفالات" and "«لجنة الكفالات»" in p.committee.en
    assert p.decision_min_days == 21
    assert p.policy.approval and p.policy.approval.meeting == "2" and p.policy.approval.date_hijri == "1445-06-10"
    assert len(p.procedure) == 4 and p.officer_tools[-1].ar == "دليل الإجراءات"
    assert "the English for 'لجنة الكفالات'" in result.report.render("x")


def test_page_headers_are_dropped_but_a_repeated_item_is_kept(tmp_path: Path) -> None:
    text = (DATA / "basira.txt").read_text(encoding="utf-8")
    header = "جمعية بصيرة لرعاية المكفوفين"
    paged = text.replace("الأدوات المتاحة", f"{header}\nالأدوات المتاحة").replace("- الخطابات.", "- الخطابات.\n- اللائحة الأساسية للجمعية.")
    facts = extract(paged.replace("\n- ", "\n"))  # a .docx-like text: no list markers at all
    assert header not in " ".join(facts.channels + facts.tools)
    assert facts.channels[-1] == "اللائحة الأساسية للجمعية" and facts.tools[0] == "اللائحة الأساسية للجمعية"
