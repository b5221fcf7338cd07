"""A fake Twilio REST API on 127.0.0.1 that the real ``twilio`` library talks to.

The library always calls https://api.twilio.com; ``channels.twilio_sms.RebasedAsyncHttpClient``
sends those requests here instead when SILA_TWILIO_API_BASE=fake.url. The fake checks basic
auth, creates messages from ``Body`` or ``ContentSid``, lists them (newest first, filtered by
To/From), serves media, records every send per recipient, and can be told to fail the next
sends: 20429 (HTTP 429 + Retry-After), 63016, 21610, 5xx, or a slow answer after the message
was created (the case a client timeout cannot tell apart from a lost request). It can also post
signed status callbacks to the StatusCallback URL a message was created with.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"

ERRORS = {
    "20429": (429, "Too Many Requests"),
    "63016": (400, "Failed to send freeform message because you are outside the allowed window."),
    "21610": (400, "Attempt to send to unsubscribed recipient"),
    "21211": (400, "The 'To' number is not a valid phone number."),
    "500": (500, "Internal Server Error"),
    "503": (503, "Service Unavailable"),
}


@dataclass
class Failure:
    #: a key of ERRORS; "slow" (message created, answer delayed); "lost" (answer delayed, nothing created)
    code: str
    to: str | None = None
    retry_after: int | None = 1
    delay: float = 2.0
    #: matching requests to answer normally first (fail the second part of a reply: after=1)
    after: int = 0


@dataclass
class FakeTwilio:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    messages: list[dict[str, Any]] = field(default_factory=list)
    sent: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    failures: list[Failure] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    #: a known provider limit: messages/s per sender (0: none); beyond it the answer is 429
    rate_limit: float = 0.0
    rate_burst: float = 0.0
    #: how many requests the known limit refused (429)
    limited: int = 0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    def fail(self, code: str, times: int = 1, **kw: Any) -> None:
        self.failures.extend(Failure(code, **kw) for _ in range(times))

    def bodies(self, to: str) -> list[str]:
        return [m["body"] for m in self.sent[to]]

    def media_url(self, media_sid: str = "ME" + "2" * 32) -> str:
        """The URL Twilio would put in MediaUrl0 (on api.twilio.com, as the real one is)."""
        return (f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Messages/"
                f"MM{'3' * 32}/Media/{media_sid}")

    async def start(self) -> FakeTwilio:
        app = web.Application()
        base = "/2010-04-01/Accounts/{sid}"
        app.router.add_post(base + "/Messages.json", self._create)
        app.router.add_get(base + "/Messages.json", self._list)
        app.router.add_get(base + "/Messages/{msid}/Media/{media}", self._media)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorised(self, request: web.Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization", "") == expected and request.match_info["sid"] == self.account_sid

    def _error(self, code: str, failure: Failure | None = None) -> web.Response:
        status, message = ERRORS[code]
        headers = {}
        if code == "20429" and failure is not None and failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        body = {"code": int(code), "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status}
        return web.json_response(body, status=status, headers=headers)

    async def _create(self, request: web.Request) -> web.Response:
        self.requests.append(("POST", request.path))
        if not self._authorised(request):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        form = await request.post()
        to, from_ = str(form.get("To", "")), str(form.get("From", ""))
        if not to or not from_ or not (form.get("Body") or form.get("ContentSid") or form.get("MediaUrl")):
            return web.json_response({"code": 21602, "message": "Message body is required.", "status": 400},
                                     status=400)
        if self.rate_limit and not self._take(from_):
            self.limited += 1
            return self._error("20429", Failure("20429", retry_after=1))
        failure = next((f for f in self.failures if f.to in (None, to)), None)
        if failure is not None and failure.after > 0:
            failure.after -= 1
            failure = None
        if failure is not None:
            self.failures.remove(failure)
            if failure.code == "lost":
                await asyncio.sleep(failure.delay)
                return self._error("500", failure)
            if failure.code != "slow":
                return self._error(failure.code, failure)
        body = str(form.get("Body") or "")
        if form.get("ContentSid"):
            body = f"[template {form['ContentSid']}] {form.get('ContentVariables', '')}"
        msg = self.add_message(to, from_, body, content_sid=form.get("ContentSid"),
                               status_callback=str(form.get("StatusCallback") or ""))
        if failure is not None:  # slow: created, but the client gives up before the answer
            await asyncio.sleep(failure.delay)
        return web.json_response({k: v for k, v in msg.items() if not k.startswith("_")}, status=201)

    def add_message(self, to: str, from_: str, body: str, *, content_sid: Any = None, status_callback: str = "",
                    seconds_ago: float = 0.0) -> dict[str, Any]:
        """Record a message as created (by a send, or by a test: one sent ``seconds_ago``)."""
        n = next(self._seq)
        created = formatdate(time.time() - seconds_ago, usegmt=True)
        msg = {
            "sid": f"SM{n:032x}", "account_sid": self.account_sid, "to": to, "from": from_, "body": body,
            "status": "queued", "direction": "outbound-api", "num_segments": "1", "num_media": "0",
            "date_created": created, "date_updated": created, "date_sent": None, "error_code": None,
            "error_message": None, "price": None, "price_unit": "USD", "api_version": "2010-04-01",
            "messaging_service_sid": None, "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/SM{n:032x}.json",
            "subresource_uris": {}, "content_sid": content_sid, "_status_callback": status_callback,
        }
        self.messages.append(msg)
        self.sent[to].append(msg)
        return msg

    def _take(self, sender: str) -> bool:
        burst = self.rate_burst or self.rate_limit
        now = time.monotonic()
        tokens, stamp = self._buckets.get(sender, (burst, now))
        tokens = min(burst, tokens + (now - stamp) * self.rate_limit)
        ok = tokens >= 1.0
        self._buckets[sender] = (tokens - 1.0 if ok else tokens, now)
        return ok

    async def _list(self, request: web.Request) -> web.Response:
        self.requests.append(("GET", request.path))
        if not self._authorised(request):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        to, from_ = request.query.get("To"), request.query.get("From")
        rows = [m for m in reversed(self.messages) if (not to or m["to"] == to) and (not from_ or m["from"] == from_)]
        size = int(request.query.get("PageSize", "50"))
        return web.json_response({
            "messages": [{k: v for k, v in m.items() if not k.startswith("_")} for m in rows[:size]],
            "end": min(size, len(rows)) - 1, "first_page_uri": request.path_qs, "next_page_uri": None,
            "page": 0, "page_size": size, "previous_page_uri": None, "start": 0, "uri": request.path_qs,
        })

    async def _media(self, request: web.Request) -> web.Response:
        self.requests.append(("GET", request.path))
        if not self._authorised(request):
            return web.Response(status=401)
        data = self.media.get(request.match_info["media"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def post_status(self, sid: str, status: str, *, url: str | None = None,
                          error_code: str | None = None) -> int:
        """Post a signed status callback as Twilio would; returns our server's HTTP status."""
        msg = next(m for m in self.messages if m["sid"] == sid)
        target = url or msg["_status_callback"]
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": self.account_sid, "MessageStatus": status,
                  "SmsStatus": status, "To": msg["to"], "From": msg["from"], "ApiVersion": "2010-04-01"}
        if error_code:
            params["ErrorCode"] = error_code
        return await signed_post(target, params, self.auth_token)


def signature(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


async def signed_post(url: str, params: dict[str, str], token: str = AUTH_TOKEN, *,
                      sign_url: str | None = None, sig: str | None = None) -> int:
    """POST a form to our server the way Twilio does, signed over ``sign_url`` (default: url)."""
    headers = {"X-Twilio-Signature": sig if sig is not None else signature(sign_url or url, params, token)}
    async with aiohttp.ClientSession() as session, session.post(url, data=params, headers=headers) as resp:
        await resp.read()
        return resp.status


def inbound_params(sender: str, body: str, *, whatsapp: bool = False, sid: str | None = None,
                   to: str = "+966110000000", **extra: str) -> dict[str, str]:
    prefix = "whatsapp:" if whatsapp else ""
    message_sid = sid or "SM" + os.urandom(16).hex()
    params = {"MessageSid": message_sid, "SmsMessageSid": message_sid, "AccountSid": ACCOUNT_SID,
              "From": prefix + sender, "To": prefix + to, "Body": body, "NumMedia": "0", "NumSegments": "1",
              "ApiVersion": "2010-04-01"}
    if whatsapp:
        params["ProfileName"] = "سارة"
        params["WaId"] = sender.lstrip("+")
    params.update(extra)
    return params
