"""Telegram: one bot per association, webhook in production, long polling in development.

Why the plain ``telegram.Bot`` and not ``telegram.ext.Application``: our engine already is the
dispatcher (per-conversation lock, de-duplication, state); the Application would add a second
update queue and life cycle beside aiohttp's. We keep python-telegram-bot for what it is good
at: parsing updates (``Update.de_json``), typed errors and the Bot API calls.

Webhook: Telegram sends the secret we registered in ``X-Telegram-Bot-Api-Secret-Token``; it is
compared in constant time and anything else gets 403 before the body is parsed. We answer 200
at once and process the update in a tracked task (Telegram waits for nobody), so the
de-duplication of re-deliveries rests on the ``update_id`` kept as the message's provider id.

Buttons: callback data may hold at most 64 bytes. Longer button values travel as ``#h:`` + a
hash and are resolved from the buttons of the conversation's own recent outbound messages, so
no extra table is needed and a forged hash resolves to nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot.i18n import t
from bot.records import OutboxItem, StoreUnavailable
from bot.render import TELEGRAM, Capabilities, Rendered, is_arabic, render
from bot.settings import Settings, SettingsError
from bot.types import Attachment, ConversationKey, InboundMessage, Reply
from channels.delivery import Template
from channels.media import MediaBlob, MediaRefused, accept, attachments_json
from channels.optout import after_turn
from channels.telegram_bot import (
    HASHED,
    callback_data,
    classify,
    make_bot,
    retry_after_seconds,
    secret_for,
    token_env_name,
    verified_phone,
)
from storage import inbox
from wiring.bodies import json_body
from wiring.metrics import measure_turn
from wiring.runtime import RUNTIME, Runtime

log = logging.getLogger("sila.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
MAX_UPDATE_BYTES = 256 * 1024
START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ALLOWED_UPDATES = ["message", "callback_query"]


class TelegramChannel:
    """Every association's bot: inbound updates, outbound sends, media, polling."""

    timeout_policy = "retry_once"

    def __init__(self, runtime: Runtime, on_turn: Callable[[], None] = lambda: None) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.on_turn = on_turn
        self.bots: dict[str, Bot] = {}
        for slug in runtime.packs:
            bot = make_bot(self.settings, slug, polling=self.settings.telegram_mode == "polling")
            if bot is not None:
                self.bots[slug] = bot
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        for slug, bot in self.bots.items():
            try:
                await bot.initialize()
            except TelegramError as exc:  # a Telegram outage must not stop the server
                log.warning("telegram bot for %s not initialised yet: %s", slug, type(exc).__name__)
        if self.bots and self.runtime.db is not None:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def _sweep_forever(self, every: float = 30.0) -> None:
        while True:
            try:
                await self.replay_unprocessed()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("telegram inbox sweep failed")
            await asyncio.sleep(every)

    async def replay_unprocessed(self, older_than: timedelta = timedelta(seconds=30)) -> int:
        """Process updates that were acknowledged but never processed (a worker died in between)."""
        assert self.runtime.db is not None
        assert self.runtime.cipher is not None
        rows = await inbox.unprocessed(self.runtime.db, self.runtime.cipher, "telegram", older_than=older_than)
        for row_id, slug, body in rows:
            if slug in self.bots:
                await self.process_recorded(slug, Update.de_json(json.loads(body), self.bots[slug]), row_id)
        return len(rows)

    async def process_recorded(self, slug: str, update: Update, row_id: str | None) -> None:
        await self.process(slug, update)
        if row_id is not None and self.runtime.db is not None:
            await inbox.mark_processed(self.runtime.db, row_id)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        for bot in self.bots.values():
            with contextlib.suppress(Exception):
                await bot.shutdown()

    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every update being processed is done (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- inbound --------------------------------------------------------------------------
    async def process(self, slug: str, update: Update) -> None:
        try:
            if update.callback_query is not None:
                await self._callback(slug, update)
            elif update.message is not None:
                await self._message(slug, update, update.message)
        except StoreUnavailable:
            log.warning("telegram update for %s dropped: coordination unavailable", slug)
        except Exception:
            log.exception("telegram update for %s failed", slug)

    def _provider_id(self, slug: str, update: Update) -> str:
        return f"{self.bots[slug].token.split(':', 1)[0]}:{update.update_id}"

    async def _message(self, slug: str, update: Update, message: Message) -> None:
        if message.chat.type != "private":
            return  # an association's bot serves people one to one
        key = ConversationKey(slug, "telegram", str(message.chat.id))
        text = message.text or message.caption or ""
        meta: list[tuple[str, str]] = []
        if text.startswith("/start"):
            _cmd, _sp, payload = text.partition(" ")
            text = "/start"
            if payload and START_PAYLOAD.match(payload.strip()):
                meta.append(("start_payload", payload.strip()))
        phone = verified_phone(message)
        if message.contact is not None:
            text = phone or message.contact.phone_number
            meta.append(("contact_phone", text))
            if phone:
                meta.append(("phone_verified", "telegram"))
        attachments = self._attachments(message)
        if attachments:  # kept with the stored message; fetched later only via getFile
            meta.append(("attachments", attachments_json(attachments)))
        msg = InboundMessage(
            key=key, text=text, provider_message_id=self._provider_id(slug, update),
            sender_name=message.from_user.full_name if message.from_user else None,
            attachments=attachments, meta=tuple(meta),
        )
        await self._turn(msg, phone)

    def _attachments(self, message: Message) -> tuple[Attachment, ...]:
        out: list[Attachment] = []
        if message.photo:
            big = message.photo[-1]
            out.append(Attachment(f"telegram:{big.file_id}", "image/jpeg", big.file_size))
        for doc, ctype in ((message.document, None), (message.voice, "audio/ogg")):
            if doc is not None:
                out.append(Attachment(f"telegram:{doc.file_id}", getattr(doc, "mime_type", None) or ctype,
                                      doc.file_size, getattr(doc, "file_name", None)))
        return tuple(out)

    async def _callback(self, slug: str, update: Update) -> None:
        cq = update.callback_query
        assert cq is not None
        chat_id = cq.message.chat.id if cq.message is not None else cq.from_user.id
        key = ConversationKey(slug, "telegram", str(chat_id))
        value = await self._resolve(key, cq.data or "")
        bot = self.bots[slug]
        if value is None:
            with contextlib.suppress(TelegramError):
                await bot.answer_callback_query(cq.id)
            return
        msg = InboundMessage(key=key, button_value=value, provider_message_id=self._provider_id(slug, update),
                             sender_name=cq.from_user.full_name)
        outcome = await self._turn(msg, None)
        if outcome:
            with contextlib.suppress(TelegramError):
                await bot.answer_callback_query(cq.id)
            if cq.message is not None:  # the choice is made: no second tap on the same menu
                with contextlib.suppress(TelegramError):
                    await bot.edit_message_reply_markup(chat_id=chat_id, message_id=cq.message.message_id)

    async def _resolve(self, key: ConversationKey, data: str) -> str | None:
        if not data.startswith(HASHED):
            return data or None
        conv = await self.runtime.store.load(key)
        if conv.is_new:
            return None
        for m in reversed(await self.runtime.store.history(conv.id, limit=60)):
            if m.direction != "out" or not m.payload:
                continue
            for b in m.payload.get("buttons") or []:
                if callback_data(str(b.get("value", ""))) == data:
                    return str(b["value"])
        return None

    async def _turn(self, msg: InboundMessage, phone: str | None) -> bool:
        """Run the engine; True when this was a new message (not a re-delivery)."""
        with measure_turn("telegram") as timed:
            timed.outcome = outcome = await self.runtime.engine.handle(msg)
        if outcome.duplicate:
            return False
        await after_turn(self.runtime, msg, outcome, verified_phone=phone, reachable=True)
        if outcome.replies:
            self.on_turn()
        return True

    # -- outbound (the delivery worker's adapter) ----------------------------------------------
    def can_send(self, org: str, channel: str) -> bool:
        return channel == "telegram" and org in self.bots

    def caps(self, channel: str) -> Capabilities:
        return TELEGRAM

    def parts(self, item: OutboxItem, reply: Reply) -> list[Rendered]:
        return render(reply, TELEGRAM)

    def rate_limits(self, item: OutboxItem) -> list[tuple[str, float, int]]:
        s = self.settings
        return [(f"tg:{item.org}", float(s.telegram_rate_global), s.telegram_rate_global),
                (f"tg:{item.org}:{item.address}", float(s.telegram_rate_chat), 3)]

    def needs_window(self, channel: str) -> bool:
        return False

    def template_for(self, item: OutboxItem) -> Template | None:
        return None

    async def reconcile(self, item: OutboxItem, parts: list[Rendered], *, since: datetime | None = None) -> str | None:
        return None  # the Bot API cannot list what a bot sent

    async def send(self, item: OutboxItem, parts: list[Rendered], template: Template | None) -> str:
        bot = self.bots[item.org]
        chat_id = int(item.address)
        expect = item.payload.get("expect") or {}
        lang = "ar" if is_arabic(parts[-1].text) else "en"
        ids: list[str] = []
        for i, part in enumerate(parts):
            markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
            if part.buttons:
                markup = InlineKeyboardMarkup(
                    [[InlineKeyboardButton(label, callback_data=callback_data(value))] for label, value in part.buttons]
                )
            elif i == len(parts) - 1 and expect.get("type") == "phone":
                markup = ReplyKeyboardMarkup([[KeyboardButton(t("telegram.share_phone", lang), request_contact=True)]],
                                             one_time_keyboard=True, resize_keyboard=True)
            try:
                if part.media_url:
                    sent = await bot.send_document(chat_id, part.media_url, caption=part.text[:1024] or None)
                else:
                    sent = await bot.send_message(chat_id, part.text or "…", reply_markup=markup)
            except TelegramError as exc:  # the parts before this one arrived: the worker won't repeat them
                raise classify(exc).after(ids) from None
            ids.append(f"{chat_id}:{sent.message_id}")
        return ids[-1]

    # -- media ----------------------------------------------------------------------------
    async def fetch_attachment(self, org: str, attachment: Attachment) -> MediaBlob:
        """Download a file the person sent: only via getFile on this association's bot."""
        cap = self.settings.media_max_bytes
        if not attachment.url.startswith("telegram:") or org not in self.bots:
            raise MediaRefused("not a Telegram file of this association")
        if attachment.size and attachment.size > cap:
            raise MediaRefused(f"attachment larger than {cap} bytes")
        bot = self.bots[org]
        try:
            tg_file = await bot.get_file(attachment.url.removeprefix("telegram:"))
            if tg_file.file_size and tg_file.file_size > cap:
                raise MediaRefused(f"attachment larger than {cap} bytes")
            if not str(tg_file.file_path or "").startswith(bot.base_file_url + "/"):
                raise MediaRefused("file path outside the Bot API file host")
            data = bytes(await tg_file.download_as_bytearray())
        except TelegramError as exc:
            raise MediaRefused(f"telegram: {type(exc).__name__}") from None
        return accept(data, cap, attachment.content_type, attachment.filename)

    # -- polling (development) ------------------------------------------------------------
    async def poll(self, slug: str, long_poll_s: int = 25) -> None:
        """Long-poll one bot until cancelled; removes its webhook first (Telegram allows one)."""
        bot = self.bots[slug]
        await bot.delete_webhook()
        offset: int | None = None
        delay = 1.0
        while True:
            try:
                updates = await bot.get_updates(offset=offset, timeout=long_poll_s, allowed_updates=ALLOWED_UPDATES)
                delay = 1.0
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except (NetworkError, TimedOut) as exc:
                log.info("telegram polling for %s: %s; retrying", slug, type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            for update in updates:
                await self.process(slug, update)
                offset = update.update_id + 1


TELEGRAM_CHANNEL = web.AppKey("telegram_channel", TelegramChannel)


@json_body
async def webhook(request: web.Request) -> web.Response:

    slug = request.match_info["slug"]
    runtime = request.app[RUNTIME]
    channel = request.app[TELEGRAM_CHANNEL]
    if slug not in runtime.packs or slug not in channel.bots:
        log.info("telegram webhook: unknown association or bot '%s'", slug[:40])
        raise web.HTTPNotFound(text="unknown association")
    expected = secret_for(runtime.settings, slug)
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("telegram webhook for %s: missing or wrong secret token", slug)
        raise web.HTTPForbidden(text="forbidden")
    if (request.content_length or 0) > MAX_UPDATE_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_UPDATE_BYTES, actual_size=request.content_length or 0)
    body = await request.read()
    if len(body) > MAX_UPDATE_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_UPDATE_BYTES, actual_size=len(body))
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("not an update")
        update = Update.de_json(data, channel.bots[slug])
    except Exception:
        log.info("telegram webhook for %s: body is not a Telegram update", slug)
        raise web.HTTPBadRequest(text="not a Telegram update") from None
    row_id = None
    if runtime.db is not None and runtime.cipher is not None:  # durable before acknowledged
        row_id = await inbox.record(runtime.db, runtime.cipher, org=slug, channel="telegram",
                                    provider_id=str(data["update_id"]), body=body.decode())
        if row_id is None:
            return web.json_response({"ok": True})  # a redelivery of an update we already hold
    channel.spawn(channel.process_recorded(slug, update, row_id))
    return web.json_response({"ok": True})


def setup_telegram_routes(app: web.Application) -> None:
    app.router.add_post("/telegram/{slug}/webhook", webhook)


async def set_webhook(settings: Settings, slug: str) -> str:
    """Register ``<public base>/telegram/<slug>/webhook`` with its secret; returns the URL."""
    if not settings.public_base_url:
        raise SettingsError("SILA_PUBLIC_BASE_URL: required to register a Telegram webhook")
    if not settings.telegram_secret:
        raise SettingsError("SILA_TELEGRAM_SECRET: required so Telegram's calls can be verified")
    bot = make_bot(settings, slug)
    if bot is None:
        raise SettingsError(f"{token_env_name(slug)}: no bot token for '{slug}'")
    url = settings.public_base_url.rstrip("/") + f"/telegram/{slug}/webhook"
    try:
        async with bot:
            await bot.set_webhook(url, secret_token=secret_for(settings, slug), allowed_updates=ALLOWED_UPDATES)
    except TelegramError as exc:
        raise SettingsError(f"{token_env_name(slug)}: Telegram refused setWebhook: {exc.message[:200]}") from None
    return url
