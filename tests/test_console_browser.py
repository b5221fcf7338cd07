"""The staff console in a real headless Chromium against a real ``sila serve``.

An officer signs in, sees an escalated web chat appear live in the queue, claims it and replies;
the beneficiary's web chat (a second page on /chat/amass) shows the reply; the officer hands back
and closes; the survey reaches the beneficiary, who rates 4, and the rating appears in the
report. Along the way: a beneficiary named ``<img src=x onerror=alert(1)>`` stays inert on every
console page, and a reply typed when the session has expired survives signing in again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser import SilaServer, console_server

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
PASSWORD = "correct horse battery"
TIMEOUT = 20_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[SilaServer]:
    srv = console_server(tmp_path_factory.mktemp("console"),
                         [("officer@amass.sa", "نورة", "officer", "amass", [])])
    with srv:
        yield srv


def page_for(browser: Any, **kw: Any) -> Any:
    context = browser.new_context(locale="ar-SA", **kw)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.dialogs = []
    page.errors = []

    def on_dialog(d: Any) -> None:
        page.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def login(page: Any, base: str) -> None:
    if "/console/login" not in page.url:
        page.goto(base + "/console/login")
    page.fill("#email", "officer@amass.sa")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state()


def db(server: SilaServer) -> sqlite3.Connection:
    return sqlite3.connect(Path(server.data_dir) / "sila.db", timeout=10)


def test_officer_takes_over_replies_closes_and_survey_reaches_report(browser: Any, server: SilaServer) -> None:
    base = server.base_url
    officer = page_for(browser, viewport={"width": 1280, "height": 900})
    login(officer, base)
    assert officer.url.endswith("/console/queue")
    assert officer.locator("html").get_attribute("dir") == "rtl"
    officer.wait_for_selector('body[data-live="1"]')

    chat = page_for(browser, viewport={"width": 360, "height": 740})
    chat.goto(base + "/chat/amass")
    chat.wait_for_selector('#status[data-state="connected"]')
    chat.fill("#input", "السلام عليكم")
    chat.press("#input", "Enter")
    chat.get_by_role("button", name="التحدث مع موظف").first.click()
    chat.wait_for_selector("text=ترتيبك في قائمة الانتظار")

    # the hand-off appears in the officer's queue without a reload
    row = officer.wait_for_selector(".waiting-row")
    conv_id = row.get_attribute("data-id")
    with db(server) as conn:
        conn.execute("UPDATE beneficiaries SET display_name = ?", (XSS,))
    officer.reload()
    officer.wait_for_selector(f'.waiting-row[data-id="{conv_id}"]')
    assert officer.locator("#queue img").count() == 0
    assert XSS in officer.inner_text("#queue")

    officer.click(f'.waiting-row[data-id="{conv_id}"] button.claim')
    officer.wait_for_url(f"**/console/c/{conv_id}?msg=claimed")
    assert officer.locator("#conv-status").get_attribute("data-status") == "human"
    chat.wait_for_selector("text=معك الآن")

    # the beneficiary writes; the officer sees it live, as text
    officer.wait_for_selector('body[data-live="1"]')
    chat.fill("#input", XSS)
    chat.press("#input", "Enter")
    officer.wait_for_selector(f"#messages >> text={XSS}")
    assert officer.locator("#transcript img").count() == 0
    chat.fill("#input", "متى يصلني الرد؟")
    chat.press("#input", "Enter")
    officer.wait_for_selector("#messages >> text=متى يصلني الرد؟")

    officer.fill("#reply", "وعليكم السلام، معك نورة من الجمعية")
    officer.click("#send")
    officer.wait_for_url("**msg=sent")
    chat.wait_for_selector("text=وعليكم السلام، معك نورة من الجمعية")

    # the session expires while the officer types: the draft survives signing in again
    officer.fill("#reply", "مسودة لم تُرسل بعد")
    with db(server) as conn:
        conn.execute("UPDATE staff_sessions SET last_seen_at = '2000-01-01 00:00:00.000000'")
    # Either the officer presses Send (the server answers with the login page) or the live socket
    # notices the ended session first and takes the page there itself; both must keep the draft.
    try:
        officer.click("#send", timeout=5_000)
    except PlaywrightError:
        pass  # the page was already on its way to the login screen
    officer.wait_for_url("**/console/login**")
    assert officer.locator("#draft-note").is_visible()
    login(officer, base)
    officer.wait_for_url(f"**/console/c/{conv_id}")
    assert officer.input_value("#reply") == "مسودة لم تُرسل بعد"
    officer.fill("#reply", "")

    officer.click("#handback")
    officer.wait_for_url("**msg=handed_back")
    chat.wait_for_selector("text=أعادك الموظف إلى المساعد الرقمي")
    officer.click("#close")
    officer.wait_for_url("**msg=closed")
    chat.wait_for_selector("text=تقييم الخدمة حق لك")
    chat.get_by_role("button", name="4", exact=True).last.click()
    chat.wait_for_selector("text=شكراً لتقييمك")

    officer.goto(base + "/console/report")
    assert "4.0" in officer.inner_text("#by-org")
    assert "نورة" in officer.inner_text("#by-officer")
    for p in (officer, chat):
        assert p.dialogs == [], p.dialogs
        assert p.errors == [], p.errors


def test_console_in_english(browser: Any, server: SilaServer) -> None:
    page = page_for(browser)
    login(page, server.base_url)
    page.click("#lang-toggle")
    page.wait_for_selector('html[dir="ltr"]')
    assert "Queue" in page.inner_text("header")
