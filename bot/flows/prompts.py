"""The replies a flow sends: field prompts, the summary, declaration and consent, the hand-off offer.

Separated from the step logic so the wording and button layout can be reviewed on their own,
and so the engine can re-show "where we are" (after an FAQ answer, a reminder, a reconnect)
with exactly the reply the person saw before.

Every prompt carries an :class:`~bot.types.Expect` so scripts (`sila chat --json`) and the
web chat know which field is awaited; control steps use field names starting with "_"
(``_summary``, ``_edit``, ``_declaration``, ``_consent``, ``_handoff``), which can never clash
with a flow's own snake_case field ids.
"""

from __future__ import annotations

import string
from dataclasses import replace
from typing import Any

from bot.flows.matching import Option, match_option
from bot.flows.normalize import fold
from bot.flows.schema import FieldDef, FlowDef
from bot.flows.validators import NO_WORDS, YES_WORDS, display_for
from bot.i18n import t
from bot.types import Button, Choices, Expect, Text
from bot.understanding.commands import command_of as understood_command

SUMMARY_FIELD, EDIT_FIELD, DECLARATION_FIELD, CONSENT_FIELD, HANDOFF_FIELD = (
    "_summary",
    "_edit",
    "_declaration",
    "_consent",
    "_handoff",
)

#: the commands a form obeys; their words are the bot's one list (:mod:`bot.understanding.commands`)
FORM_COMMANDS = frozenset({"back", "cancel", "skip", "help", "human"})

QUESTION_WORDS = frozenset(
    fold(w)
    for w in (
        "كيف",
        "متى",
        "وش",
        "ايش",
        "شو",
        "هل",
        "ماذا",
        "ماهي",
        "ماهو",
        "كم",
        "وين",
        "أين",
        "ليش",
        "لماذا",
        "مين",
        "how",
        "what",
        "when",
        "where",
        "why",
        "who",
        "can",
        "does",
        "will",
    )
)


def command_of(text: str) -> str | None:
    """ "back", "cancel", "skip", "help" or "human" when the whole message is that command."""
    command = understood_command(text)
    return command if command in FORM_COMMANDS else None


#: words that lead into a question without being part of it ("طيب وين مقركم", "ok so how …")
QUESTION_LEADS = frozenset(fold(w) for w in (
    "طيب", "طب", "اوكي", "اوك", "بس", "يعني", "اها", "امم", "ok", "okay", "so", "and", "but", "well", "hmm",
))
#: question words that are also names or common verbs in English ("Will Smith"): only at the start
_QUESTION_WORDS_INSIDE = QUESTION_WORDS - {"can", "does", "will", "who"}


def looks_like_question(text: str, *, anywhere: bool = False) -> bool:
    """Whether the message reads like a question, with or without a question mark: a question word
    first ("وين مقركم"), after a word that only leads in ("طيب وين مقركم"), or joined by «و»
    ("ووين"). Used for free-text fields, where any text is a valid answer: the FAQ is asked first
    only then, so a description is never mistaken for one.

    ``anywhere`` (a name, which holds no question word): also a question word further on ("مقركم
    وين") or «ولا» between two words, the "this or that?" of Gulf speech ("الدورات حضوري ولا عن بعد")."""
    if "?" in text or "؟" in text:
        return True
    words = [w for w in fold(text).split(" ") if w]
    words = [w[1:] if w.startswith("و") and w[1:] in QUESTION_WORDS else w for w in words]
    while words and words[0] in QUESTION_LEADS:
        words = words[1:]
    if words and words[0] in QUESTION_WORDS:
        return True
    if anywhere:
        return any(w in _QUESTION_WORDS_INSIDE for w in words) or "ولا" in words[1:-1] or "or" in words[1:-1]
    return False


def _options(*specs: tuple[str, str, tuple[str, ...]]) -> tuple[Option, ...]:
    return tuple(Option(value, t(key, "ar"), t(key, "en"), aliases) for value, key, aliases in specs)


