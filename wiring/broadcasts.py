"""Broadcast rules and actions shared by the console and ``sila broadcast``.

One place decides whether a broadcast may be created or sent (empty audience, text too long for
a channel, WhatsApp template outside the 24-hour window, a second send), what its preview and
report show, and how addresses are masked, so the page and the command line never disagree.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.clock import RIYADH, aware
from bot.render import CAPABILITIES, sms_segments
from bot.settings import Settings, parse_templates
from bot.types import PUSH_CHANNELS
from storage import broadcasts as bs
from storage.db import Database

CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")


class BroadcastRefused(Exception):
    """A broadcast cannot be created or sent as asked; the message says why, in one line.

    The message is the command line's wording (it names flags and settings). ``code`` and
    ``params`` say the same for any other front end to word in its reader's language: the
    console turns ``whatsapp_window`` into plain Arabic or English, not "give --template KIND".
    """

    def __init__(self, message: str, code: str = "", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def parse_at(value: str, now: datetime | None = None) -> datetime:
    """A send time as given (ISO; without an offset it is Saudi time), in UTC; the future only."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BroadcastRefused(f"--at: '{value}' is not an ISO date-time (e.g. 2026-03-01T09:00+03:00)",
                               "at_format") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=RIYADH)
    if at <= (now or datetime.now(UTC)):
        raise BroadcastRefused(f"--at: {at.isoformat()} is in the past; give a future time", "at_past")
    return at.astimezone(UTC)


def mask_address(address: str) -> str:
    if len(address) <= 6:
        return "****"
    head = 5 if address.startswith("+") else 2
    return address[:head] + "****" + address[-3:]


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix risky first characters with ')."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_RISKY) else text


def cost_per_segment(settings: Settings) -> tuple[float, str, bool]:
    raw, currency = settings.sms_cost_per_segment, settings.sms_cost_currency or "SAR"
    return (float(raw), currency, True) if raw else (0.0, currency, False)  # load_settings checked it


def text_problems(settings: Settings, texts: dict[str, str], channels: tuple[str, ...]) -> list[str]:
    """Texts over a channel's limit: Telegram 4096 characters, WhatsApp 1600, SMS the segment cap."""
    out = []
    for lang, text in texts.items():
        for channel in channels or PUSH_CHANNELS:
            if channel == "sms":
                encoding, segments = sms_segments(text)
                if segments > settings.sms_max_segments:
                    out.append(f"the {lang} text is {segments} SMS segments ({encoding}); the limit is "
                               f"{settings.sms_max_segments} (SILA_SMS_MAX_SEGMENTS)")
            elif len(text) > CAPABILITIES[channel].max_text:
                out.append(f"the {lang} text is {len(text)} characters; {channel} allows "
                           f"{CAPABILITIES[channel].max_text}")
    return out


def template_configured(settings: Settings, org: str, kind: str) -> bool:
    templates = parse_templates(settings.twilio_templates)
    return bool(templates.get(org, {}).get(kind) or templates.get("*", {}).get(kind))


def check_sendable(settings: Settings, bc: bs.BroadcastRecord, summary: bs.AudienceSummary) -> None:
    """Raise the first reason this broadcast cannot be sent as it is."""
    if summary.total == 0:
        raise BroadcastRefused("the audience is empty: nobody opted-in matches these filters", "empty_audience")
    channels = tuple(sorted({c for c, _l in summary.by_channel_lang}))
    problems = text_problems(settings, {lang: bc.text_for(lang) for _c, lang in summary.by_channel_lang}, channels)
    if problems:
        raise BroadcastRefused(problems[0], "text_too_long")
    if summary.whatsapp_outside_window:
        if not bc.template:
            raise BroadcastRefused(
                f"{summary.whatsapp_outside_window} WhatsApp recipient(s) are outside the 24-hour window: give "
                "--template KIND (an approved template in SILA_TWILIO_TEMPLATES) or leave WhatsApp out (--channel)",
                "whatsapp_window", count=summary.whatsapp_outside_window)
        if not template_configured(settings, bc.org, bc.template):
            raise BroadcastRefused(f"WhatsApp template '{bc.template}' is not configured for {bc.org} in "
                                    "SILA_TWILIO_TEMPLATES", "template_missing", template=bc.template)


