"""Console plumbing: templates, security headers, the signed-in user, CSRF, login and logout.

Every page is rendered on the server by Jinja2 with autoescape; the little JavaScript there is
(``static/console.js``) only refreshes server-rendered fragments and keeps reply drafts, so
nothing a beneficiary wrote is ever put into the page as markup.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from aiohttp import web
from sqlalchemy import select

from bot.clock import RIYADH, aware
from bot.i18n import STAFF_TEXTS, tr
from channels.addresses import client_address
from console import auth
from console.auth import StaffUser
from console.passwords import PasswordHashing
from storage.cases import audit
from storage.models import AuditLog
from wiring.runtime import RUNTIME, Runtime

HERE = Path(__file__).resolve().parent
TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
COOKIE = "sila_staff"
LOGIN_CSRF = "sila_login_csrf"
LANG_COOKIE = "sila_console_lang"
USER_KEY = web.RequestKey("sila_staff_user", object)
#: the console's argon2 pool (``console.passwords``), opened and closed by ``setup_console``
PASSWORDS = web.AppKey("sila_passwords", PasswordHashing)
CSP = ("default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; "
       "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
ROLE_RANK = {"officer": 1, "coordinator": 2, "admin": 3}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def runtime_of(request: web.Request) -> Runtime:
    return request.app[RUNTIME]


def lang_of(request: web.Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "ar"


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return aware(value).astimezone(RIYADH).strftime(fmt)


TEMPLATES.filters["local"] = local_time


def _local_iso(value: str | None) -> str:
    """A stored ISO timestamp (hand-off requested_at …) in Riyadh time, as staff read it."""
    try:
        return local_time(datetime.fromisoformat(value)) if value else ""
    except ValueError:
        return ""


TEMPLATES.filters["local_iso"] = _local_iso


def render(request: web.Request, name: str, *, status: int = 200, **ctx: Any) -> web.Response:
    lang = lang_of(request)
    user = request.get(USER_KEY)
    msg = request.query.get("msg", "")
    html = TEMPLATES.get_template(name).render(
        lang=lang, dir="ltr" if lang == "en" else "rtl", _=lambda key: tr(key, lang), user=user,
        label=lambda group, code: tr(f"{group}.{code}", lang) if f"{group}.{code}" in _LABELS else code,
        org_label=lambda slug: (runtime_of(request).packs[slug].pack.short_name.get(lang)
                                if slug in runtime_of(request).packs else slug),
        week_label=lambda iso: _week_label(iso, lang),
        csrf=user.csrf if user else "", path=request.path_qs,
        flash=tr("msg." + msg, lang) if msg and ("msg." + msg) in _FLASH else "", **ctx,
    )
    return web.Response(text=html, status=status, content_type="text/html")


def _week_label(iso_week: str, lang: str) -> str:
    """"2026-W49" as a reader says it ("الأسبوع 49 · 2026"); anything else as it is."""
    year, sep, week = iso_week.partition("-W")
    if not sep or not (year.isdigit() and week.isdigit()):
        return iso_week
    return tr("week", lang).format(week=int(week), year=year)


def _flash_keys() -> set[str]:
    return {k for k in STAFF_TEXTS if k.startswith("msg.")}


_FLASH = _flash_keys()


def _label_keys() -> set[str]:
    return {k for k in STAFF_TEXTS if k.split(".", 1)[0] in {"reason", "channel", "case", "bstate", "audit", "actor"}}


_LABELS = _label_keys()


def passwords_of(request: web.Request) -> PasswordHashing:
    return request.app[PASSWORDS]


def client_ip(request: web.Request) -> str:
    """The client's real address (X-Forwarded-For believed from ``SILA_TRUSTED_PROXIES`` only)."""
    return client_address(request, runtime_of(request).settings.trusted_proxies)


def secure_cookies(request: web.Request) -> bool:
    return runtime_of(request).settings.public_base_url.startswith("https://")


def safe_next(value: str | None) -> str:
    """Only local console paths: never an open redirect."""
    if not value:
        return "/console/queue"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console") or value.startswith("//"):
        return "/console/queue"
    return value


def _login_redirect(request: web.Request) -> web.HTTPException:
    if request.method == "GET":
        target = request.path_qs
    else:
        ref = request.headers.get("Referer", "")
        target = urlsplit(ref).path if ref and urlsplit(ref).netloc == request.host else "/console/queue"
    return web.HTTPSeeOther(f"/console/login?msg=expired&next={quote(safe_next(target), safe='')}")


async def current_user(request: web.Request) -> StaffUser | None:
    if USER_KEY in request:
        return request[USER_KEY]  # type: ignore[return-value]
    runtime = runtime_of(request)
    user = None
    if runtime.db is not None:
        user = await auth.session_user(runtime.db, request.cookies.get(COOKIE, ""))
    request[USER_KEY] = user
    return user


