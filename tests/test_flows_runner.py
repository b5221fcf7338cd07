"""The flow runner as whole conversations: every association's request, and every way out of a form."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows import runner
from bot.flows.schema import FlowDef, load_flows
from bot.flows.state import Ended, FlowState, Handoff, StepContext, StepResult, Submit, UpdateProfile, VolunteerSignup
from bot.packs import Pack, PackError, load_pack
from bot.types import Attachment, Choices, Reply, Text

ROOT = Path(__file__).resolve().parent.parent
ORGS = ROOT / "orgs"
SLUGS = ["taheel", "amass", "ilm-alhajj", "rida", "ratel"]
NOW = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
NID = "1234567897"  # a valid check digit
FAQ_ANSWER = "يُرد على طلبك خلال مدة لا تقل عن أسبوعين."

#: what a minimal pack needs when an association's pack.yaml is not there yet
_FALLBACK = {
    "taheel": (None, None),
    "amass": ({"ar": "لجنة البحث", "en": "Research committee"}, 14),
    "ilm-alhajj": ({"ar": "لجنة البحث", "en": "Research committee"}, 14),
    "rida": ({"ar": "لجنة البحث", "en": "Research committee"}, 14),
    "ratel": ({"ar": "لجنة الشؤون التعليمية", "en": "Educational affairs committee"}, 14),
}


def minimal_pack(slug: str) -> Pack:
    committee, days = _FALLBACK[slug]
    loc = {"ar": "نص", "en": "text"}
    return Pack.model_validate(
        {
            "slug": slug,
            "code": "TST",
            "name": loc,
            "short_name": loc,
            "policy": {"title": loc, "version": "test", "source": "seed"},
            "beneficiary_term": loc,
            "officer_tools": [loc],
            "referral_officer": loc,
            "committee": committee,
            "decision_min_days": days,
            "procedure": [loc],
            "goals": loc,
            "detailed_goals": [loc],
        }
    )


def pack_for(slug: str) -> Pack:
    """The association's real pack.yaml when present (validated on its own), else a minimal one."""
    path = ORGS / slug / "pack.yaml"
    if path.exists():
        return Pack.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    return minimal_pack(slug)


@cache
def flows_for(slug: str) -> dict[str, FlowDef]:
    return load_flows(ORGS / slug / "flows.yaml", pack_for(slug))


def ctx(lang: str = "ar", **kw: Any) -> StepContext:
    base: dict[str, Any] = {
        "lang": lang,
        "now": NOW,
        "channel": "terminal",
        "is_question": lambda s: FAQ_ANSWER if "متى" in s or "when" in s.lower() else None,
    }
    base.update(kw)
    return StepContext(**base)


def text(reply: Reply) -> str:
    assert isinstance(reply, Text | Choices), reply
    return reply.text


class Talk:
    """Drives one conversation and keeps every reply and effect for assertions."""

    def __init__(self, flow: FlowDef, lang: str = "ar", **kw: Any) -> None:
        self.flow, self.ctx = flow, ctx(lang, **kw)
        self.state: FlowState | None
        self.state, self.replies = runner.start(flow, lang, self.ctx)
        self.effects: list[Any] = []
        self.last: StepResult | None = None

    @property
    def expect(self) -> Any:
        return self.replies[-1].expect

    def say(self, text: str, **kw: Any) -> StepResult:
        assert self.state is not None, "the flow has already ended"
        c = ctx(self.ctx.lang, **kw) if kw else self.ctx
        # every step also goes through JSON, as it does in storage
        state = FlowState.from_json(json.loads(json.dumps(self.state.to_json())))
        self.last = runner.step(self.flow, state, text, c)
        self.state, self.replies = self.last.state, self.last.replies
        self.effects += self.last.effects
        return self.last


VALID = {
    "name": "محمد أحمد العتيبي",
    "national_id": "١٢٣٤٥٦٧٨٩٧",
    "phone": "05 5123 4567",
    "city": "جده",
    "choice": "1",
    "number": "12",
    "digits": "00123",
    "description": "أحتاج إلى دعم لاستكمال العلاج.",
    "text": "نص",
    "yes_no": "نعم",
}
INVALID = {
    "name": "محمد 12",
    "national_id": "1234567890",
    "phone": "0112345678",
    "city": "12345",
    "choice": "xyz",
    "number": "abc",
    "digits": "abc",
    "description": "ا" * 5000,
    "text": "ا" * 5000,
    "yes_no": "ممكن",
}


