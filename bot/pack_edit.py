"""An association's own edits on top of its pack: merge, validate, prune and diff (pure).

The pack on disk (``orgs/<slug>/``) stays the default an association starts from; what its
admins change in the console is kept as an *override document* and the pack the assistant uses
is the disk pack with the latest override merged in. The document holds only what differs, in a
shape keyed by stable ids so a change to one topic or one form field reads as that change:

```yaml
pack:            # deep-merged onto pack.yaml (contact, working hours, names, officer, retention…)
  contact: {phone: "+966 11 000 0000"}
topics:          # by topic id: merged onto the disk topic, or a new topic
  decision_period: {answer: {ar: "…", en: "…"}}
removed_topics: [volunteer_info]
flows:           # by flow id, fields by field id: prompts and texts
  support_request: {fields: {full_name: {prompt: {ar: "…", en: "…"}}}}
```

Everything merged is validated by the very models that validate the disk packs
(:mod:`bot.pack_model`, :mod:`bot.flows.schema`), so an edit can never make a pack the service
would refuse at start; a refusal names the field and the reason. The same document, written out
in full, is the YAML export, and an imported YAML is pruned back to what differs.
"""

from __future__ import annotations

import difflib
from typing import Any

import yaml
from pydantic import ValidationError

from bot.flows.schema import BUTTON_LABEL_MAX, FlowsError, parse_flows
from bot.flows.validators import CHOICE_TYPES
from bot.pack_model import FaqKnowledge, FaqTopic, Pack, PackError
from bot.packs import LoadedPack

__all__ = ["EditError", "apply", "check_buttons", "diff", "document", "dump_yaml", "merge", "parse_yaml", "prune"]

KEYS = ("pack", "topics", "removed_topics", "flows")
#: what identifies an association to the rest of the system: references, URLs, rows
FIXED = ("slug", "code")


