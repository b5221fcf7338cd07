"""The shape of an association pack (``pack.yaml`` and ``faq.yaml``), validated by pydantic.

Kept apart from the loader (:mod:`bot.packs`) because the flow schema (:mod:`bot.flows.schema`)
validates against these models, and the loader in turn loads flows: the models are the leaf
both depend on.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.settings import SettingsError, parse_crisis_lines

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$|^https?://\[[0-9a-f:]+\](:[0-9]{1,5})?$")
#: a time of day, 24-hour: "08:00", "16:30"
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class PackError(Exception):
    """A pack could not be loaded; the message names the file, the key and the problem."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A text in both languages; Arabic is the default everywhere."""

    ar: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ar


class Approval(Strict):
    """The board approval record, as the policy states it (fields the policy leaves blank stay null)."""

    body: Localized
    meeting: str | None = None
    session: str | None = None
    date_gregorian: str | None = None
    date_hijri: str | None = None
    text: Localized


class Policy(Strict):
    title: Localized
    version: str = Field(min_length=1, description="stored with every signed declaration")
    source: str = Field(description="the seed file the pack was taken from")
    approval: Approval | None = Field(default=None, description="null when the policy text has no approval record")


class ChannelItem(Strict):
    id: str
    name: Localized


class WorkingHours(Strict):
    """Set by the association; the policy does not state hours. Used for off-hours wording.

    No default hours: a time presented to a beneficiary as the association's must come from
    the association (without ``start`` and ``end`` none is claimed)."""

    timezone: str = "Asia/Riyadh"
    days: list[int] = Field(default_factory=lambda: [6, 0, 1, 2, 3], description="0=Monday … 6=Sunday")

    @field_validator("days")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if any(d not in range(7) for d in v) or len(set(v)) != len(v):
            raise ValueError("days are distinct numbers from 0 (Monday) to 6 (Sunday)")
        return v
    #: no default time: None means the association has not said, and no hours are claimed
    start: str | None = Field(default=None, pattern=HHMM)
    end: str | None = Field(default=None, pattern=HHMM)


class Contact(Strict):
    """Contact details the policy does not give; null means 'not published yet', never invented."""

    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 ()-]{4,22}$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    website: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    address: Localized | None = None
    working_hours: WorkingHours = Field(default_factory=WorkingHours)
    #: sites allowed to embed the web chat (``https://www.example.org``): the chat socket refuses
    #: any other page's Origin, so another site cannot run conversations in the association's name
    widget_origins: list[str] = Field(default_factory=list)
    #: who a person in crisis is told to call, in SILA_CRISIS_LINES' form ("number|Arabic|English; …");
    #: null: the deployment's lines (937 and 997 by default)
    crisis_lines: str | None = None
    #: shown first with them when the danger is violence at home, same form; null: the deployment's
    #: (SILA_CRISIS_VIOLENCE_LINES, 1919 by default)
    crisis_violence_lines: str | None = None

    @field_validator("crisis_lines", "crisis_violence_lines")
    @classmethod
    def _crisis(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        try:
            parse_crisis_lines(v)
        except SettingsError as exc:
            raise ValueError(str(exc).replace("SILA_CRISIS_LINES: ", "")) from None
        return v.strip()

    @field_validator("widget_origins")
    @classmethod
    def _origins(cls, v: list[str]) -> list[str]:
        out = []
        for item in v:
            origin = item.strip().lower().rstrip("/")
            if not ORIGIN_RE.match(origin):
                raise ValueError(f"'{item}' is not an origin like https://www.example.org")
            out.append(origin)
        return out


class MemberService(Strict):
    """Content Rida-style cooperatives show to members (projects, statements, assembly dates)."""

    id: str
    title: Localized
    body: Localized


class Retention(Strict):
    """How long the association keeps each kind of record, in days (null: the documented default,
    see ``wiring.retention.DEFAULTS``; a ``SILA_RETENTION_*`` setting overrides both)."""

    messages_days: int | None = Field(default=None, ge=1, description="transcripts of closed conversations")
    raw_updates_days: int | None = Field(default=None, ge=1, description="providers' raw updates (ids only)")
    provider_statuses_days: int | None = Field(default=None, ge=1, description="delivery-status callbacks")
    audit_days: int | None = Field(default=None, ge=1, description="the audit trail (kept longest)")


class Pack(Strict):
    slug: str
    code: str = Field(pattern=r"^[A-Z]{3}$", description="prefix of case references, e.g. AMS-26-00042")
    name: Localized
    short_name: Localized
    tagline: Localized | None = None
    location: Localized | None = None
    policy: Policy
    beneficiary_term: Localized = Field(description="what the policy calls the people it serves")
    channels: list[ChannelItem] = Field(
        default_factory=list, description="empty when the policy names no channels (Ta'heel)"
    )
    officer_tools: list[Localized] = Field(min_length=1)
    referral_officer: Localized = Field(description="who an unclear procedure is referred to")
    committee: Localized | None = Field(default=None, description="who studies a request, if stated")
    decision_min_days: int | None = Field(default=None, ge=1, description="'no less than two weeks' → 14")
    procedure: list[Localized] = Field(min_length=1, description="the policy's handling steps, in order")
    goals: Localized
    detailed_goals: list[Localized] = Field(min_length=1)
    contact: Contact = Field(default_factory=Contact)
    member_services: list[MemberService] = Field(default_factory=list)
    kind: Literal["charity", "cooperative"] = "charity"
    retention: Retention = Field(default_factory=Retention)
    #: how soon an officer should first answer a hand-off, for the queue's timer; set by the
    #: association (the policy gives no figure), like its working hours
    first_response_minutes: int = Field(default=15, ge=1, le=24 * 60)

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG_RE.match(v):
            raise ValueError("must be lower-case letters, digits and dashes")
        return v


class FaqTopic(Strict):
    """One clause-backed topic: how people ask it, and the policy's answer."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: Localized = Field(description="the policy clause the answer rests on")
    questions: list[str] = Field(min_length=8)
    answer: Localized
    #: a topic may start a flow or a hand-off instead of only answering
    action: str | None = Field(default=None, pattern=r"^(flow:[a-z_]+|handoff)$")


class FaqKnowledge(Strict):
    topics: list[FaqTopic] = Field(min_length=1)
