"""The web chat page in a real browser: Debian's headless Chromium on a 360×740 phone screen.

Against a real ``sila serve``: Arabic-first layout, greeting and menu buttons, history after a
reload, the English toggle, inert HTML in messages, keyboard use, and resending a message typed
while the server was down. Against a scripted socket (``page.route_web_socket``): bot and officer
texts that look like HTML, officer labels, error and rate-limit notices, and resending an
unconfirmed message with the same client id after a dropped connection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser import PHONE, SilaServer

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
SCREENSHOT = Path("/tmp/sila_chat.png")
SCREENSHOT_EN = Path("/tmp/sila_chat_en.png")
TIMEOUT = 20_000  # ms


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[SilaServer]:
    with SilaServer(tmp_path_factory.mktemp("webchat")) as srv:
        yield srv


class Watch:
    """What a page did that it never should: dialogs, script errors, CSP violations."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, msg: Any) -> None:
        if msg.type == "error" or "Content Security Policy" in msg.text:
            self.errors.append(msg.text)

    def clean(self) -> None:
        assert self.dialogs == [], f"unexpected dialogs: {self.dialogs}"
        assert self.errors == [], f"page errors: {self.errors}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="ar-SA")
    context.set_default_timeout(TIMEOUT)
    pg = context.new_page()
    pg.watch = Watch(pg)
    try:
        yield pg
    finally:
        context.close()


def connected(page: Any) -> None:
    page.wait_for_selector('#status[data-state="connected"]')


def send(page: Any, text: str) -> None:
    page.fill("#input", text)
    page.press("#input", "Enter")


def settle(page: Any) -> None:
    """No bubble still pending and no bot still typing."""
    page.wait_for_function(
        "() => !document.querySelector('.msg.pending') && document.getElementById('typing').hidden"
    )


def log_seqs(page: Any) -> list[int]:
    return [int(s) for s in page.eval_on_selector_all("#log .msg", "els => els.map(e => e.dataset.seq || '0')")]


def assert_phone_layout(page: Any) -> None:
    """No horizontal scroll, the input on screen, and every visible button a 44px tap target."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"horizontal scroll: content is {width}px wide"
    box = page.locator("#input").bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    small = page.evaluate(
        """() => [...document.querySelectorAll('button')]
              .filter(b => b.offsetParent !== null && !b.classList.contains('retry'))
              .map(b => [b.textContent.trim() || b.getAttribute('aria-label'), b.getBoundingClientRect()])
              .filter(([, r]) => r.height < 44 || r.width < 44)
              .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert small == [], f"tap targets under 44px: {small}"


# -- against the real server ---------------------------------------------------------------------
def test_arabic_conversation_buttons_and_reload(page: Any, server: SilaServer) -> None:
    page.goto(f"{server.base_url}/chat/amass")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.text_content("#org-name") == "جمعية أمس"
    connected(page)
    assert page.text_content("#status-text") == "متصل"
    assert page.get_attribute("#send", "aria-label") == "إرسال"
    assert page.get_attribute("#input", "maxlength") == "4096"

    send(page, "السلام عليكم")
    page.wait_for_selector(".msg-bot .bubble:has-text('جمعية أمس')")
    page.wait_for_selector(".quick:not([hidden]) .qr")
    settle(page)
    assert page.locator(".msg-me .bubble").first.text_content() == "السلام عليكم"
    assert page.locator(".quick:not([hidden])").count() == 1, "only the newest menu is offered"

    bots_before = page.locator(".msg-bot").count()
    button = page.locator(".quick:not([hidden]) .qr[data-value='faq']")
    label = button.text_content()
    button.click()
    page.wait_for_function(f"() => document.querySelectorAll('.msg-bot').length > {bots_before}")
    settle(page)
    assert page.locator(".msg-me .bubble").last.text_content() == label, "a pressed button shows its label"

    send(page, "القائمة")
    page.wait_for_function(f"() => document.querySelectorAll('.msg-bot').length > {bots_before + 1}")
    page.wait_for_selector(".quick:not([hidden]) .qr")
    settle(page)
    seqs = log_seqs(page)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and 0 not in seqs, seqs
    assert_phone_layout(page)
    page.screenshot(path=str(SCREENSHOT), animations="disabled")

    texts = page.eval_on_selector_all("#log .msg .bubble", "els => els.map(e => e.textContent)")
    page.reload()
    connected(page)
    page.wait_for_function(f"() => document.querySelectorAll('#log .msg').length >= {len(texts)}")
    assert page.eval_on_selector_all("#log .msg .bubble", "els => els.map(e => e.textContent)") == texts
    assert log_seqs(page) == seqs, "the history shows each message once, in order"
    assert page.is_hidden("#intro")
    page.watch.clean()


