"""Plain records passed between the engine and the stores (no ORM objects leak out)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class StoreError(Exception):
    """Base for store failures the engine reacts to."""


class SeqConflict(StoreError):
    """Another writer advanced this conversation first; reload and redo the turn."""


class DuplicateMessage(StoreError):
    """The provider's message id is already stored: this is a retried delivery."""


class StoreUnavailable(StoreError):
    """A coordinating service (Redis) is gone and ordering cannot be guaranteed."""


@dataclass(slots=True)
class ConversationRecord:
    """One conversation as the engine sees it, with the state it last committed."""

    id: str
    org: str
    channel: str
    address: str
    beneficiary_id: str
    status: str
    seq: int
    state: dict[str, Any]
    is_new: bool = False
    lang: str = "ar"


@dataclass(slots=True)
class StoredMessage:
    id: str
    conversation_id: str
    seq: int
    direction: str
    author: str
    text: str
    payload: dict[str, Any] | None
    kind: str | None
    created_at: datetime
    provider_message_id: str | None = None
    delivery_status: str | None = None

    def to_frame(self) -> dict[str, Any]:
        """The web chat's history frame for this message."""
        frame: dict[str, Any] = {
            "seq": self.seq,
            "id": self.id,
            "direction": self.direction,
            "author": self.author.split(":", 1)[0],
            "text": self.text,
            "at": self.created_at.isoformat(),
        }
        files = self.payload.get("attachments") if self.payload else None
        if isinstance(files, str):
            # what was attached, for the page to show (names and types only, never the reference)
            try:
                listed = json.loads(files)
            except ValueError:
                listed = []
            frame["attachments"] = [{"filename": f.get("filename"), "content_type": f.get("content_type"),
                                     "size": f.get("size")} for f in listed if isinstance(f, dict)]
        who, _, staff_id = self.author.partition(":")
        if who == "officer" and staff_id:
            # for the channel to put the officer's name on it; the web chat swaps it for the name
            frame["staff_id"] = staff_id
        if self.payload:
            frame["buttons"] = self.payload.get("buttons", [])
            frame["expect"] = self.payload.get("expect")
            frame["kind"] = self.payload.get("kind", self.kind)
            if self.payload.get("client_id"):
                frame["client_id"] = self.payload["client_id"]
            if self.payload.get("button") is not None:
                frame["button"] = self.payload["button"]
            if self.payload.get("lang") in ("ar", "en"):  # the conversation's language when it was sent
                frame["lang"] = self.payload["lang"]
        return frame


@dataclass(slots=True)
class OutboxItem:
    """One message to send through a provider: queued by a turn, claimed and finished by a worker."""

    id: str
    message_id: str
    conversation_id: str
    org: str
    channel: str
    address: str
    payload: dict[str, Any]
    attempts: int
    status: str = "pending"
    #: when it may be sent (None: at once, i.e. when it is written)
    next_attempt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """A satisfaction rating or comment taken during a turn (one rating per survey, at most)."""

    survey_id: str
    org: str
    conversation_id: str
    rating: int | None = None
    comment: str | None = None
    answered_at: datetime | None = None


@dataclass(slots=True)
class TurnWrite:
    """Everything one turn changes, written atomically: state, transcript, outbox."""

    conversation: ConversationRecord
    previous_seq: int
    messages: list[StoredMessage]
    outbox: list[OutboxItem] = field(default_factory=list)
    status_changed: bool = False
    touch_inbound_at: datetime | None = None
    beneficiary_name: str | None = None
    survey_answers: list[SurveyAnswer] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A filed request as the core and the console see it (no answers, no personal data but the
    last four digits of the ID)."""

    id: str
    org: str
    reference: str
    status: str
    flow_id: str
    beneficiary_id: str
    created_at: datetime
    decision_due_at: datetime | None
    national_id_last4: str | None
    version: int
