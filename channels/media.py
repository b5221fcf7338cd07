"""Attachments from beneficiaries: fetched only from the provider, size-capped, type sniffed.

Why so strict: an attachment URL arrives inside a webhook. Fetching whatever URL a payload
names (with our provider credentials attached!) would let anyone who can reach the webhook
make this server call internal addresses (SSRF) or leak the credentials. So each adapter
fetches only from its provider's own host, checks the host *before* any request, never
follows a redirect to an unlisted host, stops reading at the size cap, and decides the type
from the file's first bytes rather than from the declared content type.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.types import Attachment

log = logging.getLogger("sila.media")

#: (prefix, offset, content type) — the formats a beneficiary reasonably sends
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"OggS", 0, "audio/ogg"),
    (b"ID3", 0, "audio/mpeg"),
)


class MediaRefused(Exception):
    """The attachment is not fetched or not accepted; the message says why (no personal data)."""


@dataclass(frozen=True, slots=True)
class MediaBlob:
    content: bytes
    content_type: str
    filename: str | None = None


def sniff(data: bytes) -> str | None:
    """The content type the bytes themselves prove, or None for anything we don't accept."""
    for prefix, offset, ctype in _MAGIC:
        if data[offset: offset + len(prefix)] == prefix:
            return ctype
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in {b"M4A ", b"M4B "}:
            return "audio/mp4"
        return "video/mp4"
    return None


def accept(data: bytes, limit: int, declared: str | None = None, filename: str | None = None) -> MediaBlob:
    if len(data) > limit:
        raise MediaRefused(f"attachment larger than {limit} bytes")
    ctype = sniff(data)
    if ctype is None:
        raise MediaRefused("attachment type not accepted")
    if declared and declared.split(";")[0].strip().lower() != ctype:
        log.info("attachment declared %s but is %s; using the sniffed type", declared[:40], ctype)
    return MediaBlob(data, ctype, filename)


def attachments_json(attachments: Sequence[Attachment]) -> str:
    """How attachments are kept on the stored inbound message (provider references only)."""
    return json.dumps([{"url": a.url, "content_type": a.content_type, "size": a.size, "filename": a.filename}
                       for a in attachments], ensure_ascii=False)


_PHONE = re.compile(r"\+?\d{7,15}")


def mask_phone(text: str) -> str:
    """+966512341234 → +9665****1234: log lines may say whose message it was, not the number."""

    def _mask(m: re.Match[str]) -> str:
        s = m.group(0)
        head = 5 if s.startswith("+") else 4
        return s[:head] + "****" + s[-4:] if len(s) > head + 4 else "****"

    return _PHONE.sub(_mask, text)