def test_english_toggle_switches_page_and_replies(page: Any, server: SilaServer) -> None:
    page.goto(f"{server.base_url}/chat/amass")
    connected(page)
    assert page.is_visible("#intro"), "a first visit shows the welcome card"
    page.click("#start")
    page.wait_for_selector(".msg-bot .bubble:has-text('جمعية أمس')")
    settle(page)

    assert page.text_content("#lang-toggle") == "English"
    page.click("#lang-toggle")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#lang-toggle") == "العربية"
    assert page.text_content("#org-name") == "Amass Association"
    assert page.get_attribute("#send", "aria-label") == "Send"
    page.wait_for_selector(".msg-bot .bubble:has-text('Switched to English')")
    page.wait_for_selector(".quick:not([hidden]) .qr[data-value='lang:ar']")
    settle(page)
    assert page.locator(".msg-me .bubble").last.text_content() == "English"
    assert page.text_content("#status-text") == "Connected"
    assert_phone_layout(page)
    page.screenshot(path=str(SCREENSHOT_EN), animations="disabled")

    page.reload()
    connected(page)
    assert page.get_attribute("html", "dir") == "ltr", "the server remembers the language"
    page.click("#lang-toggle")
    assert page.get_attribute("html", "dir") == "rtl"
    page.wait_for_selector(".msg-bot .bubble:has-text('تم التحويل إلى اللغة العربية')")
    page.watch.clean()


def test_page_keeps_the_conversation_language_through_tokens(page: Any, server: SilaServer) -> None:
    """ "ok", "PDF" or a reference in an Arabic chat keep the page right-to-left: it follows the
    language each reply carries, not the letters of one message; a clear English sentence turns it."""
    page.goto(f"{server.base_url}/chat/rida")
    connected(page)
    send(page, "السلام عليكم")
    page.wait_for_selector(".msg-bot .bubble:has-text('وعليكم السلام')")
    settle(page)
    for token in ("ok", "PDF", "RDA-26-00042"):
        send(page, token)
        settle(page)
        assert page.get_attribute("html", "dir") == "rtl", token
    send(page, "Could you tell me how long a request takes please")
    page.wait_for_function("() => document.documentElement.dir === 'ltr'")
    assert page.get_attribute("html", "lang") == "en"
    page.watch.clean()


def test_html_in_a_message_renders_as_text(page: Any, server: SilaServer) -> None:
    page.goto(f"{server.base_url}/chat/amass")
    connected(page)
    send(page, XSS)
    page.wait_for_selector("#log .msg-me[data-seq]")
    settle(page)
    page.wait_for_timeout(300)
    assert page.locator("#log img").count() == 0
    assert page.locator(".msg-me .bubble").first.text_content() == XSS
    assert page.watch.dialogs == []
    page.reload()
    connected(page)
    page.wait_for_selector("#log .msg-me[data-seq]")
    assert page.locator("#log img").count() == 0
    assert page.locator(".msg-me .bubble").first.text_content() == XSS
    page.watch.clean()


