"""Channel capabilities and the one renderer that degrades replies to what a channel can show.

Adapters declare what they can do; they never decide wording. Buttons become a numbered list
where a channel has none (SMS; WhatsApp free-form text), long texts are split on sentence or
line boundaries, and SMS length is counted the way carriers bill it (GSM-7 vs UCS-2 segments).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.types import Choices, Media, Reply

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXT = set("^{}\\[~]|€")


@dataclass(frozen=True, slots=True)
class Capabilities:
    buttons: bool = True
    max_buttons: int = 10
    max_button_label: int = 64
    max_text: int = 4096
    media: bool = True
    attachments_in: bool = True
    sms: bool = False


WEBCHAT = Capabilities(buttons=True, max_buttons=12, max_text=4096)
TERMINAL = Capabilities(buttons=True, max_buttons=20, max_text=100_000, media=False, attachments_in=False)
TELEGRAM = Capabilities(buttons=True, max_buttons=12, max_button_label=60, max_text=4096)
WHATSAPP = Capabilities(buttons=False, max_text=1600)
SMS = Capabilities(buttons=False, max_text=1530, media=False, attachments_in=False, sms=True)

CAPABILITIES: dict[str, Capabilities] = {
    "webchat": WEBCHAT, "terminal": TERMINAL, "telegram": TELEGRAM, "whatsapp": WHATSAPP, "sms": SMS,
}


@dataclass(frozen=True, slots=True)
class Rendered:
    """One provider message: text plus buttons the channel can show natively."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    media_url: str | None = None


def sms_segments(text: str) -> tuple[str, int]:
    """Encoding and number of billed segments: GSM-7 160/153, UCS-2 (any Arabic) 70/67."""
    if all(ch in GSM7 or ch in GSM7_EXT for ch in text):
        units = sum(2 if ch in GSM7_EXT else 1 for ch in text)
        single, multi = 160, 153
        encoding = "GSM-7"
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi = 70, 67
        encoding = "UCS-2"
    if units <= single:
        return encoding, 1 if units else 0
    return encoding, -(-units // multi)


def numbered(text: str, buttons: tuple[tuple[str, str], ...], arabic: bool) -> str:
    hint = "أرسل رقم اختيارك." if arabic else "Reply with the number of your choice."
    lines = [text, ""] + [f"{i}. {label}" for i, (label, _v) in enumerate(buttons, 1)] + [hint]
    return "\n".join(lines)


def split_text(text: str, limit: int) -> list[str]:
    """Split on paragraph, line, sentence, then word boundaries; never mid-word if avoidable."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 3:
            cut = max(window.rfind(s) for s in (". ", "؟ ", "? ", "! ", "، ", "; "))
            cut = cut + 1 if cut >= limit // 3 else window.rfind(" ")
        if cut < limit // 3:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def render(reply: Reply, caps: Capabilities) -> list[Rendered]:
    """Turn one engine reply into the provider messages a channel should send."""
    if isinstance(reply, Media):
        if caps.media:
            return [Rendered(reply.caption, (), reply.url)]
        return [Rendered(f"{reply.caption}\n{reply.url}".strip())]
    text = reply.text
    buttons: tuple[tuple[str, str], ...] = ()
    if isinstance(reply, Choices) and reply.buttons:
        pairs = tuple((b.label[: caps.max_button_label], b.value) for b in reply.buttons)
        if caps.buttons and len(pairs) <= caps.max_buttons:
            buttons = pairs
        else:
            text = numbered(text, pairs, is_arabic(text))
    chunks = split_text(text, caps.max_text)
    out = [Rendered(c) for c in chunks[:-1]]
    out.append(Rendered(chunks[-1], buttons))
    return out

