"""The embeddable widget in headless Chromium: one script tag on the association's own site.

A host page on ``http://localhost:9`` (served by the browser's router, a different origin from
the Sila server) adds ``/widget.js``; the launcher opens the chat in an iframe, the conversation
works and is still there after the host page reloads. The same tag on a site the association did
not list (``contact.widget_origins`` in its pack) gets no chat: ``frame-ancestors`` refuses the frame.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from bot.packs import default_orgs_dir
from tests.browser import DESKTOP, PHONE_390, SilaServer, launched_chromium, shot

pytestmark = pytest.mark.browser

HOST = "http://localhost:9"  # served by the browser router; local, so no private-network block
STRANGER = "http://127.0.0.2:9"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with its local-network-access checks off: here the "association's site" is a page
    the browser's router serves, and Sila listens on loopback; in production both are public."""
    with launched_chromium("--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests") as b:
        yield b


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[SilaServer]:
    root = tmp_path_factory.mktemp("widget")
    orgs = root / "orgs"
    shutil.copytree(default_orgs_dir(), orgs)
    pack = orgs / "amass" / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    assert "\n  widget_origins: []\n" in text, "the pack's contact.widget_origins setting"
    pack.write_text(text.replace("\n  widget_origins: []\n", f"\n  widget_origins: [\"{HOST}\"]\n", 1),
                    encoding="utf-8")
    with SilaServer(root / "data", env={"SILA_ORGS_DIR": str(orgs)}) as srv:
        yield srv


def host_page(browser: Any, server: SilaServer, origin: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="ar-SA")
    context.set_default_timeout(20_000)
    html = (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>الجمعية</title></head>'
            f'<body><h1>موقع الجمعية</h1><p>مرحباً بكم.</p>'
            f'<script src="{server.base_url}/widget.js" data-org="amass" defer></script></body></html>')
    context.route(f"{origin}/**", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(origin + "/")
    return page


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_one_script_tag_adds_a_launcher_and_the_chat(browser: Any, server: SilaServer, size: str) -> None:
    page = host_page(browser, server, HOST, PHONE_390 if size == "phone" else DESKTOP)
    launcher = page.wait_for_selector("#sila-launcher")
    assert launcher.get_attribute("aria-label") == "تحدث معنا"
    assert launcher.get_attribute("aria-expanded") == "false"
    shot(page, f"widget-launcher-{size}")
    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"
    chat = page.frame_locator("#sila-frame")
    chat.locator('#status[data-state="connected"]').wait_for()
    chat.locator("#input").fill("السلام عليكم")
    chat.locator("#input").press("Enter")
    chat.locator(".msg-bot .bubble", has_text="جمعية أمس").first.wait_for()
    box = page.locator("#sila-panel").bounding_box()
    viewport = page.viewport_size
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
    shot(page, f"widget-open-{size}")

    # the host page reloads: the panel comes back open, with the same conversation
    page.reload()
    page.wait_for_selector("#sila-panel", state="visible")
    chat = page.frame_locator("#sila-frame")
    chat.locator('#status[data-state="connected"]').wait_for()
    chat.locator(".msg-me .bubble", has_text="السلام عليكم").wait_for()
    page.click("#sila-close")
    assert page.is_hidden("#sila-panel")
    assert page.errors == []
    page.context.close()


def test_a_site_not_listed_cannot_frame_the_chat(browser: Any, server: SilaServer) -> None:
    page = host_page(browser, server, STRANGER, DESKTOP)
    page.click("#sila-launcher")
    page.wait_for_timeout(1500)
    # the frame is refused (Chromium shows its error page in it): no chat, no socket
    assert page.frame_locator("#sila-frame").locator("#status").count() == 0, \
        "the chat loaded inside a site the association did not list"
    page.context.close()


def test_frame_ancestors_per_association(server: SilaServer) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{server.base_url}/chat/amass") as r:
        assert f"frame-ancestors 'self' {HOST}" in r.headers["Content-Security-Policy"]
    with urllib.request.urlopen(f"{server.base_url}/chat/ratel") as r:
        assert r.headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    with urllib.request.urlopen(f"{server.base_url}/widget.js") as r:
        assert r.headers["Content-Type"].startswith("application/javascript")
        assert b"data-org" in r.read()