class EditError(ValueError):
    """An edit the pack models refuse: ``field`` is where (``topics.fees.questions``), ``reason`` why.

    Both are for logs and tests; an admin's screen says it from ``kind`` (pydantic's error type,
    ``string_pattern_mismatch``, ``too_short``…, or one of this module's and the console's own) and
    ``ctx`` (the figures the words need: a minimum, a length)."""

    def __init__(self, field: str, reason: str, kind: str = "", ctx: dict[str, Any] | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.kind = kind
        self.ctx: dict[str, Any] = dict(ctx or {})


def _from_validation(prefix: str, exc: ValidationError) -> EditError:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    return EditError(".".join(p for p in (prefix, loc) if p), str(first["msg"]).removeprefix("Value error, "),
                     str(first.get("type", "")), dict(first.get("ctx") or {}))


def document(loaded: LoadedPack) -> dict[str, Any]:
    """The whole pack in the override shape (the export, and what overrides merge onto)."""
    flows: dict[str, Any] = {}
    for fid, flow in loaded.flows.items():
        raw = flow.model_dump(mode="json", by_alias=True, exclude={"policy_version", "id"})
        raw["fields"] = {f.pop("id"): f for f in raw["fields"]}
        flows[fid] = raw
    return {
        "pack": loaded.pack.model_dump(mode="json"),
        "topics": {t.id: t.model_dump(mode="json", exclude={"id"}) for t in loaded.faq.topics},
        "removed_topics": [],
        "flows": flows,
    }


def merge(base: Any, over: Any) -> Any:
    """``over`` on top of ``base``: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base.get(key), value) if key in base else value
        return out
    return over


def prune(doc: Any, base: Any) -> Any:
    """What of ``doc`` differs from ``base`` (mappings compared key by key); None when nothing."""
    if isinstance(doc, dict) and isinstance(base, dict):
        out = {}
        for key, value in doc.items():
            if key not in base:
                out[key] = value
                continue
            kept = prune(value, base[key])
            if kept is not None:
                out[key] = kept
        return out or None
    return None if doc == base else doc


def _check_shape(override: dict[str, Any]) -> None:
    unknown = sorted(set(override) - set(KEYS))
    if unknown:
        raise EditError(unknown[0], f"unknown section (expected one of {', '.join(KEYS)})", "unknown_section")
    for key, kind in (("pack", dict), ("topics", dict), ("removed_topics", list), ("flows", dict)):
        if key in override and not isinstance(override[key], kind):
            raise EditError(key, f"must be a {'mapping' if kind is dict else 'list'}", "wrong_shape")


def apply(loaded: LoadedPack, override: dict[str, Any]) -> LoadedPack:
    """The disk pack with ``override`` merged in, validated as a pack; :class:`EditError` if not."""
    _check_shape(override)
    base = document(loaded)
    raw_pack = merge(base["pack"], override.get("pack") or {})
    for key in FIXED:
        if raw_pack.get(key) != base["pack"][key]:
            raise EditError(f"pack.{key}", f"cannot change (stays '{base['pack'][key]}')", "fixed")
    try:
        pack = Pack.model_validate(raw_pack)
    except ValidationError as exc:
        raise _from_validation("pack", exc) from None
    removed = set(override.get("removed_topics") or [])
    unknown = sorted(removed - set(base["topics"]))
    if unknown:
        raise EditError("removed_topics", f"no topic '{unknown[0]}'", "no_such_topic", {"topic": unknown[0]})
    raw_topics = merge(base["topics"], override.get("topics") or {})
    topics = []
    for tid, raw in raw_topics.items():
        if tid in removed:
            continue
        if not isinstance(raw, dict):
            raise EditError(f"topics.{tid}", "must be a mapping", "wrong_shape")
        try:
            topics.append(FaqTopic.model_validate({**raw, "id": tid}))
        except ValidationError as exc:
            raise _from_validation(f"topics.{tid}", exc) from None
    if not topics:
        raise EditError("topics", "at least one topic must remain", "last_topic")
    faq = FaqKnowledge(topics=topics)
    raw_flows = merge(base["flows"], override.get("flows") or {})
    for fid, flow in raw_flows.items():
        fields = flow.get("fields") if isinstance(flow, dict) else None
        if not isinstance(fields, dict):
            raise EditError(f"flows.{fid}.fields", "must be a mapping of field id to field", "wrong_shape")
        flow["fields"] = [{**spec, "id": key} for key, spec in fields.items()]
        flow["id"] = fid
    try:
        flows = parse_flows({"flows": raw_flows}, pack, "flows") if raw_flows else {}
    except FlowsError as exc:
        field = ".".join(p for p in ("flows", exc.flow_id, exc.field_id and "fields", exc.field_id, exc.key) if p)
        raise EditError(field, exc.reason, exc.kind, exc.ctx) from None
    except PackError as exc:
        raise EditError("flows", str(exc).removeprefix("flows: ")) from None
    return LoadedPack(pack=pack, faq=faq, flows=flows, directory=loaded.directory)


def _buttons(loaded: LoadedPack) -> dict[tuple[str, str, str, str], tuple[int, str, Any, Any]]:
    """Every option a form shows as a button, by (flow, field, option value, language)."""
    out = {}
    for fid, flow in loaded.flows.items():
        for fdef in flow.fields:
            if fdef.type in CHOICE_TYPES:
                for i, choice in enumerate(fdef.choices):
                    for lang in ("ar", "en"):
                        out[(fid, fdef.id, choice.value, lang)] = (i, choice.button_label(lang), flow, fdef)
    return out


def check_buttons(loaded: LoadedPack, in_use: LoadedPack | None = None) -> None:
    """What an admin saves must show whole on WhatsApp: each option a form offers as a button is at
    most :data:`~bot.flows.schema.BUTTON_LABEL_MAX` characters in either language (its ``button``
    when it has one, else its ``label``). Checked when an edit is saved, not when a stored one is
    loaded, and a text already ``in_use`` is let be, so an association's earlier edits keep
    working and an unrelated edit is not refused for them; the packs on disk are held to it by
    the tests."""
    before = _buttons(in_use) if in_use is not None else {}
    for (fid, field_id, value, lang), (i, text, flow, fdef) in _buttons(loaded).items():
        if len(text) <= BUTTON_LABEL_MAX or before.get((fid, field_id, value, lang), (0, None))[1] == text:
            continue
        key = "label" if fdef.choices[i].button is None else "button"
        raise EditError(f"flows.{fid}.fields.{field_id}.choices.{i}.{key}.{lang}",
                        f"the button '{text}' is {len(text)} characters; WhatsApp shows {BUTTON_LABEL_MAX}",
                        "button_too_long", {"text": text, "length": len(text), "max": BUTTON_LABEL_MAX, "lang": lang,
                                            "flow": flow.title.model_dump(),
                                            "field": {"ar": fdef.title("ar"), "en": fdef.title("en")}})


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None, *, old_name: str = "before",
         new_name: str = "after") -> str:
    """A unified diff of two override documents, as people read YAML."""
    a = dump_yaml(old or {}).splitlines(keepends=True)
    b = dump_yaml(new or {}).splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, fromfile=old_name, tofile=new_name, n=2))


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100) if doc else ""


def parse_yaml(text: str) -> dict[str, Any]:
    """An uploaded YAML document (an export, edited); :class:`EditError` if it is not one."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        raise EditError(where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}", "yaml_syntax",
                        {"line": mark.line + 1} if mark is not None else {}) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise EditError("(top level)", "must be a mapping with pack, topics, removed_topics, flows", "wrong_shape")
    _check_shape(doc)
    return doc
