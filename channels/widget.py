"""``GET /widget.js`` and who may frame the web chat.

An association adds the chat to its own site with one script tag (see ``static/widget.js``).
The chat page is framed only by Sila itself and by the sites the association lists in its pack
(``contact.widget_origins``, the same list that may open its chat socket) or that the deployment
allows for every association (``SILA_WIDGET_ORIGINS``), through CSP ``frame-ancestors``: a
look-alike site cannot wrap the chat and trick people into typing their ID number into it.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.packs import LoadedPack
from bot.settings import Settings, parse_origins

HERE = Path(__file__).resolve().parent
WIDGET = HERE / "static" / "widget.js"


def frame_ancestors(loaded: LoadedPack, settings: Settings) -> str:
    """The ``frame-ancestors`` source list for one association's chat page."""
    extra = parse_origins(settings.widget_origins, "SILA_WIDGET_ORIGINS") if settings.widget_origins else ()
    return " ".join(dict.fromkeys(["'self'", *loaded.pack.contact.widget_origins, *extra]))


async def widget_js(request: web.Request) -> web.Response:
    return web.Response(body=WIDGET.read_bytes(), content_type="application/javascript", charset="utf-8", headers={
        "Cache-Control": "public, max-age=300",
        "X-Content-Type-Options": "nosniff",
        # loaded by other sites' pages by design
        "Cross-Origin-Resource-Policy": "cross-origin",
    })


def setup_widget(app: web.Application) -> None:
    app.router.add_get("/widget.js", widget_js)
