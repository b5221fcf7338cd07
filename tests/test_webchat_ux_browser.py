"""The web chat as a beneficiary lives it, in headless Chromium at phone (390×844) and desktop size.

Live replies that stay in view (or a "new messages" marker when the reader scrolled up), old
buttons retired once the conversation moves on, the officer's own name on their messages, an
author for every message and the typing indicator for screen readers, and timestamps readable
at WCAG AA contrast. Screenshots go to ``var/screenshots/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import DESKTOP, PHONE_390, SilaServer, contrast, shot

pytestmark = pytest.mark.browser

TIMEOUT = 20_000
SIZES = {"phone": PHONE_390, "desktop": DESKTOP}
LONG = "\n".join(f"سطر {i}: نص طويل من الموظف يشرح الإجراء خطوة بخطوة." for i in range(12))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[SilaServer]:
    with SilaServer(tmp_path_factory.mktemp("webchat-ux")) as srv:
        yield srv


def new_page(browser: Any, size: str) -> Any:
    mobile = size == "phone"
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=2 if mobile else 1,
                                  is_mobile=mobile, has_touch=mobile, locale="ar-SA")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def frame(**kw: Any) -> str:
    return json.dumps(kw, ensure_ascii=False)


WELCOME = frame(type="welcome", visitor="b" * 32, lang="ar", status="human", max_chars=4096)


def officer_reply(seq: int, text: str = LONG, name: str = "نورة") -> str:
    return frame(type="reply", text=text, buttons=[], expect=None, kind="human", seq=seq, id=f"m{seq}",
                 author="officer", author_name=name, at="2025-01-05T09:00:00Z")


def in_view(page: Any, selector: str) -> bool:
    """Is the element's bottom edge inside the scrolling thread's visible area?"""
    return bool(page.evaluate(
        """(sel) => { const e = document.querySelector(sel); const t = document.getElementById('thread');
             if (!e) return false; const r = e.getBoundingClientRect(), v = t.getBoundingClientRect();
             return r.bottom <= v.bottom + 1 && r.bottom > v.top; }""", selector))


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_live_replies_stay_in_view_or_a_marker_says_so(browser: Any, server: SilaServer, size: str) -> None:
    sockets: list[Any] = []

    def handler(ws: Any) -> None:
        sockets.append(ws)
        ws.send(WELCOME)
        ws.send(frame(type="history", messages=[
            {"seq": 1, "id": "m1", "direction": "out", "author": "bot", "text": "أهلاً بك", "at": "2025-01-05T09:00:00Z"},
        ]))

    page = new_page(browser, size)
    page.route_web_socket(re.compile(r"/chat/amass/ws"), handler)
    page.goto(f"{server.base_url}/chat/amass")
    page.wait_for_selector('#status[data-state="connected"]')
    page.wait_for_selector(".msg[data-seq='1']")

    # an officer sends three long messages while the reader is at the bottom: each one shows
    for seq in (2, 3, 4):
        sockets[0].send(officer_reply(seq))
        page.wait_for_selector(f".msg[data-seq='{seq}']")
        page.wait_for_timeout(50)
        assert in_view(page, f".msg[data-seq='{seq}']"), f"reply {seq} landed below the screen"
    assert page.is_hidden("#newer")
    shot(page, f"webchat-live-replies-{size}")

    # the reader scrolls up to re-read; a new reply does not yank them down, a marker appears
    page.evaluate("() => { const t = document.getElementById('thread'); t.scrollTop = 0; }")
    page.wait_for_timeout(100)
    sockets[0].send(officer_reply(5, "رسالة جديدة"))
    page.wait_for_selector(".msg[data-seq='5']")
    page.wait_for_selector("#newer:not([hidden])")
    assert page.text_content("#newer-text") == "رسائل جديدة"
    assert not in_view(page, ".msg[data-seq='5']")
    assert page.evaluate("() => document.getElementById('thread').scrollTop") == 0
    shot(page, f"webchat-new-messages-marker-{size}")
    page.click("#newer")
    page.wait_for_selector("#newer", state="hidden")
    page.wait_for_timeout(50)
    assert in_view(page, ".msg[data-seq='5']")
    # the officer's own name, not a generic "the officer"
    assert page.locator(".msg-officer .who").first.text_content() == "نورة"
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_old_buttons_retire_once_the_conversation_moves_on(browser: Any, server: SilaServer, size: str) -> None:
    page = new_page(browser, size)
    page.goto(f"{server.base_url}/chat/amass")
    page.wait_for_selector('#status[data-state="connected"]')
    page.fill("#input", "السلام عليكم")
    page.press("#input", "Enter")
    menu = page.locator(".quick:not([hidden]) .qr[data-value='flow:support_request']")
    menu.wait_for()
    menu_item = page.locator(".msg:has(.qr[data-value='flow:volunteer'])").first
    menu.click()
    # the first question of the form arrives; the menu under the greeting is gone and inert
    page.wait_for_function("() => document.querySelectorAll('.msg-bot').length >= 3 && "
                           "document.getElementById('typing').hidden")
    page.wait_for_timeout(200)
    assert menu_item.locator(".quick").is_hidden(), "the main menu stays under the form's question"
    assert menu_item.locator(".qr:not([disabled])").count() == 0, "old buttons stay pressable"
    assert page.locator(".quick:not([hidden]) .qr[data-value^='flow:']").count() == 0
    shot(page, f"webchat-form-question-{size}")
    # typing an answer keeps working, and the page shows no error
    assert page.locator(".notice-error").count() == 0
    assert page.errors == []
    page.context.close()


def test_authors_typing_and_timestamps_for_every_reader(browser: Any, server: SilaServer) -> None:
    def handler(ws: Any) -> None:
        ws.send(WELCOME)
        ws.send(frame(type="history", messages=[
            {"seq": 1, "id": "m1", "direction": "out", "author": "bot", "text": "أهلاً بك", "at": "2025-01-05T09:00:00Z"},
            {"seq": 2, "id": "m2", "direction": "out", "author": "system", "text": "انتهت المحادثة، شكراً لك.",
             "at": "2025-01-05T09:01:00Z"},
        ]))
        # no reply: the assistant stays "typing" after the person writes

    page = new_page(browser, "phone")
    page.route_web_socket(re.compile(r"/chat/amass/ws"), handler)
    page.goto(f"{server.base_url}/chat/amass")
    page.wait_for_selector(".msg[data-seq='2']")
    # a closing note by the system reads as the assistant's, not an officer's
    assert page.locator(".msg[data-seq='2']").get_attribute("class").split() == ["msg", "msg-bot"]
    # every message names its author for a screen reader
    assert page.locator(".msg[data-seq='1'] .who").text_content() == "صلة"
    # timestamps meet WCAG AA (4.5:1) against what is behind them
    fg, bg = page.evaluate("""() => {
        const time = document.querySelector('.msg[data-seq="1"] .meta time');
        let e = time, bg = 'rgba(0, 0, 0, 0)';
        while (e && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) { bg = getComputedStyle(e).backgroundColor; e = e.parentElement; }
        return [getComputedStyle(time).color, bg]; }""")
    assert contrast(fg, bg) >= 4.5, (fg, bg, contrast(fg, bg))
    # the typing indicator is announced through a polite live region
    status = page.locator("#typing-status")
    assert status.get_attribute("aria-live") == "polite"
    page.fill("#input", "مرحبا")
    page.press("#input", "Enter")
    page.wait_for_selector("#typing:not([hidden])")
    assert status.text_content() == "صلة يكتب…"
    shot(page, "webchat-typing-phone")
    assert page.errors == []
    page.context.close()
