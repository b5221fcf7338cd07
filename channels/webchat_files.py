"""Files a web chat visitor uploads: checked, encrypted at rest, fetched back like any channel's.

Telegram and WhatsApp keep the files people send and give us a reference; the web chat has no
provider, so the server keeps them itself: under ``<data dir>/uploads/<association>/`` with the
bytes and a small description each sealed by the data cipher (the same AES-GCM keys as national
IDs), so a copied disk shows neither a medical report nor its file name. The type is judged from
the bytes (``channels.media.accept``), never from the name or the browser's say-so.

An upload is only a reference (``webchat:<id>``) until a message names it; it then travels as an
:class:`~bot.types.Attachment` like Telegram's ``telegram:<file_id>``, and the console reads it
through :meth:`WebchatFiles.fetch_attachment`, with the same access checks and audit.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import orjson
from aiohttp import web

from bot.flows.validators import type_names
from bot.i18n import t
from bot.settings import Settings
from bot.types import Attachment
from channels.media import MediaBlob, MediaRefused, accept
from storage.crypto import DataCipher
from wiring.bodies import raw_body
from wiring.runtime import RUNTIME

PREFIX = "webchat:"
UPLOAD_ID = re.compile(r"^[a-f0-9]{32}$")
VISITOR = UPLOAD_ID  # a visitor id has the same shape


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    visitor: str
    content_type: str
    size: int
    filename: str | None

    def attachment(self) -> Attachment:
        return Attachment(PREFIX + self.id, self.content_type, self.size, self.filename)


class WebchatFiles:
    """The web chat's own file store (one per runtime; stateless apart from the directory)."""

    def __init__(self, settings: Settings, cipher: DataCipher | None) -> None:
        self.root = Path(settings.data_dir) / "uploads"
        self.cipher = cipher
        self.max_bytes = settings.webchat_upload_max_bytes
        self.types = frozenset(t.strip().lower() for t in settings.webchat_upload_types.split(",") if t.strip())

    def _paths(self, org: str, upload_id: str) -> tuple[Path, Path]:
        if not UPLOAD_ID.match(upload_id) or "/" in org or org.startswith("."):
            raise MediaRefused("not a web chat upload")
        folder = self.root / org
        return folder / f"{upload_id}.bin", folder / f"{upload_id}.meta"

    async def save(self, org: str, visitor: str, data: bytes, filename: str | None, upload_id: str) -> Upload:
        """Check and store one file; raises MediaRefused (too big, a type not accepted)."""
        if self.cipher is None:
            raise MediaRefused("no data key: uploads cannot be stored encrypted")
        blob = accept(data, self.max_bytes, None, filename)
        if blob.content_type not in self.types:
            raise MediaRefused("attachment type not accepted")
        name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:120] or None
        upload = Upload(upload_id, visitor, blob.content_type, len(data), name)
        body, meta = self._paths(org, upload_id)
        sealed = self.cipher.encrypt_bytes(data)
        described = self.cipher.encrypt(orjson.dumps({
            "visitor": visitor, "content_type": upload.content_type, "size": upload.size, "filename": name,
        }).decode())
        await asyncio.to_thread(_write, body, meta, sealed, described)
        return upload

    async def find(self, org: str, visitor: str, upload_id: str) -> Upload | None:
        """The upload if this visitor made it (another visitor's id is as good as unknown)."""
        if self.cipher is None:
            return None
        try:
            _body, meta = self._paths(org, upload_id)
            token = await asyncio.to_thread(meta.read_text)
            info = orjson.loads(self.cipher.decrypt(token))
        except (MediaRefused, OSError, ValueError):
            return None
        if info.get("visitor") != visitor:
            return None
        return Upload(upload_id, visitor, str(info["content_type"]), int(info["size"]), info.get("filename"))

    async def fetch_attachment(self, org: str, attachment: Attachment) -> MediaBlob:
        """The file's bytes for the console (same contract as the Telegram and Twilio adapters)."""
        if not attachment.url.startswith(PREFIX) or self.cipher is None:
            raise MediaRefused("not a web chat upload")
        body, _meta = self._paths(org, attachment.url.removeprefix(PREFIX))
        try:
            data = self.cipher.decrypt_bytes(await asyncio.to_thread(body.read_bytes))
        except OSError:
            raise MediaRefused("web chat upload not found") from None
        return accept(data, max(self.max_bytes, len(data)), attachment.content_type, attachment.filename)


@raw_body
async def upload(request: web.Request) -> web.Response:
    """``POST /chat/{slug}/upload?visitor=…``: one file as the raw body (its name in ``X-Filename``).

    Answers ``{"id", "content_type", "size", "filename"}``; the page then sends a message frame
    naming the id. Too big or a type not accepted: 413/415 with the reason in the visitor's words.
    """
    runtime = request.app[RUNTIME]
    slug = request.match_info["slug"]
    if slug not in runtime.packs:
        raise web.HTTPNotFound(text="unknown association")
    visitor = request.query.get("visitor", "")
    lang = "en" if request.query.get("lang") == "en" else "ar"
    if not VISITOR.match(visitor):
        raise web.HTTPBadRequest(text="visitor")
    store = WebchatFiles(runtime.settings, runtime.cipher)
    types = type_names(tuple(sorted(store.types)))
    limit = store.max_bytes

    def refused(status: int, key: str) -> web.Response:
        text = t(key, lang, types=types, max_mb=round(limit / (1024 * 1024), 1))
        return web.json_response({"error": key.rsplit(".", 1)[-1], "text": text}, status=status)

    if request.content_length is not None and request.content_length > limit:
        return refused(413, "flow.attachment_size")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return refused(413, "flow.attachment_size")
        chunks.append(chunk)
    if not size:
        return refused(400, "flow.attachment_expected")
    filename = request.headers.get("X-Filename", "")
    with contextlib.suppress(ValueError):
        filename = urllib.parse.unquote(filename, errors="strict")
    try:
        saved = await store.save(slug, visitor, b"".join(chunks), filename[:200] or None, secrets.token_hex(16))
    except MediaRefused as exc:
        if "larger" in str(exc):
            return refused(413, "flow.attachment_size")
        return refused(415, "flow.attachment_type")
    return web.json_response({"id": saved.id, "content_type": saved.content_type, "size": saved.size,
                              "filename": saved.filename})


def _write(body: Path, meta: Path, sealed: bytes, described: str) -> None:
    body.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = body.with_suffix(".tmp")
    tmp.write_bytes(sealed)
    tmp.replace(body)
    meta.write_text(described)
