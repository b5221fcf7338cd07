"""Who may open a web chat socket: an Origin allow-list and a cap on sockets per client address.

Why an Origin check: a browser lets any site open a WebSocket to any host and sends the visitor's
cookies along; without the check another site could run conversations in an association's name
from its visitors' browsers. Allowed: the page's own origin (``SILA_PUBLIC_BASE_URL``, or the Host
the request came to), each association's ``contact.widget_origins`` (the sites that embed its
chat) and ``SILA_WIDGET_ORIGINS`` for the whole deployment. A request without an Origin header is
not a browser page (those always send one on a WebSocket handshake); such a client could forge
any header anyway, and it is held by the socket cap and the rate limits instead.

Why a cap per address: each socket gets its own rate budget and conversation, so one client
opening thousands of sockets would multiply both. The count is per worker process; with several
workers behind a balancer the effective cap is that many times larger, still bounded.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiohttp import web

from bot.packs import LoadedPack
from bot.settings import Settings, parse_origins

log = logging.getLogger("sila.webchat")


class SocketCounter:
    """Open sockets per client address in this process."""

    def __init__(self) -> None:
        self.open: dict[str, int] = {}

    def acquire(self, address: str, cap: int) -> bool:
        count = self.open.get(address, 0)
        if count >= cap:
            return False
        self.open[address] = count + 1
        return True

    def release(self, address: str) -> None:
        count = self.open.get(address, 0) - 1
        if count > 0:
            self.open[address] = count
        else:
            self.open.pop(address, None)


#: the open-socket counts of this process's web chat
SOCKETS = web.AppKey("sila_webchat_sockets", SocketCounter)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def origin_allowed(request: web.Request, settings: Settings, pack: LoadedPack) -> bool:
    """True when the handshake's Origin is absent, our own, or one the deployment/association lists."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    if origin == "null" or not origin:
        return False  # sandboxed frames, file:// pages: nobody we can vouch for
    own = {_origin_of(settings.public_base_url)} - {""}
    if urlsplit(origin).netloc == request.host.lower():
        return True
    allowed = own | set(pack.pack.contact.widget_origins) | set(parse_origins(settings.widget_origins,
                                                                                "SILA_WIDGET_ORIGINS"))
    return origin in allowed


def refuse(request: web.Request, status: type[web.HTTPException], why: str, address: str) -> web.HTTPException:
    """The handshake's refusal, with one log line saying why (no personal data: address and origin)."""
    log.info("web chat socket refused (%s): address %s, origin %s", why, address,
             (request.headers.get("Origin") or "-")[:200])
    return status(text=why)
