"""WhatsApp and SMS through Twilio: signed webhooks in, the REST API (async) out.

Why the signature is checked against SILA_PUBLIC_BASE_URL + path rather than the URL the
request arrived on: behind a reverse proxy or tunnel the server sees ``http://10.0.0.5:8080``
while Twilio signed ``https://sila.example.org``. Without a public base URL nothing can be
verified, so every webhook is refused (fail closed).

Replies are not returned as TwiML: the engine stores them in the outbox and the delivery worker
sends them through ``client.messages.create_async`` (rate-limited, retried, reconciled). Each
send carries ``StatusCallback=<public>/twilio/<slug>/status?outbox=<id>``: the callbacks move
the message's delivery status forward, and tell a timed-out send its message SID.

SMS has no buttons (``render`` numbers them) and is billed per segment: texts are split on
sentence boundaries into parts of at most SILA_SMS_MAX_SEGMENTS segments (UCS-2 for Arabic:
70 characters, 67 per part of a long message).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from multidict import MultiDictProxy
from twilio.base.exceptions import TwilioRestException
from twilio.base.version import Version
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.records import OutboxItem, StoreUnavailable
from bot.render import SMS, WHATSAPP, Capabilities, Rendered, render, sms_segments, split_text
from bot.settings import parse_templates
from bot.types import Attachment, ConversationKey, InboundMessage, Reply
from channels.delivery import SendError, Template
from channels.media import MediaBlob, MediaRefused, accept, attachments_json, mask_phone
from channels.optout import after_turn
from storage.delivery_state import record_callback
from wiring.metrics import measure_turn
from wiring.runtime import RUNTIME, Runtime

log = logging.getLogger("sila.twilio")

TWILIO_API = "https://api.twilio.com"
MAX_WEBHOOK_BYTES = 64 * 1024
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
OUTBOX_ID = re.compile(r"^[0-9a-f]{20,32}$")
SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
#: hosts Twilio's media URLs may redirect to (its CDN); fetched without our credentials
MEDIA_REDIRECT_HOSTS = ("media.twiliocdn.com", "mms.twiliocdn.com")
RETRY_AFTER: ContextVar[str | None] = ContextVar("twilio_retry_after", default=None)
#: how far Twilio's clock (``date_created``, to the second) may be behind ours when reconciling
RECONCILE_CLOCK_SKEW = timedelta(minutes=2)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def basic_auth(login: str, password: str) -> str:
    """The Authorization header value (aiohttp's BasicAuth helper is deprecated)."""
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def rebase(url: str, base: str) -> str:
    """https://api.twilio.com/... → <base>/... when a base is configured (tests, local fakes)."""
    if base and url.startswith(TWILIO_API):
        return base.rstrip("/") + url[len(TWILIO_API):]
    return url


class RebasedAsyncHttpClient(AsyncTwilioHttpClient):
    """Twilio's async HTTP client, with three changes we need.

    1. ``base``: requests for https://api.twilio.com go to another base URL instead. Empty in
       production; tests point it at ``tests/fakes/twilio_api.py`` so the real library runs.
    2. The ``Retry-After`` header of each response is kept in a context variable (the library's
       exception does not carry headers), so a 429 is retried when Twilio says.
    3. The aiohttp session is created lazily inside the running loop and timeouts are passed as
       ``ClientTimeout`` — and requests are not logged (they contain phone numbers).
    """

    def __init__(self, base: str = "", timeout: float = 10.0) -> None:
        super().__init__(pool_connections=False, timeout=timeout)
        self.base = base.rstrip("/")
        self._own_session: ClientSession | None = None

    async def request(
        self, method: str, url: str, params: dict[str, object] | None = None, data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None, auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the library's signature
        allow_redirects: bool = False,
    ) -> Response:
        if self._own_session is None or self._own_session.closed:
            self._own_session = ClientSession()
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = basic_auth(*auth)
        async with self._own_session.request(
            method.upper(), rebase(url, self.base), params=cast(Any, params), data=data, headers=headers,
            timeout=ClientTimeout(total=timeout or self.timeout), allow_redirects=allow_redirects,
        ) as resp:
            text = await resp.text()
            RETRY_AFTER.set(resp.headers.get("Retry-After"))
            return Response(resp.status, text, dict(resp.headers))

    async def close(self) -> None:
        if self._own_session is not None:
            await self._own_session.close()


def sms_parts(text: str, max_segments: int) -> list[str]:
    """Split a long SMS on sentence boundaries into parts of at most ``max_segments`` segments."""
    encoding, count = sms_segments(text)
    if count <= max_segments:
        return [text]
    limit = (67 if encoding == "UCS-2" else 153) * max_segments
    while True:
        chunks = split_text(text, limit)
        if all(sms_segments(c)[1] <= max_segments for c in chunks) or limit < 40:
            return chunks
        limit = int(limit * 0.9)  # GSM extension characters count double: tighten and retry


def classify(exc: TwilioRestException) -> SendError:
    code = exc.code or 0
    detail = f"twilio {exc.status}/{code}"
    if exc.status == 429 or code == 20429:
        retry = RETRY_AFTER.get()
        return SendError(SendError.RATE_LIMITED, detail, float(retry) if retry and retry.isdigit() else None)
    if code == 21610:
        return SendError(SendError.OPTED_OUT, detail + " recipient unsubscribed")
    if code == 63016:
        return SendError(SendError.NEEDS_TEMPLATE, detail + " outside the WhatsApp window")
    if exc.status >= 500:
        return SendError(SendError.TRANSIENT, detail)
    return SendError(SendError.PERMANENT, detail)


class TwilioChannel:
    """Both Twilio channels of every association: webhooks, sends, reconciliation, media."""

    timeout_policy = "reconcile"

    def __init__(self, runtime: Runtime, on_turn: Callable[[], None] = lambda: None) -> None:
        self.runtime = runtime
        self.settings = s = runtime.settings
        self.on_turn = on_turn
        self.account_sid = s.twilio_account_sid
        self.templates = parse_templates(s.twilio_templates)
        self.validator = RequestValidator(s.twilio_auth_token) if s.twilio_auth_token else None
        self.http = RebasedAsyncHttpClient(s.twilio_api_base, timeout=s.send_timeout_ms / 1000)
        self.client = Client(s.twilio_account_sid, s.twilio_auth_token, http_client=self.http) \
            if s.twilio_account_sid and s.twilio_auth_token else None
        # plain text sends (every broadcast message) skip the library's per-call objects: the URL,
        # headers and credentials it would build are built once, here, with its own helpers
        self._create_url = ""
        self._create_headers: dict[str, str] = {}
        if self.client is not None:
            self._create_url = self.client.get_hostname(
                f"{TWILIO_API}/2010-04-01/Accounts/{s.twilio_account_sid}/Messages.json")
            self._create_headers = {**self.client.get_headers("POST", {
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}),
                "Authorization": basic_auth(s.twilio_account_sid, s.twilio_auth_token)}
        self.senders: dict[tuple[str, str], str] = {}
        for slug in runtime.packs:
            env_slug = slug.replace("-", "_")
            for channel in ("sms", "whatsapp"):
                sender = str(s.per_association.get(f"twilio_{channel}_from_{env_slug}", "") or "").strip()
                if sender:
                    self.senders[(slug, channel)] = sender.removeprefix("whatsapp:")

    async def close(self) -> None:
        await self.http.close()

    # -- inbound --------------------------------------------------------------------------
    def verify(self, request: web.Request, form: Mapping[str, Any]) -> bool:
        base = self.settings.public_base_url.rstrip("/")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not base or self.validator is None or not signature:
            return False
        return bool(self.validator.validate(base + request.rel_url.path_qs, form, signature))

    def media_allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme == "https" and parts.hostname == "api.twilio.com" and parts.port is None
                and parts.path.startswith(f"/2010-04-01/Accounts/{self.account_sid}/Messages/"))

    async def inbound(self, slug: str, channel: str, form: MultiDictProxy[Any]) -> None:
        sender = str(form.get("From", "")).removeprefix("whatsapp:")
        attachments = []
        for i in range(min(_int(form.get("NumMedia")), 10)):
            url = str(form.get(f"MediaUrl{i}", ""))
            if self.media_allowed(url):
                attachments.append(Attachment(url, str(form.get(f"MediaContentType{i}", "")) or None))
            else:
                log.warning("twilio %s/%s: media URL not on api.twilio.com refused", slug, channel)
        msg = InboundMessage(
            key=ConversationKey(slug, channel, sender), text=str(form.get("Body", ""))[:4096],
            provider_message_id=str(form["MessageSid"]), attachments=tuple(attachments),
            sender_name=str(form.get("ProfileName", ""))[:200] or None,
            meta=(("attachments", attachments_json(attachments)),) if attachments else (),
        )
        with measure_turn(channel) as timed:
            timed.outcome = outcome = await self.runtime.engine.handle(msg)
        if outcome.duplicate:
            return
        # the carrier delivered it from this number: it is verified, and joins the person's channels
        first = outcome.first_seq == 1
        await after_turn(self.runtime, msg, outcome, verified_phone=sender if first else None)
        if outcome.replies:
            self.on_turn()

    # -- outbound (the delivery worker's adapter) ----------------------------------------------
    def can_send(self, org: str, channel: str) -> bool:
        return self.client is not None and (org, channel) in self.senders

    def caps(self, channel: str) -> Capabilities:
        return SMS if channel == "sms" else WHATSAPP

    def parts(self, item: OutboxItem, reply: Reply) -> list[Rendered]:
        rendered = render(reply, self.caps(item.channel))
        if item.channel != "sms":
            return rendered
        return [Rendered(p) for r in rendered for p in sms_parts(r.text, self.settings.sms_max_segments)]

    def rate_limits(self, item: OutboxItem) -> list[tuple[str, float, int]]:
        rate = self.settings.twilio_rate_per_sender
        return [(f"tw:{self.senders.get((item.org, item.channel), item.org)}", float(rate), rate)]

    def needs_window(self, channel: str) -> bool:
        return channel == "whatsapp"

    def template_for(self, item: OutboxItem) -> Template | None:
        if item.channel != "whatsapp":
            return None
        kind = str(item.payload.get("template") or item.payload.get("kind") or "")
        spec = self.templates.get(item.org, {}).get(kind) or self.templates.get("*", {}).get(kind)
        if not spec:
            return None
        text = str(item.payload.get("text", ""))[:1000]
        variables = {str(k): str(v).replace("{text}", text) for k, v in (spec.get("variables") or {}).items()}
        variables.update({str(k): str(v) for k, v in (item.payload.get("template_vars") or {}).items()})
        return Template(str(spec["content_sid"]), variables)

    def _addresses(self, item: OutboxItem) -> tuple[str, str]:
        sender = self.senders[(item.org, item.channel)]
        if item.channel == "whatsapp":
            return f"whatsapp:{item.address}", f"whatsapp:{sender}"
        return item.address, sender

    async def send(self, item: OutboxItem, parts: list[Rendered], template: Template | None) -> str:
        assert self.client is not None
        to, from_ = self._addresses(item)
        base = self.settings.public_base_url.rstrip("/")
        extra: dict[str, Any] = {"status_callback": f"{base}/twilio/{item.org}/status?outbox={item.id}"} if base else {}
        sids: list[str] = []
        try:
            if template is not None:
                msg = await self.client.messages.create_async(
                    to=to, from_=from_, content_sid=template.content_sid,
                    content_variables=json.dumps(dict(template.variables), ensure_ascii=False), **extra)
                return str(msg.sid)
            for part in parts:
                if not part.media_url:
                    sids.append(await self._create_text(to, from_, part.text, extra.get("status_callback")))
                    continue
                msg = await self.client.messages.create_async(to=to, from_=from_, body=part.text,
                                                              media_url=[part.media_url], **extra)
                sids.append(str(msg.sid))
        # each error notes the parts Twilio accepted before it, so the worker never sends them twice
        except TwilioRestException as exc:
            raise classify(exc).after(sids) from None
        except TimeoutError:
            raise SendError(SendError.TIMEOUT, "twilio timed out", sent_ids=sids) from None
        except ClientError as exc:
            # refused connections never reached Twilio; anything later may have been accepted
            kind = SendError.TRANSIENT if "Connect" in type(exc).__name__ else SendError.TIMEOUT
            raise SendError(kind, f"twilio {type(exc).__name__}", sent_ids=sids) from None
        return sids[-1]

    async def _create_text(self, to: str, from_: str, body: str, status_callback: str | None) -> str:
        """``messages.create_async(to=, from_=, body=, status_callback=)`` with only the SID parsed
        from the answer (no MessageInstance); errors are the library's own exceptions."""
        data: dict[str, object] = {"To": to, "From": from_, "Body": body}
        if status_callback:
            data["StatusCallback"] = status_callback
        response = await self.http.request("POST", self._create_url, data=data, headers=self._create_headers)
        if response.status_code < 200 or response.status_code >= 300:
            raise Version.exception("POST", self._create_url, response, "Unable to create record")
        return str(json.loads(response.text)["sid"])

    async def reconcile(self, item: OutboxItem, parts: list[Rendered], *, since: datetime | None = None) -> str | None:
        """Did a timed-out send arrive? Look for the same text to the same person, sent after the
        row existed (``since``, less Twilio's clock skew) and at most an hour ago."""
        if self.client is None or not parts:
            return None
        to, from_ = self._addresses(item)
        bodies = {p.text for p in parts}
        earliest = datetime.now(UTC) - timedelta(hours=1)
        if since is not None:
            earliest = max(earliest, since - RECONCILE_CLOCK_SKEW)
        try:
            recent = await self.client.messages.list_async(to=to, from_=from_, limit=50)
        except (TwilioRestException, TimeoutError, ClientError) as exc:
            raise SendError(SendError.TRANSIENT, f"reconcile: {type(exc).__name__}") from None
        for m in recent:
            if m.body in bodies and (m.date_created is None or m.date_created >= earliest):
                return str(m.sid)
        return None

    # -- media ----------------------------------------------------------------------------
    async def fetch_attachment(self, org: str, attachment: Attachment) -> MediaBlob:
        """Download a MediaUrl: only from api.twilio.com (checked before any request), with our
        credentials; a redirect is followed once, without credentials, only to Twilio's CDN."""
        if not self.media_allowed(attachment.url) or self.client is None:
            raise MediaRefused("media URL is not on api.twilio.com for this account")
        cap = self.settings.media_max_bytes
        auth = {"Authorization": basic_auth(self.account_sid, self.settings.twilio_auth_token)}
        timeout = ClientTimeout(total=self.settings.send_timeout_ms / 1000 * 3)
        async with ClientSession(timeout=timeout) as session:
            url: str = rebase(attachment.url, self.settings.twilio_api_base)
            for hop in range(2):
                async with session.get(url, headers=auth if hop == 0 else None, allow_redirects=False) as resp:
                    if resp.status in (301, 302, 303, 307, 308) and hop == 0:
                        url = resp.headers.get("Location", "")
                        target = urlsplit(url)
                        if target.scheme != "https" or target.hostname not in MEDIA_REDIRECT_HOSTS:
                            raise MediaRefused("media redirect to a host that is not Twilio's")
                        continue
                    if resp.status != 200:
                        raise MediaRefused(f"media fetch answered {resp.status}")
                    if (resp.content_length or 0) > cap:
                        raise MediaRefused(f"attachment larger than {cap} bytes")
                    data = await resp.content.read(cap + 1)
                    return accept(data, cap, attachment.content_type, attachment.filename)
        raise MediaRefused("too many redirects")


