"""Files beneficiaries sent, opened by an officer: one path for a case's answer and a transcript.

Whatever the channel (a Telegram file id, a Twilio media URL, a web chat upload kept encrypted
on our disk), the file is fetched through its channel's ``fetch_attachment`` (strict host, size
cap, type sniffed), every view is written to the audit log, and the response carries the sniffed
type with a locked-down CSP (``console.attachments.file_headers``). The transcript shows an image
or plays a voice note in place, so the officer does not have to download it to read it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import ClientError, web
from sqlalchemy import select

from bot.types import Attachment
from channels.media import MediaRefused
from channels.push import PUSH
from channels.webchat_files import PREFIX as WEBCHAT_PREFIX
from channels.webchat_files import WebchatFiles
from console import attachments, service
from console.auth import StaffUser
from console.web import forbidden as forbidden_page
from console.web import need, not_found, render, runtime_of
from storage.cases import audit
from storage.models import Conversation, Message

#: the most a provider may take to hand over one attachment before the officer gets the 502 page
FETCH_TIMEOUT_S = 30.0

log = logging.getLogger("sila.console")


async def serve_attachment(request: web.Request, user: StaffUser, org: str, attachment: Attachment, *,
                           target: str, name: str) -> web.StreamResponse:
    """Fetch ``attachment`` from where it lives, audit the view as ``target``, and send it."""
    runtime = runtime_of(request)
    adapter: Any
    if attachment.url.startswith(WEBCHAT_PREFIX):
        adapter = WebchatFiles(runtime.settings, runtime.cipher)
    else:
        push = request.app.get(PUSH)
        if push is None:  # a console-only app has no channel adapters to fetch with
            return render(request, "error.html", code=503, status=503, message="err.attachment")
        adapter = attachments.adapter_for(push, attachment)
    try:
        async with asyncio.timeout(FETCH_TIMEOUT_S):
            blob = await adapter.fetch_attachment(org, attachment)
    except (MediaRefused, ClientError, TimeoutError, OSError, ValueError) as exc:
        reason = str(exc) if isinstance(exc, MediaRefused) else type(exc).__name__  # no URL, id or number
        log.warning("attachment of %s not shown: %s", target[:80], reason)
        return render(request, "error.html", code=502, status=502, message="err.attachment")
    assert runtime.db is not None
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="view.attachment", org=org, target=target,
                    detail={"content_type": blob.content_type, "bytes": len(blob.content)})
    headers = attachments.file_headers(blob, attachment.filename, name)
    return web.Response(body=blob.content, content_type=blob.content_type, headers=headers)


def message_attachments(payload: Any) -> list[Attachment]:
    """The files stored with an inbound message (``payload["attachments"]``, a JSON list)."""
    raw = payload.get("attachments") if isinstance(payload, dict) else None
    try:
        listed = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    return [attachments.attachment_of(f) for f in listed if isinstance(f, dict) and attachments.is_file(f)]


async def message_file(request: web.Request) -> web.StreamResponse:
    """``/console/c/{cid}/files/{mid}/{n}``: the n-th file of a message in this person's transcript."""
    user = await need(request)
    try:
        conv = await service.load_conversation(runtime_of(request), user, request.match_info["cid"])
    except service.NotFound:
        raise not_found(request) from None
    except service.Forbidden:
        raise forbidden_page(request) from None
    runtime = runtime_of(request)
    assert runtime.db is not None
    mid = request.match_info["mid"][:32]
    async with runtime.db.reader.connect() as conn:
        row = (await conn.execute(
            select(Message.payload).join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.id == mid, Message.direction == "in",
                   Conversation.beneficiary_id == conv.beneficiary_id, Conversation.org == conv.org)
        )).first()
    files = message_attachments(row.payload) if row is not None else []
    try:
        attachment = files[int(request.match_info["n"])]
    except (ValueError, IndexError):
        raise not_found(request) from None
    return await serve_attachment(request, user, conv.org, attachment,
                                  target=f"conversation:{conv.id}:message:{mid}", name=f"message-{mid}")