def fill(talk: Talk, *, invalid_first: bool = True) -> None:
    """Answer every field (once wrongly, then rightly) until the summary or declaration."""
    for _ in range(40):
        exp = talk.expect
        if exp is None or exp.field.startswith("_"):
            return
        if exp.type == "attachment":
            talk.say("تخطي")
            continue
        if invalid_first:
            field_before = exp.field
            talk.say(INVALID[exp.type])
            assert talk.expect.field == field_before, f"{exp.type} accepted {INVALID[exp.type]!r}"
            assert talk.state is not None and talk.state.attempts[field_before] == 1
        talk.say(VALID[exp.type])
    raise AssertionError("form did not end")


# --- full paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_full_support_request(slug: str, lang: str) -> None:
    flow = flows_for(slug)["support_request"]
    talk = Talk(flow, lang)
    assert text(talk.replies[0]) == flow.intro.get(lang)
    fill(talk)
    assert talk.expect.field == "_summary" and talk.expect.type == "confirm"
    summary = talk.replies[-1]
    assert isinstance(summary, Choices)
    assert "******7897" in summary.text and NID not in summary.text  # national ID masked
    talk.say("confirm")
    assert talk.expect.field == "_declaration"
    assert flow.declaration is not None and flow.declaration.get(lang) in text(talk.replies[-1])
    talk.say("أقر وأوافق" if lang == "ar" else "I confirm")
    assert talk.expect.field == "_consent"
    result = talk.say("accept")
    assert result.state is None and result.replies == []  # the engine sends the success text
    (submit,) = result.effects
    assert isinstance(submit, Submit)
    visible = [f.id for f in runner.visible_fields(flow, submit.answers)]
    assert list(submit.answers) == visible
    assert submit.answers["national_id"] == NID
    assert submit.answers["mobile"] == "+966551234567"
    assert submit.answers["full_name"] == "محمد أحمد العتيبي"
    if "city" in submit.answers:
        assert submit.answers["city"] == "jeddah"
    assert "national_id" in submit.sensitive_fields
    assert submit.declaration is not None and submit.consent is not None
    assert submit.declaration["text"] == flow.declaration.get(lang)
    assert submit.declaration["accepted_at"] == NOW.isoformat()
    assert submit.declaration["lang"] == lang
    assert submit.declaration["policy_version"] == flow.policy_version
    assert submit.declaration["text_hash"]


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(("flow_id", "effect"), [("data_update", UpdateProfile), ("volunteer", VolunteerSignup)])
def test_other_flows_submit_their_own_effect(slug: str, flow_id: str, effect: type) -> None:
    flow = flows_for(slug)[flow_id]
    talk = Talk(flow)
    fill(talk, invalid_first=False)
    talk.say("تأكيد")
    result = talk.say("أوافق")
    assert result.state is None
    (eff,) = result.effects
    assert isinstance(eff, UpdateProfile | VolunteerSignup) and isinstance(eff, effect)
    assert eff.answers["mobile"] == "+966551234567"


def test_success_text_is_filled_by_the_engine() -> None:
    flow = flows_for("amass")["support_request"]
    text = runner.P.success_text(
        flow, "ar", reference="AMS-25-00001", committee="لجنة البحث", earliest_date="2025-03-15"
    )
    assert text is not None and "AMS-25-00001" in text and "لجنة البحث" in text and "{" not in text
    taheel = flows_for("taheel")["support_request"]
    assert taheel.success is not None and "{committee}" not in taheel.success.ar  # the policy names no committee


def test_every_flow_exists_for_every_org_and_status_inquiry_is_not_a_form() -> None:
    for slug in SLUGS:
        flows = flows_for(slug)
        assert set(flows) == {"support_request", "data_update", "volunteer"}
        assert flows["support_request"].on_submit == "case"
        assert flows["data_update"].on_submit == "update_profile"
        assert flows["volunteer"].on_submit == "volunteer"


@pytest.mark.parametrize("slug", SLUGS)
def test_real_pack_loads_with_flows(slug: str) -> None:
    loaded = load_pack(ORGS / slug)
    assert set(loaded.flows) == {"support_request", "data_update", "volunteer"}


def test_declarations_use_the_policy_terms() -> None:
    for slug in ["amass", "ilm-alhajj", "rida", "ratel"]:
        decl = flows_for(slug)["support_request"].declaration
        assert decl is not None and "مسؤول مسؤولية مباشرة" in decl.ar and "أسبوعين" in decl.ar
    taheel = flows_for("taheel")["support_request"].declaration
    assert taheel is not None and "مطابق" in taheel.ar and "صلاحيتها وقت التقديم" in taheel.ar
    assert "أسبوعين" not in taheel.ar  # Ta'heel's policy promises no decision period


