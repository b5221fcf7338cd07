"""A fake Telegram Bot API on 127.0.0.1 that the real python-telegram-bot talks to.

Point a bot at it with ``Bot(token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")``
(or SILA_TELEGRAM_API_BASE=fake.url). It speaks the Bot API's envelope (``{"ok": true,
"result": …}`` / ``{"ok": false, "error_code": …, "description": …, "parameters": …}``),
accepts form-encoded or JSON parameters like the real server, records every call, and can be
told to fail the next calls of a method: 429 with ``parameters.retry_after``, 403 "bot was
blocked by the user", 400, 5xx, or a slow answer (timeout) after the message was recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 7000001


@dataclass
class Failure:
    method: str
    kind: str  # "429" | "403" | "400" | "500" | "slow"
    retry_after: int = 1
    chat_id: int | None = None
    delay: float = 2.0
    #: matching calls to answer normally first (fail the second part of a reply: after=1)
    after: int = 0


@dataclass
class FakeTelegram:
    tokens: set[str] = field(default_factory=set)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))
    _runner: web.AppRunner | None = None
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _closing: bool = False

    # -- programming ------------------------------------------------------------------------
    def fail(self, method: str, kind: str, times: int = 1, **kw: Any) -> None:
        self.failures.extend(Failure(method, kind, **kw) for _ in range(times))

    def push_update(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_update.set()

    def texts(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.sent[chat_id]]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [p for m, p in self.calls if m == method]

    # -- server ---------------------------------------------------------------------------
    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        self._closing = True
        self._new_update.set()  # end long polls now instead of at their timeout
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        out: dict[str, Any] = {}
        for k, v in (await request.post()).items():
            if isinstance(v, str):
                try:
                    out[k] = json.loads(v) if v[:1] in "[{" or v.lstrip("-").isdigit() or v in ("true", "false") else v
                except ValueError:
                    out[k] = v
        out.update({k: v for k, v in request.query.items()})
        return out

    def _error(self, code: int, description: str, **parameters: Any) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    async def _api(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if token not in self.tokens:
            return self._error(401, "Unauthorized")
        params = await self._params(request)
        self.calls.append((method, params))
        failure = self._take_failure(method, params)
        if failure is not None and failure.kind != "slow":
            if failure.kind == "429":
                return self._error(429, f"Too Many Requests: retry after {failure.retry_after}",
                                   retry_after=failure.retry_after)
            if failure.kind == "403":
                return self._error(403, "Forbidden: bot was blocked by the user")
            if failure.kind == "400":
                return self._error(400, "Bad Request: chat not found")
            return self._error(int(failure.kind), "Internal Server Error")
        handler = getattr(self, "m_" + method, None)
        if handler is None:
            return self._error(404, "Not Found")
        result = await handler(token, params)
        if failure is not None:  # "slow": the call took effect, the answer comes too late
            await asyncio.sleep(failure.delay)
        return web.json_response({"ok": True, "result": result})

    def _take_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        for i, f in enumerate(self.failures):
            if f.method == method and (f.chat_id is None or f.chat_id == int(params.get("chat_id", 0))):
                if f.after > 0:
                    f.after -= 1
                    return None
                return self.failures.pop(i)
        return None

    # -- methods --------------------------------------------------------------------------
    async def m_getMe(self, token: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Sila", "username": "sila_test_bot",
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def m_setWebhook(self, token: str, p: dict[str, Any]) -> bool:
        self.webhooks[token] = p
        return True

    async def m_deleteWebhook(self, token: str, p: dict[str, Any]) -> bool:
        self.webhooks.pop(token, None)
        return True

    async def m_getUpdates(self, token: str, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while True:
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if pending or time.monotonic() >= deadline or self._closing:
                return pending
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                pass

    def _message(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        msg = {"message_id": next(self._ids), "date": int(time.time()),
               "chat": {"id": chat_id, "type": "private"},
               "from": {"id": BOT_ID, "is_bot": True, "first_name": "Sila"}, **fields}
        self.sent[chat_id].append(msg)
        if "inline_keyboard" not in (msg.get("reply_markup") or {"inline_keyboard": 1}):
            # a sent Message carries only inline keyboards; reply keyboards stay on the client
            msg = {k: v for k, v in msg.items() if k != "reply_markup"}
        return msg

    async def m_sendMessage(self, token: str, p: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {"text": str(p["text"])}
        if p.get("reply_markup"):
            fields["reply_markup"] = p["reply_markup"]
        return self._message(int(p["chat_id"]), **fields)

    async def m_sendDocument(self, token: str, p: dict[str, Any]) -> dict[str, Any]:
        return self._message(int(p["chat_id"]), caption=str(p.get("caption") or ""),
                             document={"file_id": "doc1", "file_unique_id": "u1"})

    async def m_answerCallbackQuery(self, token: str, p: dict[str, Any]) -> bool:
        return True

    async def m_editMessageReplyMarkup(self, token: str, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        return {"message_id": int(p["message_id"]), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"}, "text": "edited"}

    async def m_getFile(self, token: str, p: dict[str, Any]) -> dict[str, Any]:
        file_id = str(p["file_id"])
        if file_id not in self.files:
            raise web.HTTPBadRequest(text=json.dumps({"ok": False, "error_code": 400,
                                                      "description": "Bad Request: invalid file_id"}),
                                     content_type="application/json")
        return {"file_id": file_id, "file_unique_id": "u" + file_id, "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}.bin"}

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] not in self.tokens:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1].removesuffix(".bin")
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])


# -- updates as Telegram sends them ------------------------------------------------------------
_update_ids = itertools.count(500_000)


def user(chat_id: int, name: str = "سارة") -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": name, "language_code": "ar"}


def text_update(chat_id: int, text: str, update_id: int | None = None, **extra: Any) -> dict[str, Any]:
    uid = next(_update_ids) if update_id is None else update_id
    return {"update_id": uid, "message": {
        "message_id": uid % 100_000, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
        "from": user(chat_id), "text": text, **extra}}


def contact_update(chat_id: int, phone: str, *, own: bool = True) -> dict[str, Any]:
    uid = next(_update_ids)
    return {"update_id": uid, "message": {
        "message_id": uid % 100_000, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
        "from": user(chat_id), "contact": {"phone_number": phone, "first_name": "سارة",
                                           "user_id": chat_id if own else chat_id + 1}}}


def document_update(chat_id: int, file_id: str, mime: str, size: int) -> dict[str, Any]:
    uid = next(_update_ids)
    return {"update_id": uid, "message": {
        "message_id": uid % 100_000, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
        "from": user(chat_id), "caption": "مرفق", "document": {
            "file_id": file_id, "file_unique_id": "u" + file_id, "mime_type": mime, "file_size": size,
            "file_name": "report.pdf"}}}


def callback_update(chat_id: int, data: str, message_id: int, update_id: int | None = None) -> dict[str, Any]:
    uid = next(_update_ids) if update_id is None else update_id
    return {"update_id": uid, "callback_query": {
        "id": f"cq{uid}", "from": user(chat_id), "chat_instance": "ci1", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Sila"}, "text": "menu"}}}