def check_new(settings: Settings, org: str, texts: dict[str, str], audience: bs.Audience,
              template: str | None) -> None:
    """Raise the first reason a new broadcast cannot be created (before any database work)."""
    if not texts:
        raise BroadcastRefused("give the message: --text-ar and/or --text-en")
    unknown = [c for c in audience.channels if c not in PUSH_CHANNELS]
    if unknown:
        raise BroadcastRefused(f"--channel: '{unknown[0]}' is not one of {', '.join(PUSH_CHANNELS)}")
    problems = text_problems(settings, texts, audience.channels)
    if problems:
        raise BroadcastRefused(problems[0], "text_too_long")
    if template and not template_configured(settings, org, template):
        raise BroadcastRefused(f"WhatsApp template '{template}' is not configured for {org} in "
                                "SILA_TWILIO_TEMPLATES", "template_missing", template=template)


async def create_checked(db: Database, *, org: str, name: str, audience: bs.Audience, texts: dict[str, str],
                         template: str | None, created_by: str = "cli") -> str:
    """Create a draft once the audience is known not to be empty."""
    summary = await bs.summarize(db, org, audience)
    if summary.total == 0:
        raise BroadcastRefused("the audience is empty: nobody opted-in matches these filters", "empty_audience")
    return await bs.create(db, org=org, name=name, audience=audience, texts=texts, template=template,
                           created_by=created_by)


async def send_checked(settings: Settings, db: Database, bc: bs.BroadcastRecord,
                       at: datetime | None = None) -> tuple[int, bs.AudienceSummary]:
    """Every refusal of ``send`` (second send, empty audience, template, text length), then queue."""
    if bc.status != "draft":
        raise BroadcastRefused(f"broadcast {bc.id} was already sent (status: {bc.status}); create a new one",
                               "already_sent")
    summary = await bs.summarize(db, bc.org, bc.audience)
    check_sendable(settings, bc, summary)
    try:
        return await bs.start_sending(db, bc, at), summary
    except bs.BroadcastError as exc:
        code = "empty_audience" if "audience is empty" in str(exc) else "already_sent"
        raise BroadcastRefused(str(exc), code) from None


def preview_lines(settings: Settings, bc: bs.BroadcastRecord, summary: bs.AudienceSummary) -> dict[str, Any]:
    """What a preview shows: per-channel SMS segments, the estimated cost and a masked sample."""
    price, currency, priced = cost_per_segment(settings)
    sms: list[tuple[str, int, str, int]] = []  # (lang, characters, encoding, segments per message)
    segments_total = 0
    for (channel, lang), n in sorted(summary.by_channel_lang.items()):
        if channel == "sms":
            text = bc.text_for(lang)
            encoding, segs = sms_segments(text)
            segments_total += segs * n
            sms.append((lang, len(text), encoding, segs))
    return {
        "sms": sms, "segments_total": segments_total, "priced": priced, "currency": currency,
        "cost": segments_total * price,
        "sample": [(channel, mask_address(address), lang, bc.text_for(lang)[:60])
                   for channel, address, lang in summary.sample],
    }


def summarize_counts(counts: dict[str, int]) -> dict[str, int]:
    g = counts.get
    return {
        "total": sum(counts.values()), "queued": g("queued", 0) + g("sending", 0),
        "sent": g("sent", 0) + g("delivered", 0) + g("read", 0), "delivered": g("delivered", 0) + g("read", 0),
        "read": g("read", 0), "failed": g("failed", 0) + g("unknown", 0), "skipped": g("skipped", 0),
        "cancelled": g("cancelled", 0),
    }


async def write_csv(db: Database, broadcast_id: str, fh: TextIO, *, full: bool = False) -> int:
    """The per-recipient report as CSV into ``fh``; every cell through ``csv_safe``."""
    n = 0
    writer = csv.writer(fh)
    writer.writerow(["recipient", "channel", "address", "name", "lang", "status", "attempts", "reason",
                     "sent_at", "provider_message_id"])
    async for chunk in bs.report_rows(db, broadcast_id):
        for r in chunk:
            address = r.address if full else mask_address(r.address)
            sent = aware(r.sent_at)
            writer.writerow([csv_safe(v) for v in (
                r.id, r.channel, address, r.display_name, r.lang, r.status, r.attempts, r.last_error,
                sent.isoformat() if sent else "", r.provider_message_id)])
            n += 1
    return n


