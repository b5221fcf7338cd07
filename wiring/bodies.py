"""Malformed request bodies are the client's mistake: a 400, never a 500 with a traceback.

Why one middleware and not a try/except in each handler: the bodies are parsed in many places
(the login form, every console form through ``need``'s CSRF check, the Twilio webhooks), and
invalid UTF-8, an unknown charset, a truncated multipart body or a body of the wrong type each
raised from deep inside aiohttp — a 500, a traceback in the log for anyone to trigger, and an
alert for nothing. Here a POST's form is parsed once, up front (aiohttp keeps the result, so the
handler's own ``request.post()`` reads it back for free); a body that does not parse is refused
before any handler runs. Handlers that take JSON (the Telegram webhook) say so with ``json_body``
and get the same treatment for their content type; their own parsing already answers 400.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

log = logging.getLogger("sila.http")

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
JSON_TYPES = frozenset({"application/json"})
_BODY_KIND = "_sila_body_kind"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
H = TypeVar("H", bound=Callable[..., Any])


def json_body(handler: H) -> H:
    """Mark a POST handler as taking a JSON body (the default is a form)."""
    setattr(handler, _BODY_KIND, "json")
    return handler


def raw_body(handler: H) -> H:
    """Mark a POST handler as reading its own bytes (a file upload): any content type, no form
    parsing here; the handler caps and checks what it reads."""
    setattr(handler, _BODY_KIND, "raw")
    return handler


def _bad(request: web.Request, why: str) -> web.HTTPBadRequest:
    log.info("%s %s refused: %s", request.method, request.path[:120], why)
    return web.HTTPBadRequest(text=f"bad request: {why}")


@web.middleware
async def malformed_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method not in {"POST", "PUT", "PATCH"} or not request.body_exists:
        return await _decoded(request, handler)
    kind = getattr(request.match_info.handler, _BODY_KIND, "form")
    if kind == "raw":
        return await _decoded(request, handler)
    wanted = JSON_TYPES if kind == "json" else FORM_TYPES
    if request.content_type not in wanted:
        raise _bad(request, f"expected {' or '.join(sorted(wanted))}, got {request.content_type[:60]}")
    if kind == "form":
        try:
            await request.post()
        except web.HTTPException:
            raise  # 413 and the like: aiohttp's own answer stands
        except Exception as exc:  # anything a client's bytes can make the form parser raise
            raise _bad(request, f"unreadable form ({type(exc).__name__})") from None
    return await _decoded(request, handler)


async def _decoded(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Text a handler decodes itself (a JSON body, a query string) that is not valid UTF-8."""
    try:
        return await handler(request)
    except UnicodeDecodeError:
        raise _bad(request, "text is not valid UTF-8") from None
