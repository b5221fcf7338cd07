"""``setup_console(app)``: the console's routes, middleware and the queue-count refresher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from channels.sockets import setup_open_sockets
from console import (
    admin_pages,
    auth,
    broadcasts,
    case_pages,
    knowledge,
    knowledge_edit,
    message_files,
    pages,
    privacy_page,
    search,
    service,
)
from console import web as cweb
from console.passwords import PasswordHashing
from console.ws import console_socket
from wiring.runtime import RUNTIME

HERE = Path(__file__).resolve().parent


def setup_console(app: web.Application) -> None:
    app.middlewares.append(cweb.console_headers)
    setup_open_sockets(app)  # live sockets closed (1001) when the server stops

    async def queue_counts(app: web.Application) -> AsyncIterator[None]:
        runtime = app[RUNTIME]
        if runtime.db is not None:
            runtime.background.append(asyncio.get_running_loop().create_task(service.refresh_loop(runtime)))
            runtime.background.append(asyncio.get_running_loop().create_task(auth.forget_loop(runtime.db)))
        yield

    async def password_pool(app: web.Application) -> AsyncIterator[None]:
        settings = app[RUNTIME].settings
        app[cweb.PASSWORDS] = pool = PasswordHashing(settings.login_hash_threads, settings.login_hash_queue)
        yield
        pool.close()

    app.cleanup_ctx.append(queue_counts)
    app.cleanup_ctx.append(password_pool)
    r = app.router
    r.add_get("/console", cweb.home)
    r.add_get("/console/", cweb.home)
    r.add_get("/console/login", cweb.login_page)
    r.add_post("/console/login", cweb.login_post)
    r.add_post("/console/logout", cweb.logout_post)
    r.add_get("/console/lang", cweb.set_lang)
    r.add_get("/console/queue", pages.queue_page)
    r.add_get("/console/queue/fragment", pages.queue_fragment)
    r.add_get("/console/c/{cid}", pages.conversation_page)
    r.add_get("/console/c/{cid}/transcript", pages.transcript_fragment)
    actions = "claim|assign|reply|note|labels|handback|close|reveal"
    r.add_post("/console/c/{cid}/{action:" + actions + "}", pages.conversation_action)
    r.add_get("/console/cases", case_pages.cases_page)
    r.add_get("/console/cases/{case_id}", case_pages.case_page)
    r.add_post("/console/cases/{case_id}/status", case_pages.case_status_post)
    r.add_post("/console/cases/{case_id}/reveal", case_pages.case_reveal_post)
    r.add_get("/console/cases/{case_id}/files/{field}", case_pages.case_file)
    r.add_get("/console/c/{cid}/files/{mid}/{n:[0-9]}", message_files.message_file)
    r.add_get("/console/report", pages.report_page)
    r.add_get("/console/report.csv", pages.report_csv)
    r.add_route("*", "/console/canned", pages.canned_page)
    r.add_route("*", "/console/staff", pages.staff_page)
    r.add_post("/console/staff/{staff_id}/toggle", pages.staff_toggle)
    admin_pages.setup_routes(app)
    search.setup_routes(app)
    r.add_route("*", "/console/account", pages.account_page)
    r.add_get("/console/audit", pages.audit_page)
    r.add_get("/console/privacy", privacy_page.privacy_page)
    r.add_post("/console/privacy/{action:export|erase}", privacy_page.privacy_action)
    r.add_get("/console/knowledge", knowledge.knowledge_page)
    r.add_get("/console/settings", knowledge.settings_page)
    knowledge_edit.setup_routes(app)
    broadcasts.setup_routes(app)
    r.add_get("/console/ws", console_socket)
    r.add_static("/console/static/", HERE / "static", name="console_static")
