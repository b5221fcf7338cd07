"""The engine's vocabulary: one inbound type, typed replies, conversation keys.

Adapters (``channels/``) translate provider payloads into :class:`InboundMessage` and render
the replies the engine returns; nothing under ``bot/`` imports a provider SDK or aiohttp.
Everything here is frozen so a message can be handed between tasks without copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

#: the channels Sila sends to through a provider (replies queue in the outbox); the web chat and the
#: terminal are answered on their own connection
PUSH_CHANNELS = ("telegram", "whatsapp", "sms")

ChannelName = Literal["webchat", "terminal", "telegram", "whatsapp", "sms"]
CHANNELS: tuple[ChannelName, ...] = ("webchat", "terminal", "telegram", "whatsapp", "sms")

# What kind of decision produced a reply; the same vocabulary as `sila ask`.
ReplyKind = Literal["answer", "suggest", "handoff", "flow", "menu", "fallback", "info", "error", "human"]


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Who is talking to which association over which channel.

    ``address`` is the channel's own id for the person (Telegram chat id, E.164 number, the
    web chat's visitor token, the terminal user id). One key is one conversation.
    """

    org: str
    channel: str
    address: str

    def lock_name(self) -> str:
        return f"{self.org}:{self.channel}:{self.address}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the beneficiary sent; ``url`` is only ever fetched from the provider's host."""

    url: str
    content_type: str | None = None
    size: int | None = None
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a beneficiary, whatever channel it came by."""

    key: ConversationKey
    text: str = ""
    button_value: str | None = None
    provider_message_id: str | None = None
    sender_name: str | None = None
    attachments: tuple[Attachment, ...] = ()
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: extra provider facts an adapter wants kept (e.g. Telegram deep-link payload)
    meta: tuple[tuple[str, str], ...] = ()

    @property
    def input(self) -> str:
        """What the beneficiary chose or typed: a button value wins over free text."""
        return self.button_value if self.button_value is not None else self.text


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Expect:
    """The field a conversation is waiting for, so scripts and UIs can drive any flow."""

    flow: str
    field: str
    type: str
    choices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"flow": self.flow, "field": self.field, "type": self.type, "choices": list(self.choices)}


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    kind: ReplyKind = "info"
    expect: Expect | None = None


@dataclass(frozen=True, slots=True)
class Choices:
    """A text with buttons; channels without buttons get a numbered list (see render)."""

    text: str
    buttons: tuple[Button, ...]
    kind: ReplyKind = "menu"
    expect: Expect | None = None


@dataclass(frozen=True, slots=True)
class Media:
    url: str
    caption: str = ""
    content_type: str | None = None
    kind: ReplyKind = "info"
    expect: Expect | None = None


Reply = Text | Choices | Media


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """The reply object shared by `sila chat --json` and the web chat's server frames."""
    buttons: list[dict[str, str]] = []
    if isinstance(reply, Choices):
        buttons = [{"label": b.label, "value": b.value} for b in reply.buttons]
    out: dict[str, Any] = {
        "type": "reply",
        "text": reply.caption if isinstance(reply, Media) else reply.text,
        "buttons": buttons,
        "expect": reply.expect.to_json() if reply.expect else None,
        "kind": reply.kind,
    }
    if isinstance(reply, Media):
        out["media"] = {"url": reply.url, "content_type": reply.content_type}
    return out


def reply_from_json(data: dict[str, Any]) -> Reply:
    """Inverse of :func:`reply_to_json`, used when replies come back out of storage."""
    exp = data.get("expect")
    expect = (
        Expect(exp["flow"], exp["field"], exp["type"], tuple(exp.get("choices") or ())) if exp else None
    )
    kind: ReplyKind = data.get("kind") or "info"
    if data.get("media"):
        m = data["media"]
        return Media(m["url"], data.get("text", ""), m.get("content_type"), kind, expect)
    if data.get("buttons"):
        buttons = tuple(Button(b["label"], b["value"]) for b in data["buttons"])
        return Choices(data.get("text", ""), buttons, kind, expect)
    return Text(data.get("text", ""), kind, expect)
