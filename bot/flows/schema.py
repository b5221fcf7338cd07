"""flows.yaml: an association's step-by-step requests, as validated data.

A flow is data so an association's request form can change without a code change, and so
every field has a stable id: stored conversation state and submitted answers use those ids,
which means reordering fields or rewording prompts never strands someone mid-request.

Validation is strict and happens at start: a wrong flows.yaml stops the service with one line
naming the file, the flow and the field, because a half-working form would collect wrong
data from people who came for help.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.flows.matching import Option
from bot.flows.validators import CHOICE_TYPES, DEFAULT_CONTENT_TYPES, DEFAULT_MAX_BYTES, FIELD_TYPES, FieldSpec
from bot.pack_model import Localized, Pack, PackError

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
#: the longest button label every channel shows whole (WhatsApp reply buttons)
BUTTON_LABEL_MAX = 20
SUCCESS_PLACEHOLDERS = frozenset({"reference", "committee", "earliest_date", "officer"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceDef(_Strict):
    value: str = Field(pattern=ID_PATTERN, description="stable; stored in answers")
    label: Localized
    aliases: list[str] = Field(default_factory=list, description="other ways people say it")
    button: Localized | None = Field(
        default=None, description=f"a short label for the button (at most {BUTTON_LABEL_MAX} characters; "
        "WhatsApp cuts longer ones) when the label is longer; the summary keeps the full label")

    def option(self) -> Option:
        shorts = (self.button.ar, self.button.en) if self.button is not None else ()
        return Option(self.value, self.label.ar, self.label.en, (*self.aliases, *shorts))

    def button_label(self, lang: str) -> str:
        return (self.button or self.label).get(lang)


class ShowIf(_Strict):
    """Ask a field only when an earlier answer has a given value (or one of several)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str = Field(pattern=ID_PATTERN)
    equals: str | bool | int | None = None
    in_: list[str] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_condition(self) -> ShowIf:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("give exactly one of 'equals' or 'in'")
        return self

    def holds(self, answers: dict[str, Any]) -> bool:
        if self.field not in answers:
            return False
        value = answers[self.field]
        values = value if isinstance(value, list) else [value]
        if self.in_ is not None:
            return any(v in self.in_ for v in values)
        return any(v == self.equals for v in values)