# --- moving around a form ---------------------------------------------------------------------------


def amass() -> FlowDef:
    return flows_for("amass")["support_request"]


def test_back_returns_to_previous_field_and_forgets_its_answer() -> None:
    talk = Talk(amass())
    talk.say(VALID["name"])
    talk.say(NID)
    assert talk.expect.field == "mobile"
    talk.say("رجوع")
    assert talk.expect.field == "national_id"
    assert talk.state is not None and "national_id" not in talk.state.answers
    talk.say("back")
    assert talk.expect.field == "full_name"
    talk.say("السابق")
    assert talk.expect.field == "full_name"
    assert "هذا هو السؤال الأول" in text(talk.replies[-1])


def test_cancel_ends_courteously_with_nothing_submitted() -> None:
    for word in ["إلغاء", "الغاء", "cancel"]:
        talk = Talk(amass())
        talk.say(VALID["name"])
        result = talk.say(word)
        assert result.state is None
        assert result.effects == [Ended("support_request", "cancelled")]
        assert isinstance(result.replies[0], Text) and "لم يُرسل" in text(result.replies[0])


def test_skip_only_optional_fields() -> None:
    talk = Talk(amass())
    talk.say("تخطي")
    assert talk.expect.field == "full_name"
    assert "لا يمكن تخطيها" in text(talk.replies[-1])
    assert talk.state is not None and talk.state.attempts == {}
    fill(talk, invalid_first=False)  # description and report are optional and skipped by fill
    assert talk.state is not None and talk.state.answers["medical_report"] is None


def test_optional_choice_prompt_offers_skip_button() -> None:
    flow = amass()
    desc = flow.field("description")
    assert desc is not None and desc.optional
    reply = runner.P.field_prompt(flow, desc, "ar")
    assert "تخطي" in reply.text


def test_question_mid_form_is_answered_then_same_field_again() -> None:
    talk = Talk(amass())
    talk.say(VALID["name"])
    result = talk.say("متى يتم الرد على طلبي؟")
    assert text(result.replies[0]) == FAQ_ANSWER
    assert result.replies[0].kind == "answer"
    assert talk.expect.field == "national_id"
    assert talk.state is not None and talk.state.attempts == {}
    # at a free-text field too: the question is not taken as the answer
    talk2 = Talk(amass())
    talk2.say("متى يردون علي؟")
    assert text(talk2.replies[0]) == FAQ_ANSWER and talk2.expect.field == "full_name"
    assert talk2.state is not None and "full_name" not in talk2.state.answers


def test_help_shows_the_fields_help() -> None:
    flow = amass()
    talk = Talk(flow)
    talk.say(VALID["name"])
    talk.say("مساعدة")
    nid = flow.field("national_id")
    assert nid is not None and nid.help is not None
    assert text(talk.replies[-1]).startswith(nid.help.ar)
    assert talk.expect.field == "national_id"


def test_human_hands_off_and_keeps_the_state() -> None:
    talk = Talk(amass())
    talk.say(VALID["name"])
    result = talk.say("موظف")
    assert result.effects == [Handoff("requested", "support_request", "national_id", {"full_name": VALID["name"]})]
    assert result.state is not None and result.state.field == "national_id"


def test_third_failure_offers_handoff() -> None:
    talk = Talk(amass())
    talk.say(VALID["name"])
    talk.say("123")
    r2 = talk.say("456")
    assert r2.effects == [] and talk.expect.field == "national_id"
    r3 = talk.say("789")
    assert r3.effects == []
    offer = r3.replies[-1]
    assert isinstance(offer, Choices)
    assert [b.label for b in offer.buttons] == ["تحويل لموظف", "محاولة مرة أخرى"]
    assert offer.text.startswith("رقم الهوية يتكون من 10 أرقام")
    retry = talk.say("retry")
    assert retry.effects == [] and talk.expect.field == "national_id"
    for bad in ["1", "2", "3"]:
        talk.say(bad)
    result = talk.say("تحويل لموظف")
    assert result.effects == [Handoff("validation", "support_request", "national_id", {"full_name": VALID["name"]})]