async def need(request: web.Request, role: str = "officer") -> StaffUser:
    """The signed-in user with at least ``role``; for POST also a valid CSRF token."""
    user = await current_user(request)
    if user is None:
        raise _login_redirect(request)
    if ROLE_RANK.get(user.role, 0) < ROLE_RANK[role]:
        raise forbidden(request)
    if request.method == "POST":
        form = await request.post()
        token = form.get("csrf") or request.headers.get("X-CSRF-Token", "")
        if not isinstance(token, str) or not secrets.compare_digest(token, user.csrf):
            raise web.HTTPForbidden(text=tr("err.csrf", lang_of(request)))
    return user


def forbidden(request: web.Request) -> web.HTTPException:
    return web.HTTPForbidden(text=render(request, "error.html", code=403, status=403).text, content_type="text/html")


def not_found(request: web.Request) -> web.HTTPException:
    return web.HTTPNotFound(text=render(request, "error.html", code=404, status=404).text, content_type="text/html")


@web.middleware
async def console_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    resp = await handler(request)
    if request.path.startswith("/console") and not isinstance(resp, web.WebSocketResponse):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "same-origin"
        if not request.path.startswith("/console/static/"):
            resp.headers["Cache-Control"] = "no-store"
    return resp


async def login_page(request: web.Request) -> web.Response:
    if await current_user(request) is not None and "msg" not in request.query:
        raise web.HTTPFound(safe_next(request.query.get("next")))
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
    resp = render(request, "login.html", login_csrf=token, next=safe_next(request.query.get("next")), error="")
    resp.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="Strict", path="/console",
                    secure=secure_cookies(request))
    return resp


async def login_post(request: web.Request) -> web.Response:
    runtime = runtime_of(request)
    assert runtime.db is not None
    form = await request.post()
    token = form.get("csrf")
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not isinstance(token, str) or not cookie or not secrets.compare_digest(token, cookie):
        raise web.HTTPForbidden(text=tr("err.csrf", lang_of(request)))
    email = str(form.get("email", ""))[:1000]
    password = str(form.get("password", ""))[:1000]
    nxt = safe_next(str(form.get("next", "")))
    result = await auth.login(runtime.db, email, password, client_ip(request), passwords=passwords_of(request))
    if isinstance(result, auth.Refused):
        code = {"throttled": 429, "busy": 503}.get(result.reason, 401)
        resp = render(request, "login.html", status=code, login_csrf=cookie, next=nxt, error="err." + result.reason,
                      email=email[:254], retry_minutes=math.ceil(result.retry_after / 60))
        if result.retry_after:
            resp.headers["Retry-After"] = str(result.retry_after)
        return resp
    session_token, _staff_id = result
    resp = web.HTTPSeeOther(nxt)
    resp.set_cookie(COOKIE, session_token, httponly=True, samesite="Lax", path="/",
                    secure=secure_cookies(request), max_age=int(auth.ABSOLUTE.total_seconds()))
    resp.del_cookie(LOGIN_CSRF, path="/console")
    raise resp


async def logout_post(request: web.Request) -> web.Response:
    user = await need(request)
    runtime = runtime_of(request)
    assert runtime.db is not None
    await auth.logout(runtime.db, user)
    resp = web.HTTPSeeOther("/console/login")
    resp.del_cookie(COOKIE, path="/")
    raise resp


async def set_lang(request: web.Request) -> web.Response:
    lang = "en" if request.query.get("to") == "en" else "ar"
    resp = web.HTTPFound(safe_next(request.query.get("next")))
    resp.set_cookie(LANG_COOKIE, lang, samesite="Lax", path="/", max_age=365 * 86400,
                    secure=secure_cookies(request))
    raise resp


async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/queue")


def form_text(form: Any, name: str) -> str:
    """A posted form's field as text ('' when missing, or a file where text was expected)."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


async def audit_access(request: web.Request, user: StaffUser, action: str, org: str, target: str, *,
                       once_within: timedelta | None = None) -> None:
    """Record that a member of staff opened a page of one person's data (case or conversation).

    The detail pages are what hold personal data (names, transcript, answers, the diagnosis).
    ``once_within``: no new row if the same person's same access is already logged that recently
    — for the transcript's refresh poll, which would otherwise write a row every few seconds per
    open tab, yet must not be a way to read a transcript unlogged.
    """
    runtime = runtime_of(request)
    assert runtime.db is not None
    actor = f"staff:{user.id}"
    if once_within is not None:
        recent = select(AuditLog.id).where(
            AuditLog.at >= datetime.now(UTC) - once_within, AuditLog.actor == actor, AuditLog.action == action,
            AuditLog.target == target).limit(1)
        async with runtime.db.reader.connect() as conn:
            if (await conn.execute(recent)).first() is not None:
                return
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=actor, action=action, org=org, target=target)