def _int(value: Any) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0


TWILIO_CHANNEL = web.AppKey("twilio_channel", TwilioChannel)


async def _checked_form(request: web.Request) -> tuple[TwilioChannel, str, MultiDictProxy[Any]]:

    slug = request.match_info["slug"]
    if slug not in request.app[RUNTIME].packs:
        log.info("twilio webhook: unknown association '%s'", slug[:40])
        raise web.HTTPNotFound(text="unknown association")
    if (request.content_length or 0) > MAX_WEBHOOK_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_WEBHOOK_BYTES, actual_size=request.content_length or 0)
    body = await request.read()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_WEBHOOK_BYTES, actual_size=len(body))
    form = await request.post() if request.content_type == "application/x-www-form-urlencoded" else None
    channel = request.app[TWILIO_CHANNEL]
    if form is None or not channel.verify(request, form):
        log.warning("twilio webhook for %s: missing or invalid signature", slug)
        raise web.HTTPForbidden(text="forbidden")
    return channel, slug, form


async def inbound_webhook(request: web.Request) -> web.Response:
    channel, slug, form = await _checked_form(request)
    kind = "whatsapp" if request.path.endswith("/whatsapp") else "sms"
    sender = str(form.get("From", "")).removeprefix("whatsapp:")
    if not SID.match(str(form.get("MessageSid", ""))) or not E164.match(sender):
        log.info("twilio %s webhook for %s: MessageSid or From missing/invalid (%s)", kind, slug, mask_phone(sender))
        raise web.HTTPBadRequest(text="MessageSid and From are required")
    try:
        await channel.inbound(slug, kind, form)
    except StoreUnavailable:
        raise web.HTTPServiceUnavailable(text="try again") from None
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


async def status_webhook(request: web.Request) -> web.Response:

    _channel, slug, form = await _checked_form(request)
    sid, status = str(form.get("MessageSid", "")), str(form.get("MessageStatus", "")).lower()
    if not SID.match(sid) or not status:
        raise web.HTTPBadRequest(text="MessageSid and MessageStatus are required")
    db = request.app[RUNTIME].db
    if db is not None:
        kind = "whatsapp" if str(form.get("From", "")).startswith("whatsapp:") else "sms"
        outbox = request.query.get("outbox", "")
        await record_callback(db, slug, kind, sid, status, outbox_id=outbox if OUTBOX_ID.match(outbox) else None,
                              error_code=str(form.get("ErrorCode", ""))[:16] or None)
    return web.Response(status=200)


def setup_twilio_routes(app: web.Application) -> None:
    app.router.add_post("/twilio/{slug}/sms", inbound_webhook)
    app.router.add_post("/twilio/{slug}/whatsapp", inbound_webhook)
    app.router.add_post("/twilio/{slug}/status", status_webhook)