def test_valid_answer_while_offered_handoff_is_accepted() -> None:
    talk = Talk(amass())
    talk.say(VALID["name"])
    for bad in ["1", "2", "3"]:
        talk.say(bad)
    talk.say(NID)
    assert talk.expect.field == "mobile"


def test_edit_from_summary() -> None:
    talk = Talk(amass())
    fill(talk, invalid_first=False)
    talk.say("تعديل")
    assert talk.expect.field == "_edit" and "mobile" in talk.expect.choices
    talk.say("mobile")
    assert talk.expect.field == "mobile" and talk.state is not None and talk.state.editing
    talk.say("0501112233")
    assert talk.expect.field == "_summary"
    assert "+966501112233" in text(talk.replies[-1])
    # back while editing returns to the summary with nothing lost
    talk.say("edit")
    talk.say("الجوال")
    talk.say("رجوع")
    assert talk.expect.field == "_summary" and "+966501112233" in text(talk.replies[-1])


def test_edit_that_changes_a_condition_asks_or_drops_dependent_fields() -> None:
    talk = Talk(amass())
    fill(talk, invalid_first=False)  # relation "1" = self: no patient name
    assert talk.state is not None and "patient_name" not in talk.state.answers
    talk.say("تعديل")
    talk.say("patient_relation")
    talk.say("family_member")
    assert talk.expect.field == "patient_name"  # newly shown field is asked
    talk.say("عبدالله محمد")
    assert talk.expect.field == "_summary" and "عبدالله محمد" in text(talk.replies[-1])
    talk.say("تعديل")
    talk.say("patient_relation")
    talk.say("self")
    assert talk.expect.field == "_summary"
    assert talk.state is not None and "patient_name" not in talk.state.answers


def test_declaration_declined_submits_nothing() -> None:
    talk = Talk(amass())
    fill(talk, invalid_first=False)
    talk.say("تأكيد")
    result = talk.say("لا أوافق")
    assert result.state is None
    assert result.effects == [Ended("support_request", "declined")]
    assert not any(isinstance(e, Submit) for e in talk.effects)
    assert "لم يُرسل" in text(result.replies[0])


def test_consent_declined_submits_nothing() -> None:
    talk = Talk(amass())
    fill(talk, invalid_first=False)
    talk.say("تأكيد")
    talk.say("أقر وأوافق")
    result = talk.say("decline")
    assert result.state is None and result.effects == [Ended("support_request", "consent_declined")]
    assert not any(isinstance(e, Submit) for e in talk.effects)


def test_declaration_is_not_guessed_from_near_misses() -> None:
    talk = Talk(amass())
    fill(talk, invalid_first=False)
    talk.say("تأكيد")
    talk.say("ما أوافق")  # "I don't agree" must never be read as agreement
    assert talk.state is None and talk.effects[-1] == Ended("support_request", "declined")
    talk = Talk(amass())
    fill(talk, invalid_first=False)
    talk.say("تأكيد")
    talk.say("اقرار")
    assert talk.expect.field == "_declaration" and "فضلاً اختر" in text(talk.replies[-1])


def test_back_from_declaration_and_consent() -> None:
    talk = Talk(amass())
    fill(talk, invalid_first=False)
    talk.say("تأكيد")
    talk.say("أقر وأوافق")
    talk.say("رجوع")
    assert talk.expect.field == "_declaration" and talk.state is not None and talk.state.declaration is None
    talk.say("رجوع")
    assert talk.expect.field == "_summary"
    talk.say("رجوع")  # from the summary: the last answered field
    assert not talk.expect.field.startswith("_")


# --- channels, expiry, reminders, storage ---------------------------------------------------------


def test_attachment_on_a_channel_that_carries_files() -> None:
    talk = Talk(amass())
    for _ in range(20):
        if talk.expect.field == "medical_report":
            break
        if talk.expect.field == "description":
            talk.say("تخطي")
            continue
        talk.say(VALID[talk.expect.type])
    exe = Attachment(url="https://x/file.exe", content_type="application/x-msdownload", size=10)
    talk.say("", attachments=(exe,))
    assert talk.expect.field == "medical_report" and "PDF" in text(talk.replies[-1])
    pdf = Attachment(url="https://x/report.pdf", content_type="application/pdf", size=2000, filename="report.pdf")
    talk.say("", attachments=(pdf,))
    assert talk.expect.field == "_summary" and "report.pdf" in text(talk.replies[-1])