SUMMARY_OPTIONS = _options(
    ("confirm", "flow.confirm_button", ("صحيح", "اكد", "تاكيد", "correct", "confirmed")),
    ("edit", "flow.edit_button", ("عدل", "تغيير", "change", "modify")),
)
DECLARATION_OPTIONS = _options(
    ("accept", "flow.declaration_accept", ("اقر", "أقر", "أوافق", "اوافق", "موافق", "موافقة", "agree", "i agree",
                                           "confirm")),
    ("decline", "flow.declaration_decline", ("لا اوافق", "ما اوافق", "ارفض", "رفض", "disagree", "i disagree")),
)
CONSENT_OPTIONS = _options(
    ("accept", "flow.consent_accept", ("اوافق", "موافق", "موافقة", "agree", "i agree")),
    ("decline", "flow.consent_decline", ("لا اوافق", "ما اوافق", "ارفض", "رفض", "disagree", "i do not agree")),
)
PENDING_OPTIONS = _options(
    ("put_value", "flow.put_value_button", ("نعم", "ايوه", "yes", "ok")),
    ("keep_value", "flow.keep_value_button", ("لا", "no")),
)
HANDOFF_OPTIONS = _options(
    ("handoff", "flow.handoff_button", ("موظف", "تحويل", "human", "staff")),
    ("retry", "flow.retry_button", ("محاولة", "حاول", "مرة اخرى", "retry", "try again")),
)


def control_choice(text: str, options: tuple[Option, ...]) -> str | None:
    """Which control button a message means: exact matches and plain yes/no only.

    No fuzzy matching here: a declaration or consent read wrongly ("ما أوافق" taken for
    "أوافق") is far worse than asking once more.
    """
    match = match_option(text, options, fuzzy=False)
    if isinstance(match, Option):
        return match.value
    key = fold(text)
    if key in YES_WORDS:
        return options[0].value
    if key in NO_WORDS:
        return options[1].value
    return None


def _join(prefix: str | None, text: str) -> str:
    return f"{prefix}\n\n{text}" if prefix else text


def _buttons(options: tuple[Option, ...], lang: str) -> tuple[Button, ...]:
    return tuple(Button(o.label(lang), o.value) for o in options)


def field_prompt(
    flow: FlowDef, fdef: FieldDef, lang: str, *, supports_buttons: bool = True, prefix: str | None = None
) -> Text | Choices:
    """The question for one field: buttons for choices and yes/no, text otherwise."""
    text = fdef.prompt.get(lang)
    if fdef.optional:
        text = f"{text}\n{t('flow.optional_hint', lang)}"
    buttons: list[Button] = []
    if fdef.type in ("choice", "multi_choice"):
        buttons = [Button(c.button_label(lang), c.value) for c in fdef.choices]
    elif fdef.type == "yes_no":
        buttons = [Button(t("flow.yes", lang), "yes"), Button(t("flow.no", lang), "no")]
    if buttons and fdef.optional:
        buttons.append(Button(t("flow.skip_button", lang), "skip"))
    if buttons and not supports_buttons:
        text = f"{text}\n{t('flow.choose_hint', lang)}"
    expect = Expect(flow.id, fdef.id, fdef.type, tuple(b.value for b in buttons))
    if buttons:
        return Choices(_join(prefix, text), tuple(buttons), kind="flow", expect=expect)
    return Text(_join(prefix, text), kind="flow", expect=expect)


def summary_lines(flow: FlowDef, fields: list[FieldDef], answers: dict[str, Any], lang: str) -> list[str]:
    """One "• label: value" line per visible field; national IDs masked to the last 4 digits (one
    typed into another field, a description, is masked by the engine before the reply is stored)."""
    lines = []
    for f in fields:
        if f.id not in answers:
            continue
        shown = display_for(replace(f.to_spec(), lang=lang), answers[f.id])
        lines.append(f"• {f.title(lang)}: {shown}")
    return lines


def summary_reply(
    flow: FlowDef, fields: list[FieldDef], answers: dict[str, Any], lang: str, *, prefix: str | None = None
) -> Text | Choices:
    body = "\n".join(
        [
            t("flow.summary_title", lang),
            *summary_lines(flow, fields, answers, lang),
            "",
            t("flow.summary_question", lang),
        ]
    )
    expect = Expect(flow.id, SUMMARY_FIELD, "confirm", tuple(o.value for o in SUMMARY_OPTIONS))
    return Choices(_join(prefix, body), _buttons(SUMMARY_OPTIONS, lang), kind="flow", expect=expect)


