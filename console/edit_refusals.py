"""A refused edit of an association, said the way an admin reads the page.

The pack models refuse an edit with a field path (``pack.contact.working_hours.start``), pydantic's
error type and its wording, sometimes with the regular expression that failed; none of that is for
an admin. :func:`explain` turns an :class:`~bot.pack_edit.EditError` into three things: the field
as the form labels it ("بداية الدوام (24 ساعة)", the same words, in the console's language), what
is expected in plain words ("اكتب الوقت بصيغة 08:00…"), and the form input to mark invalid. A place
only the uploaded YAML reaches is named by its keys in that file, which is what the admin edited.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.i18n import tr
from bot.pack_edit import EditError
from bot.pack_model import ORIGIN_RE
from bot.packs import LoadedPack
from bot.settings import SettingsError, parse_crisis_lines

__all__ = ["Plain", "explain"]

#: the form's inputs, by the pack key they fill: (label text key, input name, what is expected)
SETTINGS: dict[str, tuple[str, str, str]] = {
    "decision_min_days": ("st.period", "decision_min_days", "period"),
    "first_response_minutes": ("st.sla", "first_response_minutes", "minutes"),
    "contact.phone": ("st.phone", "phone", "phone"),
    "contact.email": ("st.email", "email", "email"),
    "contact.website": ("st.website", "website", "website"),
    "contact.widget_origins": ("st.widget_origins", "widget_origins", "origins"),
    "contact.crisis_lines": ("st.crisis_lines", "crisis_lines", "crisis"),
    "contact.crisis_violence_lines": ("st.crisis_violence_lines", "crisis_violence_lines", "crisis"),
    "contact.working_hours.start": ("st.start", "start", "time"),
    "contact.working_hours.end": ("st.end", "end", "time"),
    "contact.working_hours.days": ("st.days", "days", "days"),
    **{f"retention.{k}": (f"st.ret.{k}", k, "retention")
       for k in ("messages_days", "raw_updates_days", "provider_statuses_days", "audit_days")},
}
#: texts in both languages, by pack key: (label text key, the form's input prefix, may both be empty)
PAIRS: dict[str, tuple[str, str, bool]] = {
    "name": ("st.name", "name", False),
    "short_name": ("st.short_name", "short_name", False),
    "referral_officer": ("st.officer", "officer", False),
    "committee": ("st.committee", "committee", True),
    "contact.address": ("st.address", "address", True),
    # only the uploaded file reaches these; the settings page shows them under these labels
    "tagline": ("st.tagline", "", True),
    "location": ("st.location", "", True),
    "beneficiary_term": ("st.term", "", False),
    "policy.title": ("st.title", "", False),
}
#: what the upload alone can change, shown on the settings page under these labels
SHOWN = {"code": "st.code", "slug": "st.code", "kind": "st.kind", "policy.version": "st.version",
         "policy.source": "st.source"}
SIDE = {"ar": "ع", "en": "EN"}
#: refusals of the uploaded file as a whole (``kb.expect.<name>``)
FILE_KINDS = {"file_too_large": "file_too_large", "not_utf8": "not_utf8", "other_association": "other_association",
              "wrong_shape": "file_shape", "unknown_section": "file_shape"}
#: pydantic's error types said once for any field (``kb.expect.<name>``)
GENERIC = {"string_too_short": "required", "missing": "missing", "too_short": "too_short",
           "greater_than_equal": "greater_than_equal", "less_than_equal": "less_than_equal",
           "int_parsing": "number", "int_type": "number", "int_from_float": "number", "not_whole_number": "number",
           "extra_forbidden": "extra_forbidden", "literal_error": "literal_error",
           "string_pattern_mismatch": "format", "fixed": "fixed", "wrong_shape": "file_shape",
           "unknown_section": "file_shape", "unknown_placeholder": "placeholder", "placeholder_unset": "placeholder",
           "button_too_long": "button_too_long"}


#: words as the page shows them: (text, direction) pieces, the direction '' (the sentence's own),
#: 'ltr' (an example such as `08:00` or `https://www.example.org`, kept whole in Arabic) or 'auto'
#: (a name or a typed value, isolated so its own direction cannot reorder the sentence)
Words = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Plain:
    """A refusal as the page says it."""

    where: Words  #: the field, as the form labels it
    expected: Words  #: what is expected, in plain words
    input: str = ""  #: the form input to mark invalid ('' when the page has none)


def _text(text: str) -> Words:
    return ((text, ""),)


def _say(key: str, lang: str, /, **values: Any) -> Words:
    """The staff text ``key`` with ``values`` in; what it puts between backticks is an example
    written left to right."""
    parsed = list(string.Formatter().parse(tr(key, lang)))
    if {name for _, name, _, _ in parsed if name} - set(values):
        return _say("kb.expect.other", lang)
    out: list[tuple[str, str]] = []
    ltr = False
    for literal, name, spec, _conversion in parsed:
        for i, piece in enumerate(literal.split("`")):
            ltr = ltr != (i > 0)
            if piece:
                out.append((piece, "ltr" if ltr else ""))
        if name:
            out.append((format(values[name], spec or ""), "ltr" if ltr else "auto"))
    return tuple(out)


def _localized(value: Any, lang: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("ar") or "")
    return str(getattr(value, lang, "") or "")


def _generic(exc: EditError, lang: str) -> Words:
    name = GENERIC.get(exc.kind, "other")
    ctx = {k: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v for k, v in exc.ctx.items()}
    return _say(f"kb.expect.{name}", lang, **ctx)


def _file_key(keys: list[str], lang: str) -> Words:
    return _say("kb.where.file_key", lang, key=" › ".join(keys))


def _bad_line(lines: list[str], ok: Any) -> str:
    return next((line for line in lines if not ok(line)), "")


def _crisis_ok(line: str) -> bool:
    try:
        parse_crisis_lines(line)
    except SettingsError:
        return False
    return True


def _pack(keys: list[str], exc: EditError, form: Any, lang: str, on_form: bool) -> Plain:
    path = ".".join(keys)
    for prefix, (label, name, optional) in PAIRS.items():
        if path == prefix or path.startswith(prefix + "."):
            side = keys[-1] if keys[-1] in SIDE else ""
            where = _text(tr(label, lang) + (f" · {SIDE[side]}" if side else ""))
            expect = "both_or_none" if optional and exc.kind in ("string_too_short", "missing") else ""
            expected = _say(f"kb.expect.{expect}", lang) if expect else (
                _say("kb.expect.required", lang) if exc.kind == "string_too_short" else _generic(exc, lang))
            return Plain(where, expected, f"{name}_{side}" if on_form and name and side else "")
    if path in SETTINGS:
        label, name, expect = SETTINGS[path]
        expected = _say(f"kb.expect.{expect}", lang)
        lines = [line.strip() for line in form.get(name, "").splitlines() if line.strip()] if on_form else []
        bad = ""
        if expect == "origins":
            bad = _bad_line(lines, lambda line: ORIGIN_RE.match(line.lower().rstrip("/")))
        elif expect == "crisis":
            bad = _bad_line(lines, _crisis_ok)
        if bad:
            expected += _text(" ") + _say("kb.expect.not_accepted", lang, line=bad)
        return Plain(_text(tr(label, lang)), expected, name if on_form else "")
    if path in SHOWN:
        return Plain(_text(tr(SHOWN[path], lang)), _generic(exc, lang))
    return Plain(_file_key(keys, lang), _generic(exc, lang))


def _topic(tid: str, keys: list[str], exc: EditError, loaded: LoadedPack, form: Any, lang: str) -> Plain:
    action = form.get("action", "")
    found = next((t for t in loaded.faq.topics if t.id == tid), None)
    topic = found.clause.get(lang) if found is not None else ""

    def in_topic(label: str) -> Words:
        return _say("kb.where.in_topic", lang, label=label, topic=topic) if topic else _text(label)

    if exc.kind == "topic_exists" or (keys == ["id"] and action == "add_topic"):
        expect = "topic_exists" if exc.kind == "topic_exists" else "topic_id"
        return Plain(_text(tr("kb.topic_id", lang)), _say(f"kb.expect.{expect}", lang), "topic")
    if exc.kind == "no_such_topic":
        return Plain(in_topic(tr("kb.where.this_topic", lang)), _say("kb.expect.topic_gone", lang))
    if keys[:1] in (["answer"], ["clause"]) and len(keys) == 2 and keys[1] in SIDE:
        name = f"{keys[0]}_{keys[1]}"
        return Plain(in_topic(tr(f"kb.{name}", lang)), _generic(exc, lang),
                     name if action in ("answer", "add_topic") else "")
    if keys[:1] == ["questions"]:
        if action == "add_phrasing" or exc.kind in ("phrasing_empty", "phrasing_duplicate"):
            return Plain(in_topic(tr("kb.new_phrasing", lang)), _say(f"kb.expect.{exc.kind}", lang), "phrasing")
        if exc.kind == "phrasing_gone":
            return Plain(in_topic(tr("kb.phrasings", lang)), _say("kb.expect.phrasing_gone", lang))
        if exc.kind == "too_short":
            expect = "keep_phrasings" if action == "remove_phrasing" else "phrasings"
            name = "questions" if action == "add_topic" else ""
            return Plain(in_topic(tr("kb.phrasings", lang)), _say(f"kb.expect.{expect}", lang, **exc.ctx), name)
    keys_shown = [found.clause.get(lang) if found is not None else tid, *keys]
    return Plain(_file_key(keys_shown, lang), _generic(exc, lang))


def _flows(parts: list[str], exc: EditError, loaded: LoadedPack, form: Any, lang: str) -> Plain:
    fid = parts[0] if parts else ""
    flow = loaded.flows.get(fid)
    title = _localized(exc.ctx.get("flow"), lang) or (flow.title.get(lang) if flow is not None else fid)
    field_id, keys = (parts[2], parts[3:]) if parts[1:2] == ["fields"] and len(parts) > 2 else ("", parts[1:])
    fdef = flow.field(field_id) if flow is not None and field_id else None
    field = _localized(exc.ctx.get("field"), lang) or (fdef.title(lang) if fdef is not None else field_id)
    if exc.kind == "field_gone":
        return Plain(_say("kb.where.form", lang, flow=title), _say("kb.expect.reload", lang))
    if exc.kind == "button_too_long":
        return Plain(_say("kb.where.option", lang, text=exc.ctx.get("text", ""), field=field, flow=title),
                     _say("kb.expect.button_too_long", lang, **exc.ctx))
    if keys[:1] == ["prompt"] and len(keys) == 2 and keys[1] in SIDE and field_id:
        on_form = form.get("action") == "prompt"
        return Plain(_say("kb.where.prompt", lang, field=field, side=SIDE[keys[1]], flow=title),
                     _generic(exc, lang), f"prompt_{keys[1]}" if on_form else "")
    if field_id:
        where = _say("kb.where.form_field", lang, field=field, flow=title)
    else:
        where = _say("kb.where.form", lang, flow=title)
    if keys:
        where += _text(" · ") + _file_key(keys, lang)
    return Plain(where, _generic(exc, lang))


def explain(exc: EditError, loaded: LoadedPack, form: Mapping[str, Any], lang: str) -> Plain:
    """``exc`` as the page says it, in ``lang``; ``loaded`` is the pack in use (for names),
    ``form`` what was posted (which form, and what was typed)."""
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    field = exc.field
    if exc.kind == "yaml_syntax":
        where = _say("kb.where.file_line", lang, **exc.ctx) if "line" in exc.ctx else _text(tr("kb.where.file", lang))
        return Plain(where, _say("kb.expect.yaml", lang))
    if exc.kind in FILE_KINDS and not field.startswith(("pack.", "topics.", "flows.")):
        return Plain(_text(tr("kb.where.file", lang)), _say(f"kb.expect.{FILE_KINDS[exc.kind]}", lang))
    if field in ("version", "action"):
        return Plain(_text(tr("kb.where.page", lang)), _say("kb.expect.reload", lang))
    if field == "topics":
        return Plain(_text(tr("kb.topics", lang)), _say("kb.expect.last_topic", lang))
    if field == "removed_topics" and "topic" in exc.ctx:
        return Plain(_text(tr("kb.where.file", lang)), _say("kb.expect.removed_unknown", lang, **exc.ctx))
    tid = posted.get("topic", "").strip()
    if tid and (field == f"topics.{tid}" or field.startswith(f"topics.{tid}.")):
        keys = [k for k in field.removeprefix(f"topics.{tid}").split(".") if k]
        return _topic(tid, keys, exc, loaded, posted, lang)
    head, _, rest = field.partition(".")
    keys = [k for k in rest.split(".") if k]
    if head == "pack" and keys:
        return _pack(keys, exc, posted, lang, on_form=posted.get("action") == "settings")
    if head == "topics" and keys:
        return _topic(keys[0], keys[1:], exc, loaded, {}, lang)
    if head == "flows" and keys:
        return _flows(keys, exc, loaded, posted, lang)
    return Plain(_text(tr("kb.where.file", lang)), _generic(exc, lang))
