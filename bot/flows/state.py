"""What the runner keeps between messages, what it needs to know, and what it asks the engine to do.

The runner is pure: it never touches storage, channels or the clock. The engine loads a
:class:`FlowState` (plain JSON, keyed by stable field ids), passes a :class:`StepContext`
describing the current message, and carries out the :data:`Effect` values it gets back —
creating a case, handing over to an officer — inside its own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from dataclasses import field as _field
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.types import Attachment, Reply

Stage = Literal["field", "summary", "edit_pick", "declaration", "consent", "done"]
STATE_VERSION = 1


@dataclass(slots=True)
class FlowState:
    """One beneficiary's progress through one flow; JSON-serialisable by design.

    ``history`` is the stack of answered field ids (for "back"); ``editing`` is set while a
    field is re-asked from the summary so the answer returns there; ``offering_handoff`` is
    set after the third failed attempt at a field while the person chooses between an
    officer and another try. ``stage`` "done" is reserved for engines that keep a finished
    state around; the runner itself returns ``None`` when a flow ends.
    """

    flow: str
    field: str | None
    stage: Stage = "field"
    lang: str = "ar"
    answers: dict[str, Any] = _field(default_factory=dict)
    attempts: dict[str, int] = _field(default_factory=dict)
    history: list[str] = _field(default_factory=list)
    editing: bool = False
    offering_handoff: bool = False
    declaration: dict[str, Any] | None = None
    started_at: str = ""
    updated_at: str = ""
    reminded_at: str | None = None
    #: a value typed at the summary that fits one field, offered to go there ({"field", "value"})
    pending: dict[str, Any] | None = None
    version: int = STATE_VERSION

    def to_json(self) -> dict[str, Any]:
        # explicit and shallow: dataclasses.asdict deep-copies and costs ~0.2 ms on every turn
        return {
            "flow": self.flow, "field": self.field, "stage": self.stage, "lang": self.lang,
            "answers": dict(self.answers), "attempts": dict(self.attempts), "history": list(self.history),
            "editing": self.editing, "offering_handoff": self.offering_handoff,
            "declaration": dict(self.declaration) if self.declaration is not None else None,
            "started_at": self.started_at, "updated_at": self.updated_at, "reminded_at": self.reminded_at,
            "pending": dict(self.pending) if self.pending is not None else None, "version": self.version,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> FlowState:
        """Inverse of :meth:`to_json`; unknown keys (from a newer version) are ignored."""
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, dict):
            raise ValueError("flow state must be a JSON object")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _no_answer(_text: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class StepContext:
    """The current message's circumstances, supplied by the engine.

    ``is_question`` returns an answer when the input is a question the FAQ answers
    confidently; the runner shows that answer and asks the same field again, so a person can
    ask "when will I hear back?" in the middle of a form without losing their place.
    """

    lang: str = "ar"
    now: datetime = _field(default_factory=lambda: datetime.now().astimezone())
    supports_buttons: bool = True
    supports_attachments: bool = True
    is_question: Callable[[str], str | None] = _no_answer
    expiry: timedelta | None = timedelta(hours=24)
    attachments: tuple[Attachment, ...] = ()
    channel: str = ""
    #: Arabizi written in Arabic script ("nafsi" → «نفسي»), to read a choice typed on a Latin keyboard;
    #: supplied by the engine (the FAQ package that has it loads the flows, so they cannot import it)
    arabic_of: Callable[[str], str] | None = None


# --- effects: what the engine must do after a step ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Submit:
    """Create a case (``on_submit: case``). ``answers`` are keyed by stable field ids."""

    flow_id: str
    answers: dict[str, Any]
    declaration: dict[str, Any] | None
    consent: dict[str, Any] | None
    sensitive_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UpdateProfile:
    """Update the beneficiary's stored contact data (``on_submit: update_profile``)."""

    flow_id: str
    answers: dict[str, Any]
    consent: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class VolunteerSignup:
    """Register a volunteer (``on_submit: volunteer``)."""

    flow_id: str
    answers: dict[str, Any]
    consent: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Completed:
    """A flow with ``on_submit: none`` finished; the engine may only thank the person."""

    flow_id: str
    answers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Handoff:
    """Pass the conversation to an officer. The flow state is kept so it can be resumed.

    ``reason`` is "requested" (the person asked) or "validation" (three failed attempts and
    the person chose an officer); ``answers`` go to the officer with the hand-off.
    """

    reason: str
    flow_id: str
    field_id: str | None
    answers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Ended:
    """The flow ended without submitting: "cancelled", "declined", "consent_declined", "expired"."""

    flow_id: str
    outcome: str


Effect = Submit | UpdateProfile | VolunteerSignup | Completed | Handoff | Ended


@dataclass(frozen=True, slots=True)
class StepResult:
    state: FlowState | None
    replies: list[Reply]
    effects: list[Effect] = _field(default_factory=list)
