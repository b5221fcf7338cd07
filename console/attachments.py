"""Collected answers as officers read them, and the files beneficiaries attached to a request.

A form's attachment answer is only a provider reference (``telegram:<file_id>`` or a Twilio
media URL, see ``validate_attachment``); the file itself stays with the provider. An officer
opening it makes the console fetch it through the channel adapter's strict ``fetch_attachment``
(provider host only, size cap, type sniffed) and stream it back once, audited, never cached.
The response carries the *sniffed* type, ``nosniff`` and a locked-down CSP, so a file dressed
up as something else cannot run as a page on the console's origin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeGuard
from urllib.parse import quote

from bot.flows.schema import FieldDef
from bot.flows.validators import display_for, type_names
from bot.i18n import t, tr
from bot.types import Attachment
from channels.media import MediaBlob
from channels.push import PushChannels
from wiring.runtime import Runtime

#: the extension a download gets, from the type the bytes proved (never the sender's name)
EXTENSIONS = {
    "application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
    "image/webp": ".webp", "audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "video/mp4": ".mp4",
}
#: field types whose stored value is a code or an ISO date: the form's own words are shown instead
WORDED_TYPES = frozenset({"choice", "multi_choice", "city", "date", "yes_no"})
#: types a browser shows by itself; anything else is offered as a download
INLINE = frozenset({"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"})
#: images are shown in a sandboxed, script-less document; Chromium's PDF viewer does not load in a
#: CSP sandbox (nor with ``object-src 'none'``), so a PDF keeps its viewer but nothing else
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
PDF_CSP = "default-src 'none'; object-src 'self'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
FILE_CSP = "default-src 'none'; sandbox"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|;%]')
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9.-]+")


@dataclass(frozen=True, slots=True)
class AnswerView:
    """One collected answer on the case page: text, or a file's type and size with a link."""

    key: str
    text: str
    size: str = ""
    href: str = ""
    #: the form's short name for the field in the console's language (the key when unknown)
    label: str = ""


def is_file(value: Any) -> TypeGuard[dict[str, Any]]:
    """A stored attachment answer that names a file at the provider (not ``{"pending": True}``)."""
    return isinstance(value, dict) and isinstance(value.get("url"), str) and bool(value["url"])


def size_text(size: Any, lang: str) -> str:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return ""
    if size < 1024:
        return tr("file.bytes", lang).format(n=size)
    if size < 1024 * 1024:
        return tr("file.kb", lang).format(n=round(size / 1024))
    return tr("file.mb", lang).format(n=f"{size / (1024 * 1024):.1f}")


def type_text(value: dict[str, Any]) -> str:
    ctype = str(value.get("content_type") or "").split(";")[0].strip().lower()
    return type_names((ctype,)) if ctype else "?"


def answer_text(value: Any, lang: str) -> str:
    """Any stored answer as plain words in ``lang``: never a Python repr of a list or dict."""
    sep = ", " if lang == "en" else "، "
    if value is None:
        return t("flow.not_provided", lang)
    if isinstance(value, bool):
        return t("flow.yes" if value else "flow.no", lang)
    if isinstance(value, list | tuple):
        return sep.join(answer_text(v, lang) for v in value)
    if isinstance(value, dict):
        if value.get("pending"):
            return t("flow.attachment_later", lang)
        if is_file(value):
            return " · ".join(p for p in (type_text(value), size_text(value.get("size"), lang)) if p)
        return sep.join(f"{k}: {answer_text(v, lang)}" for k, v in value.items())
    return str(value)


def field_label(key: str, lang: str, fdef: FieldDef | None) -> str:
    """The form's short name for a field in ``lang`` (the field id when the form is unknown)."""
    return (fdef.label or fdef.prompt).get(lang) if fdef is not None else key


def answer_words(value: Any, lang: str, fdef: FieldDef | None) -> str:
    """An answer as the applicant's summary showed it: choices, cities, dates and yes/no in the
    form's words (``display_for``); anything else through :func:`answer_text`."""
    if fdef is not None and fdef.type in WORDED_TYPES and value is not None:
        return display_for(replace(fdef.to_spec(), lang=lang), value)
    return answer_text(value, lang)


def answer_views(case_id: str, data: dict[str, Any], lang: str,
                 fields: Mapping[str, FieldDef] | None = None) -> list[AnswerView]:
    """The case's answers for the officer, each under its label (``fields``: the request form's
    fields by id); a file gets its type, size and a link instead of words."""
    out = []
    for key, value in data.items():
        fdef = (fields or {}).get(key)
        label = field_label(key, lang, fdef)
        if is_file(value):
            out.append(AnswerView(key, type_text(value), size_text(value.get("size"), lang),
                                  f"/console/cases/{quote(case_id, safe='')}/files/{quote(key, safe='')}", label))
        else:
            out.append(AnswerView(key, answer_words(value, lang, fdef)[:500], label=label))
    return out


def attachment_of(value: dict[str, Any]) -> Attachment:
    size = value.get("size")
    return Attachment(str(value["url"]), str(value.get("content_type") or "") or None,
                      size if isinstance(size, int) and not isinstance(size, bool) else None,
                      str(value.get("filename") or "") or None)


def adapter_for(push: PushChannels, attachment: Attachment) -> Any:
    """The channel that can fetch this reference: Telegram for ``telegram:``, else Twilio."""
    return push.telegram if attachment.url.startswith("telegram:") else push.twilio


def content_disposition(blob: MediaBlob, filename: str | None, fallback: str) -> str:
    """``inline`` for images and PDF, else ``attachment``; the name is the sender's (cleaned, both
    as an ASCII fallback and as RFC 5987 ``filename*``) with the extension of the sniffed type."""
    kind = "inline" if blob.content_type in INLINE else "attachment"
    ext = EXTENSIONS.get(blob.content_type, ".bin")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = "".join(c for c in unicodedata.normalize("NFC", stem) if c.isprintable())
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._")[:80]
    fallback = _UNSAFE_NAME.sub("_", fallback).strip(" ._") or "attachment"
    ascii_stem = _NOT_ASCII_NAME.sub("_", stem).strip("._")
    if len(ascii_stem) < 3:
        ascii_stem = _NOT_ASCII_NAME.sub("_", fallback).strip("._") or "attachment"
    return f"{kind}; filename=\"{ascii_stem}{ext}\"; filename*=UTF-8''{quote((stem or fallback) + ext, safe='')}"


def file_headers(blob: MediaBlob, filename: str | None, fallback: str) -> dict[str, str]:
    if blob.content_type == "application/pdf":
        csp = PDF_CSP
    elif blob.content_type.startswith("image/"):
        csp = IMAGE_CSP
    else:
        csp = FILE_CSP
    return {"Content-Disposition": content_disposition(blob, filename, fallback), "Content-Security-Policy": csp,
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
            "Cross-Origin-Resource-Policy": "same-origin"}


def form_fields(runtime: Runtime, org: str, flow_id: str | None) -> dict[str, FieldDef] | None:
    """The fields of a request form by id, to show answers under their labels and in words."""
    pack = runtime.packs.get(org)
    flow = pack.flows.get(flow_id) if pack is not None and flow_id else None
    return {f.id: f for f in flow.fields} if flow is not None else None