class FieldDef(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    type: str
    label: Localized | None = Field(default=None, description="short name for summaries; defaults to prompt")
    prompt: Localized
    help: Localized | None = None
    optional: bool = False
    choices: list[ChoiceDef] = Field(default_factory=list)
    min: int | None = None
    max: int | None = None
    show_if: ShowIf | None = None
    sensitive: bool = False
    content_types: list[str] = Field(default_factory=lambda: list(DEFAULT_CONTENT_TYPES))
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0)
    date_bounds: Literal["past", "future"] | None = None
    allow_other: bool = True

    @model_validator(mode="before")
    @classmethod
    def _national_id_is_sensitive(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("type") == "national_id":
            data = {**data, "sensitive": True}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> FieldDef:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type '{self.type}' (expected one of {sorted(FIELD_TYPES)})")
        if self.type in CHOICE_TYPES and len(self.choices) < 2:
            raise ValueError(f"a {self.type} field needs at least two choices")
        if self.choices and self.type not in (*CHOICE_TYPES, "city"):
            raise ValueError(f"'choices' is not used by a {self.type} field")
        values = [c.value for c in self.choices]
        if len(values) != len(set(values)):
            raise ValueError("choice values must be unique")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self

    def title(self, lang: str) -> str:
        return (self.label or self.prompt).get(lang)

    def to_spec(self) -> FieldSpec:
        return FieldSpec(
            type=self.type,
            min=self.min,
            max=self.max,
            choices=tuple(c.option() for c in self.choices),
            content_types=tuple(ct.lower() for ct in self.content_types),
            max_bytes=self.max_bytes,
            date_bounds=self.date_bounds,
            allow_other=self.allow_other,
        )


OnSubmit = Literal["case", "update_profile", "volunteer", "none"]


class FlowDef(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: Localized
    intro: Localized
    fields: list[FieldDef] = Field(min_length=1)
    summary: bool = True
    declaration: Localized | None = None
    consent: Localized | None = None
    on_submit: OnSubmit = "none"
    success: Localized | None = None
    #: what people call this service when they ask for it ("حلقة تحفيظ", "khedma", "programme"): with
    #: a wish or a request verb ("ابي", "I want to", "اقدم", "register") they start this flow (the
    #: words of ``title`` count too); pack data, so each association names its own services
    intents: list[str] = Field(default_factory=list)
    #: filled in by :func:`load_flows` from the pack, stored with every signed declaration
    policy_version: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FlowDef:
        seen: list[str] = []
        for f in self.fields:
            if f.id in seen:
                raise ValueError(f"field '{f.id}': duplicate field id")
            if f.show_if is not None and f.show_if.field not in seen:
                raise ValueError(f"field '{f.id}': show_if refers to '{f.show_if.field}', not an earlier field")
            seen.append(f.id)
        if self.on_submit == "case" and (self.declaration is None or self.consent is None):
            raise ValueError("a flow that opens a case needs a declaration and a consent text")
        return self

    def field(self, field_id: str | None) -> FieldDef | None:
        return next((f for f in self.fields if f.id == field_id), None)


class FlowsFile(_Strict):
    flows: dict[str, FlowDef] = Field(min_length=1)

    @field_validator("flows", mode="before")
    @classmethod
    def _ids_match_keys(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for key, flow in v.items():
                if isinstance(flow, dict) and flow.get("id", key) != key:
                    raise ValueError(f"flow '{key}' has id '{flow.get('id')}'; they must match")
        return v


def _ids(loc: tuple[Any, ...], raw: Any) -> tuple[str | None, str | None, str]:
    """A pydantic error location as (flow id, field id, the key below them), ids not indexes."""
    flow_id: str | None = None
    field_id: str | None = None
    rest = list(loc)
    if len(rest) >= 2 and rest[0] == "flows":
        flow_id = str(rest[1])
        rest = rest[2:]
        if len(rest) >= 2 and rest[0] == "fields" and isinstance(rest[1], int):
            found: Any = rest[1]
            try:
                found = raw["flows"][flow_id]["fields"][rest[1]].get("id", rest[1])
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
            field_id = str(found)
            rest = rest[2:]
    return flow_id, field_id, ".".join(str(p) for p in rest)


def _where(flow_id: str | None, field_id: str | None, key: str) -> str:
    """Where in flows.yaml, for people: "flow 'x', field 'y', key 'z'"."""
    parts = [f"flow '{flow_id}'"] if flow_id is not None else []
    if field_id is not None:
        parts.append(f"field '{field_id}'")
    if key:
        parts.append(f"key '{key}'")
    return ", ".join(parts) or "(top level)"


class FlowsError(PackError):
    """A refused flows.yaml (or a refused edit of an association's forms), with where it is kept
    apart (flow id, field id, the key below them) and pydantic's error type, so an admin's screen
    can say it in words; the message is the one line the service stops with."""

    def __init__(self, where: str, flow_id: str | None, field_id: str | None, key: str, reason: str,
                 kind: str = "", ctx: dict[str, Any] | None = None) -> None:
        super().__init__(f"{where}: {_where(flow_id, field_id, key)}: {reason}")
        self.flow_id = flow_id
        self.field_id = field_id
        self.key = key
        self.reason = reason
        self.kind = kind
        self.ctx = dict(ctx or {})


def _check_unknown_types(path: Path, raw: Any) -> None:
    """Name the flow and field of an unknown type before anything else can obscure it."""
    flows = raw.get("flows") if isinstance(raw, dict) else None
    if not isinstance(flows, dict):
        return
    for flow_id, flow in flows.items():
        fields = flow.get("fields") if isinstance(flow, dict) else None
        for i, f in enumerate(fields if isinstance(fields, list) else []):
            if isinstance(f, dict) and f.get("type") not in FIELD_TYPES:
                raise FlowsError(str(path), str(flow_id), str(f.get("id", i)), "", f"unknown field type "
                                 f"'{f.get('type')}' (expected one of: {', '.join(sorted(FIELD_TYPES))})",
                                 "unknown_field_type")


def _check_success(path: Path, flow: FlowDef, pack: Pack) -> None:
    """A success text may only use placeholders the engine can fill for this association."""
    if flow.success is None:
        return
    for lang in ("ar", "en"):
        names = {n for _, n, _, _ in string.Formatter().parse(flow.success.get(lang)) if n is not None}
        unknown = names - SUCCESS_PLACEHOLDERS
        if unknown:
            raise FlowsError(str(path), flow.id, None, f"success.{lang}", f"unknown placeholder(s) {sorted(unknown)}",
                             "unknown_placeholder", {"names": sorted(unknown)})
        if "committee" in names and pack.committee is None:
            raise FlowsError(str(path), flow.id, None, f"success.{lang}", "{committee} but the pack names none",
                             "placeholder_unset", {"names": ["committee"]})
        if "earliest_date" in names and pack.decision_min_days is None:
            raise FlowsError(str(path), flow.id, None, f"success.{lang}",
                             "{earliest_date} but the pack has no decision_min_days", "placeholder_unset",
                             {"names": ["earliest_date"]})


def load_flows(path: Path, pack: Pack) -> dict[str, FlowDef]:
    """Load and validate ``flows.yaml``; raise :class:`PackError` naming file, flow and field."""
    try:
        with path.open(encoding="utf-8") as fh:
            raw = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe
    except FileNotFoundError as exc:
        raise PackError(f"{path}: file missing") from exc
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML: {exc}") from exc
    return parse_flows(raw, pack, str(path))


def parse_flows(raw: Any, pack: Pack, where: str) -> dict[str, FlowDef]:
    """Validate flows already read (from the file, or an admin's edit); ``where`` starts each error."""
    _check_unknown_types(Path(where), raw)
    try:
        parsed = FlowsFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = str(first["msg"]).removeprefix("Value error, ")
        flow_id, field_id, key = _ids(tuple(first["loc"]), raw)
        raise FlowsError(where, flow_id, field_id, key, msg, str(first.get("type", "")),
                         dict(first.get("ctx") or {})) from None
    flows: dict[str, FlowDef] = {}
    for flow_id, flow in parsed.flows.items():
        _check_success(Path(where), flow, pack)
        flows[flow_id] = flow.model_copy(update={"policy_version": pack.policy.version})
    return flows