def test_optional_attachment_skipped_on_sms() -> None:
    talk = Talk(amass(), supports_attachments=False, supports_buttons=False)
    for _ in range(20):
        if talk.expect.field.startswith("_"):
            break
        talk.say("تخطي" if talk.expect.field == "description" else VALID[talk.expect.type])
    texts = [text(r) for r in talk.replies]
    assert any("لا تستقبل الملفات" in x for x in texts)
    assert talk.state is not None and talk.state.answers["medical_report"] is None


def test_choice_prompt_without_buttons_says_how_to_answer() -> None:
    flow = amass()
    field = flow.field("support_type")
    assert field is not None
    reply = runner.P.field_prompt(flow, field, "ar", supports_buttons=False)
    assert isinstance(reply, Choices) and "اكتب رقم الخيار" in reply.text
    assert reply.expect is not None and reply.expect.choices[0] == "financial_aid"


def test_expired_state_restarts_politely() -> None:
    talk = Talk(amass())
    talk.say(VALID["name"])
    later = NOW + timedelta(days=2)
    result = talk.say(NID, now=later)
    assert result.effects == [Ended("support_request", "expired")]
    assert "بدأنا الطلب من جديد" in text(result.replies[0])
    assert talk.expect.field == "full_name" and talk.state is not None and talk.state.answers == {}


def test_reminder_after_silence() -> None:
    talk = Talk(amass())
    talk.say(VALID["name"])
    state = talk.state
    assert state is not None
    assert not runner.needs_reminder(state, NOW + timedelta(hours=1))
    assert runner.needs_reminder(state, NOW + timedelta(hours=7))
    reminded, replies = runner.reminder(amass(), state, NOW + timedelta(hours=7))
    assert "تذكير" in text(replies[0]) and replies[0].expect is not None
    assert replies[0].expect.field == "national_id"
    assert not runner.needs_reminder(reminded, NOW + timedelta(hours=8))
    assert not runner.needs_reminder(None, NOW)


def test_state_is_json_and_steps_do_not_mutate_it() -> None:
    flow = amass()
    state, _ = runner.start(flow, "ar", ctx())
    before = state.dumps()
    runner.step(flow, state, VALID["name"], ctx())
    assert state.dumps() == before
    assert FlowState.from_json(before) == state
    assert FlowState.from_json({**json.loads(before), "from_the_future": 1}) == state


def test_state_from_an_older_pack_resumes() -> None:
    flow = amass()
    state = FlowState(
        flow="support_request",
        field="removed_field",
        answers={"full_name": "سارة علي", "gone": 1},
        started_at=NOW.isoformat(),
        updated_at=NOW.isoformat(),
    )
    result = runner.step(flow, state, "anything", ctx())
    assert result.state is not None and result.state.field == "national_id"
    assert "gone" not in result.state.answers


def test_prompts_carry_expect() -> None:
    flow = amass()
    _state, replies = runner.start(flow, "en", ctx("en"))
    first: Reply = replies[-1]
    assert first.expect is not None and (first.expect.flow, first.expect.field, first.expect.type) == (
        "support_request",
        "full_name",
        "name",
    )


# --- flows.yaml validation ------------------------------------------------------------------------------


def write_flows(tmp_path: Path, flows: dict[str, Any]) -> Path:
    path = tmp_path / "flows.yaml"
    path.write_text(yaml.safe_dump({"flows": flows}, allow_unicode=True), encoding="utf-8")
    return path


def base_flow(**over: Any) -> dict[str, Any]:
    loc = {"ar": "نص", "en": "text"}
    flow: dict[str, Any] = {
        "id": "support_request",
        "title": loc,
        "intro": loc,
        "fields": [
            {"id": "full_name", "type": "name", "prompt": loc},
            {"id": "national_id", "type": "national_id", "prompt": loc},
        ],
        "declaration": loc,
        "consent": loc,
        "on_submit": "case",
    }
    flow.update(over)
    return flow


def test_unknown_field_type_names_file_flow_and_field(tmp_path: Path) -> None:
    flow = base_flow()
    flow["fields"].append({"id": "shoe_size", "type": "shoe", "prompt": {"ar": "س", "en": "q"}})
    path = write_flows(tmp_path, {"support_request": flow})
    with pytest.raises(PackError) as err:
        load_flows(path, minimal_pack("amass"))
    msg = str(err.value)
    assert str(path) in msg and "support_request" in msg and "shoe_size" in msg and "shoe" in msg