def test_keyboard_enter_shift_enter_and_tab_order(page: Any, server: SilaServer) -> None:
    page.goto(f"{server.base_url}/chat/amass")
    connected(page)
    page.focus("#input")
    page.keyboard.type("سطر ١")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("line 2")
    assert page.input_value("#input") == "سطر ١\nline 2"
    assert page.locator("#log .msg").count() == 0, "Shift+Enter is a newline, not send"
    page.keyboard.press("Enter")
    page.wait_for_selector("#log .msg-me[data-seq]")
    assert page.input_value("#input") == ""
    assert page.locator(".msg-me .bubble").first.text_content() == "سطر ١\nline 2"
    page.wait_for_selector(".msg-bot")
    settle(page)

    send(page, "القائمة")
    page.wait_for_selector(".quick:not([hidden]) .qr")
    settle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached: list[str] = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(
            "() => { const e = document.activeElement; return e.id || e.className || e.tagName; }"))
    assert "lang-toggle" in reached, reached
    cycle = reached[reached.index("lang-toggle"):]  # one lap of the page's tab order, header first
    assert "qr" in cycle and "input" in cycle and "send" in cycle, reached
    assert cycle.index("qr") < cycle.index("input") < cycle.index("send"), reached
    # The focus ring is visible on a keyboard-focused quick reply.
    page.focus(".quick:not([hidden]) .qr")
    outline = page.eval_on_selector(".quick:not([hidden]) .qr:focus", "e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    # Space/Enter on a focused quick reply sends it.
    bots = page.locator(".msg-bot").count()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('.msg-bot').length > {bots}")
    page.watch.clean()


def test_message_typed_while_server_is_down_is_sent_after_restart(page: Any, tmp_path: Path) -> None:
    srv = SilaServer(tmp_path / "restart").start()
    try:
        page.goto(f"{srv.base_url}/chat/amass")
        connected(page)
        send(page, "مرحبا")
        page.wait_for_selector(".msg-bot .bubble:has-text('جمعية أمس')")
        settle(page)
        before = log_seqs(page)

        srv.stop()
        page.wait_for_selector('#status[data-state="reconnecting"]')
        assert page.text_content("#status-text") == "انقطع الاتصال، نحاول مجدداً…"
        send(page, "القائمة")
        page.wait_for_selector(".msg-me.pending")
        srv.start()
        page.wait_for_selector('#status[data-state="connected"]', timeout=30_000)
        page.wait_for_selector(".msg-me[data-seq]:has-text('القائمة')")
        settle(page)
        page.wait_for_function(f"() => document.querySelectorAll('#log .msg[data-seq]').length > {len(before) + 1}")
        seqs = log_seqs(page)
        assert seqs[: len(before)] == before
        assert seqs == sorted(set(seqs)), f"each seq once, in order: {seqs}"
        assert page.locator(".msg-me:has-text('القائمة')").count() == 1
        page.watch.errors = [e for e in page.watch.errors if "WebSocket" not in e and "ERR_CONNECTION" not in e]
        page.watch.clean()
    finally:
        srv.stop()


# -- against a scripted socket -------------------------------------------------------------------
def frame(**kw: Any) -> str:
    return json.dumps(kw, ensure_ascii=False)


WELCOME = frame(type="welcome", visitor="a" * 32, lang="ar", status="human", max_chars=300)


def test_scripted_frames_render_inert_with_notices(page: Any, server: SilaServer) -> None:
    history = [
        {"seq": 1, "id": "m1", "direction": "in", "author": "beneficiary", "text": "مرحبا",
         "at": "2025-01-05T09:00:00+00:00"},
        {"seq": 2, "id": "m2", "direction": "out", "author": "bot", "text": f"نص البوت {XSS}",
         "at": "2025-01-05T09:00:01+00:00", "buttons": [{"label": XSS, "value": "x"}], "kind": "menu"},
        {"seq": 3, "id": "m3", "direction": "out", "author": "officer",
         "text": "أنا أحمد من الجمعية. رقم طلبك 12345 وأرسل لك الرابط https://example.org/a?b=1.",
         "at": "2025-01-05T09:01:00+00:00"},
    ]

    def handler(ws: Any) -> None:
        ws.send(WELCOME)
        ws.send(frame(type="history", messages=history))

        def on_message(raw: str | bytes) -> None:
            f = json.loads(raw)
            if f.get("type") != "message":
                return
            if f["text"] == "كثير":
                ws.send(frame(type="rate_limited", retry_after=3, text="رسائلك كثيرة، انتظر 3 ثوانٍ."))
            elif f["text"] == "خطأ":
                ws.send(frame(type="error", code="too_long", text="الرسالة طويلة جداً."))
            else:
                ws.send(frame(type="message", text=f["text"], seq=4, id="m4", client_id=f["id"]))
                ws.send(frame(type="reply", text=XSS, buttons=[], kind="human", seq=5, id="m5", author="officer",
                              expect={"flow": "data_update", "field": "phone", "type": "phone", "choices": []}))
                ws.send(frame(type="turn_end", seq=5))

        ws.on_message(on_message)

    page.route_web_socket(re.compile(r"/chat/amass/ws"), handler)
    page.goto(f"{server.base_url}/chat/amass")
    connected(page)
    page.wait_for_selector(".msg-officer")
    assert page.get_attribute("#input", "maxlength") == "300", "max_chars from the welcome frame"
    assert page.locator(".msg-officer .who").first.text_content() == "الموظف"
    assert page.locator(".msg-bot .qr").first.text_content() == XSS
    assert page.locator(".msg-officer .bubble a").get_attribute("href") == "https://example.org/a?b=1"
    assert page.get_attribute(".msg-officer .bubble", "dir") == "auto"

    send(page, "كثير")
    page.wait_for_selector(".notice:has-text('رسائلك كثيرة')")
    page.wait_for_selector(".msg-me.failed .retry")
    send(page, "خطأ")
    page.wait_for_selector(".notice-error:has-text('الرسالة طويلة')")
    send(page, "تم")
    page.wait_for_selector(".msg-me[data-seq='4']")
    page.wait_for_selector(".msg-officer[data-seq='5']")
    assert page.locator(".msg-officer[data-seq='5'] .bubble").text_content() == XSS
    assert page.get_attribute("#input", "inputmode") == "tel", "a phone field brings up the phone keypad"
    assert page.locator("#log img").count() == 0
    assert page.watch.dialogs == []
    assert_phone_layout(page)
    page.screenshot(path="/tmp/sila_chat_officer.png", animations="disabled")
    page.watch.clean()


def test_unconfirmed_message_is_resent_with_the_same_id(page: Any, server: SilaServer) -> None:
    connections: list[dict[str, Any]] = []

    def handler(ws: Any) -> None:
        query = parse_qs(urlsplit(ws.url).query)
        conn: dict[str, Any] = {"since": query.get("since", [""])[0], "visitor": query.get("visitor", [""])[0],
                                "frames": []}
        connections.append(conn)
        first = len(connections) == 1
        ws.send(WELCOME)
        if first:
            ws.send(frame(type="history", messages=[
                {"seq": 7, "id": "m7", "direction": "out", "author": "bot", "text": "أهلاً", "at": "2025-01-05T09:00:00Z"},
            ]))
        else:
            ws.send(frame(type="history", messages=[]))

        def on_message(raw: str | bytes) -> None:
            f = json.loads(raw)
            conn["frames"].append(f)
            if f.get("type") != "message":
                return
            if first:
                ws.close()  # dropped before the echo: the page must send it again
            else:
                ws.send(frame(type="message", text=f["text"], seq=8, id="m8", client_id=f["id"]))
                ws.send(frame(type="reply", text="وصلت", buttons=[], expect=None, kind="info", seq=9, id="m9",
                              author="bot"))
                ws.send(frame(type="turn_end", seq=9))

        ws.on_message(on_message)

    page.route_web_socket(re.compile(r"/chat/amass/ws"), handler)
    page.goto(f"{server.base_url}/chat/amass")
    connected(page)
    page.wait_for_selector(".msg-bot[data-seq='7']")
    send(page, "رسالتي")
    page.wait_for_selector(".msg-bot[data-seq='9']", timeout=15_000)
    assert len(connections) == 2
    assert re.fullmatch(r"[0-9a-f]{32}", connections[0]["visitor"])
    assert connections[1]["visitor"] == "a" * 32, "the page adopts the visitor the server confirmed"
    assert connections[0]["since"] == "0" and connections[1]["since"] == "7"
    sent_first = [f for f in connections[0]["frames"] if f["type"] == "message"]
    sent_again = [f for f in connections[1]["frames"] if f["type"] == "message"]
    assert len(sent_first) == 1 and len(sent_again) == 1
    assert sent_first[0]["id"] == sent_again[0]["id"] and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", sent_again[0]["id"])
    assert page.locator(".msg-me").count() == 1
    assert log_seqs(page) == [7, 8, 9]
    page.watch.clean()