#: what people call a field of each type when they ask to change it ("ابي اغير الجوال"), beside
#: the field's own label from the pack
FIELD_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "phone": ("جوال", "الجوال", "جوالي", "رقم الجوال", "رقم جوالي", "رقمي", "رقم الهاتف", "الهاتف", "الموبايل",
              "mobile", "phone", "my number", "phone number", "mobile number"),
    "national_id": ("الهويه", "هويتي", "رقم الهويه", "رقم هويتي", "الاقامه", "رقم الاقامه", "السجل المدني", "id",
                    "national id", "id number", "iqama"),
    "name": ("الاسم", "اسمي", "name", "my name"),
    "city": ("المدينه", "مدينتي", "المنطقه", "السكن", "city", "my city"),
    "description": ("الوصف", "التفاصيل", "details", "description"),
    "attachment": ("المرفق", "الملف", "التقرير", "attachment", "file", "report"),
    "date": ("التاريخ", "date"),
}


def edit_options(fields: list[FieldDef]) -> tuple[Option, ...]:
    return tuple(Option(f.id, f.title("ar"), f.title("en"), FIELD_TYPE_WORDS.get(f.type, ())) for f in fields)


def pending_reply(flow: FlowDef, fdef: FieldDef, shown: str, lang: str) -> Choices:
    """Offer to put a value typed at the summary into the one field it fits."""
    expect = Expect(flow.id, SUMMARY_FIELD, "confirm", tuple(o.value for o in PENDING_OPTIONS))
    text = t("flow.put_value_offer", lang, value=shown, label=fdef.title(lang))
    return Choices(text, _buttons(PENDING_OPTIONS, lang), kind="flow", expect=expect)


def summary_help_reply(flow: FlowDef, lang: str, *, prefix: str | None = None) -> Choices:
    """At the summary, a message that is neither a button nor an edit: how to change or send, briefly
    (the whole summary again, each time, buries the answer)."""
    expect = Expect(flow.id, SUMMARY_FIELD, "confirm", tuple(o.value for o in SUMMARY_OPTIONS))
    return Choices(_join(prefix, t("flow.summary_how", lang)), _buttons(SUMMARY_OPTIONS, lang), kind="flow",
                   expect=expect)


def edit_pick_reply(flow: FlowDef, fields: list[FieldDef], lang: str, *, prefix: str | None = None) -> Text | Choices:
    options = edit_options(fields)
    expect = Expect(flow.id, EDIT_FIELD, "choice", tuple(o.value for o in options))
    return Choices(_join(prefix, t("flow.edit_pick", lang)), _buttons(options, lang), kind="flow", expect=expect)


def declaration_reply(flow: FlowDef, lang: str, *, prefix: str | None = None) -> Text | Choices:
    assert flow.declaration is not None
    expect = Expect(flow.id, DECLARATION_FIELD, "confirm", tuple(o.value for o in DECLARATION_OPTIONS))
    return Choices(
        _join(prefix, flow.declaration.get(lang)), _buttons(DECLARATION_OPTIONS, lang), kind="flow", expect=expect
    )


def consent_reply(flow: FlowDef, lang: str, *, prefix: str | None = None) -> Text | Choices:
    assert flow.consent is not None
    expect = Expect(flow.id, CONSENT_FIELD, "confirm", tuple(o.value for o in CONSENT_OPTIONS))
    return Choices(_join(prefix, flow.consent.get(lang)), _buttons(CONSENT_OPTIONS, lang), kind="flow", expect=expect)


def handoff_offer_reply(flow: FlowDef, lang: str, *, prefix: str | None = None) -> Text | Choices:
    expect = Expect(flow.id, HANDOFF_FIELD, "confirm", tuple(o.value for o in HANDOFF_OPTIONS))
    text = _join(prefix, t("flow.handoff_offer", lang))
    return Choices(text, _buttons(HANDOFF_OPTIONS, lang), kind="flow", expect=expect)


class _KeepMissing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def success_text(flow: FlowDef, lang: str, **values: Any) -> str | None:
    """The flow's success message with the placeholders the engine knows filled in.

    The runner never sends this itself: only the engine knows the case reference, the
    committee and the earliest decision date once the case exists. Unknown placeholders are
    left visible rather than raising, so a missing value is noticed, not hidden.
    """
    if flow.success is None:
        return None
    return string.Formatter().vformat(flow.success.get(lang), (), _KeepMissing(values))