def test_unknown_field_type_in_a_copied_pack(tmp_path: Path) -> None:
    pack_dir = tmp_path / "amass"
    shutil.copytree(ORGS / "amass", pack_dir)
    text = (pack_dir / "flows.yaml").read_text(encoding="utf-8")
    (pack_dir / "flows.yaml").write_text(text.replace("type: city", "type: town", 1), encoding="utf-8")
    with pytest.raises(PackError, match=r"flows\.yaml: flow 'support_request', field 'city': unknown field type"):
        load_pack(pack_dir)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"fields": [{"id": "a", "type": "name", "prompt": {"ar": "س", "en": "q"}}] * 2}, "duplicate field id"),
        ({"declaration": None}, "needs a declaration"),
        (
            {
                "fields": [
                    {
                        "id": "a",
                        "type": "name",
                        "prompt": {"ar": "س", "en": "q"},
                        "show_if": {"field": "b", "equals": "x"},
                    }
                ]
            },
            "not an earlier field",
        ),
        (
            {
                "fields": [
                    {
                        "id": "a",
                        "type": "choice",
                        "prompt": {"ar": "س", "en": "q"},
                        "choices": [{"value": "x", "label": {"ar": "س", "en": "x"}}],
                    }
                ]
            },
            "at least two choices",
        ),
        ({"fields": [{"id": "Bad-Id", "type": "name", "prompt": {"ar": "س", "en": "q"}}]}, "field 'Bad-Id'"),
        ({"success": {"ar": "{committee}", "en": "{committee}"}}, "pack names none"),
        ({"success": {"ar": "{nonsense}", "en": "x"}}, "unknown placeholder"),
    ],
)
def test_flow_file_problems_are_named(tmp_path: Path, change: dict[str, Any], needle: str) -> None:
    path = write_flows(tmp_path, {"support_request": base_flow(**change)})
    with pytest.raises(PackError, match="support_request") as err:
        load_flows(path, minimal_pack("taheel"))
    assert needle in str(err.value) and str(path) in str(err.value)


def test_national_id_is_always_sensitive(tmp_path: Path) -> None:
    flow = base_flow()
    flow["fields"][1]["sensitive"] = False
    flows = load_flows(write_flows(tmp_path, {"support_request": flow}), minimal_pack("amass"))
    field = flows["support_request"].field("national_id")
    assert field is not None and field.sensitive


def test_flow_without_summary_or_declaration_completes_directly(tmp_path: Path) -> None:
    flow = base_flow(summary=False, declaration=None, consent=None, on_submit="none")
    flows = load_flows(write_flows(tmp_path, {"support_request": flow}), minimal_pack("taheel"))
    talk = Talk(flows["support_request"])
    talk.say(VALID["name"])
    result = talk.say(NID)
    assert result.state is None and result.replies == []
    assert [type(e).__name__ for e in result.effects] == ["Completed"]


ANY_INPUT = st.one_of(
    st.sampled_from(
        [
            "رجوع",
            "إلغاء",
            "تخطي",
            "مساعدة",
            "تعديل",
            "تأكيد",
            "أقر وأوافق",
            "لا أوافق",
            "retry",
            "handoff",
            "موظف",
            "متى يردون؟",
            "1",
            "2",
            "mobile",
            "skip",
            "",
            "   ",
        ]
    ),
    st.sampled_from(list(VALID.values()) + list(INVALID.values())),
    st.text(max_size=30),
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SLUGS), st.lists(ANY_INPUT, max_size=25), st.booleans())
def test_any_conversation_keeps_a_consistent_state(slug: str, inputs: list[str], sms: bool) -> None:
    """Whatever is typed, the runner never fails, and a live state always says what it awaits."""
    flow = flows_for(slug)["support_request"]
    talk = Talk(flow, supports_buttons=not sms, supports_attachments=not sms)
    for raw in inputs:
        result = talk.say(raw)
        if result.state is None:
            assert result.effects and not isinstance(result.effects[0], Handoff)
            break
        json.dumps(result.state.to_json())
        if any(isinstance(e, Handoff) for e in result.effects):
            continue
        assert result.replies and result.replies[-1].expect is not None
        if result.state.stage == "field":
            assert result.replies[-1].expect.field in {f.id for f in flow.fields} | {"_handoff"}


def test_flow_state_json_covers_every_field() -> None:
    """to_json is written out by hand for speed; a new field must not be silently dropped."""
    from dataclasses import fields

    from bot.flows.state import FlowState

    state = FlowState(flow="support_request", field=None)
    assert set(state.to_json()) == {f.name for f in fields(FlowState)}
    assert FlowState.from_json(state.to_json()) == state
