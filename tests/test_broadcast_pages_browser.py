"""The coordinator's broadcast pages in headless Chromium, at phone (390×844) and desktop size.

Each checkbox sits with its label, sending asks first ("send to N people?") and says it was
queued (not "resumed"), "cancel broadcast" looks like the dangerous action it is, and the
WhatsApp 24-hour-window refusal is plain Arabic. The server runs no broadcast worker here
(``SILA_BROADCAST_WORKER=off``) so the broadcast stays "sending" for the page to show.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.packs import load_all
from bot.settings import load_settings
from storage.db import create_database
from tests.broadcast_seed import seed
from tests.browser import DESKTOP, PHONE_390, SilaServer, shot
from tests.servers import SILA
from wiring.runtime import sync_associations

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


async def _seed(env: dict[str, str]) -> None:
    db = create_database(load_settings(env=env))
    try:
        await sync_associations(db, load_all())
        await seed(db, channel="sms", n=7, city="تبوك")
        await seed(db, channel="whatsapp", n=2, city="الخرج", start=100, inbound_hours_ago=48)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[SilaServer]:
    srv = SilaServer(tmp_path_factory.mktemp("broadcast-pages"), env={"SILA_BROADCAST_WORKER": "off"})
    srv.data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SILA, "migrate"], env=srv.env, check=True, capture_output=True)
    done = subprocess.run(
        [SILA, "staff", "add", "--email", "coord@amass.sa", "--name", "خالد", "--role", "coordinator",
         "--org", "amass"], env=srv.env, input=PASSWORD + "\n", text=True, capture_output=True)
    assert done.returncode == 0, done.stderr
    with ThreadPoolExecutor(1) as pool:  # playwright's sync API already runs a loop on this thread
        pool.submit(asyncio.run, _seed(srv.env)).result()
    with srv:
        yield srv


def coordinator(browser: Any, server: SilaServer, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="ar-SA", viewport=viewport)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.dialogs = []
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(server.base_url + "/console/login")
    page.fill("#email", "coord@amass.sa")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/console/queue")
    return page


def create(page: Any, server: SilaServer, name: str, city: str, *, sms_only: bool) -> None:
    page.goto(server.base_url + "/console/broadcasts/new")
    page.fill("input[name=name]", name)
    page.fill("textarea[name=text_ar]", "موعد التوزيع غداً")
    page.fill("input[name=city]", city)
    if sms_only:
        page.get_by_label("رسائل نصية").check()
    page.click("#bc-create")
    page.wait_for_url("**msg=bc_draft")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_broadcast_pages_read_well_and_ask_before_sending(browser: Any, server: SilaServer, size: str) -> None:
    page = coordinator(browser, server, PHONE_390 if size == "phone" else DESKTOP)
    page.goto(server.base_url + "/console/broadcasts/new")
    # each checkbox on the same line as its own label, and the label names it
    for box in page.locator("#bc-new input[type=checkbox]").all():
        label = box.locator("xpath=ancestor::label[1]")
        b, l_box = box.bounding_box(), label.bounding_box()
        assert b and l_box and abs((b["y"] + b["height"] / 2) - (l_box["y"] + l_box["height"] / 2)) < 6, \
            f"a checkbox sits apart from its label: {label.inner_text()!r}"
    assert page.get_by_label("العربية", exact=True).count() == 1, "language choices are named in words"
    shot(page, f"console-broadcast-new-{size}")

    # WhatsApp outside the window: refused in plain Arabic, no command-line flags
    asked: list[str] = []
    answers: list[bool] = [True]  # what to answer the next question (the last entry stays)

    def on_dialog(dialog: Any) -> None:
        asked.append(dialog.message)
        (dialog.accept if (answers.pop(0) if len(answers) > 1 else answers[0]) else dialog.dismiss)()

    page.on("dialog", on_dialog)
    create(page, server, f"واتساب {size}", "الخرج", sms_only=False)
    page.click("#bc-send")
    page.wait_for_selector("#bc-refusal")
    refusal = page.inner_text("#bc-refusal")
    assert "24 ساعة" in refusal and "--template" not in refusal and "SILA_" not in refusal, refusal

    # an SMS broadcast: the send asks first, with the number of people
    create(page, server, f"رسائل {size}", "تبوك", sms_only=True)
    asked.clear()
    answers[:] = [False, True]
    page.click("#bc-send")
    page.wait_for_timeout(300)
    assert asked and "7" in asked[0], asked
    assert "msg=bc_draft" in page.url, "dismissing the question sends nothing"
    page.click("#bc-send")
    page.wait_for_url("**msg=bc_queued")
    flash = page.inner_text("main")
    assert "بدأ إرسال البث" in flash and "استُؤنف" not in flash
    # cancel is styled as the dangerous, secondary action, unlike the main button
    cancel = page.locator("#bc-cancel")
    pause = page.locator("#bc-pause")
    c_bg = cancel.evaluate("e => getComputedStyle(e).backgroundColor")
    p_bg = pause.evaluate("e => getComputedStyle(e).backgroundColor")
    assert c_bg != p_bg, (c_bg, p_bg)
    assert cancel.evaluate("e => getComputedStyle(e).color") != "rgb(255, 255, 255)"
    shot(page, f"console-broadcast-sending-{size}")
    assert page.errors == []
    page.context.close()


def test_contacted_within_filters_and_a_scheduled_send_from_the_console(browser: Any, server: SilaServer) -> None:
    page = coordinator(browser, server, DESKTOP)
    page.on("dialog", lambda d: d.accept())
    # everyone seeded wrote an hour ago: "silent for 30 days" finds nobody
    page.goto(server.base_url + "/console/broadcasts/new")
    page.fill("input[name=name]", "الصامتون")
    page.fill("textarea[name=text_ar]", "نفتقدكم")
    page.get_by_label("رسائل نصية").check()
    page.fill("input[name=not_contacted_within]", "30")
    page.click("#bc-create")
    page.wait_for_selector("#bc-refusal")
    assert "لا يوجد مستلمون" in page.inner_text("#bc-refusal")
    assert page.input_value("input[name=not_contacted_within]") == "30", "the form keeps what was typed"

    page.fill("input[name=name]", "مجدول")
    page.fill("input[name=not_contacted_within]", "")
    page.fill("input[name=contacted_within]", "2")
    page.fill("input[name=city]", "تبوك")
    page.click("#bc-create")
    page.wait_for_url("**msg=bc_draft")
    assert page.inner_text("#bc-total") == "7"
    # a time in the past is refused in words; a future one schedules
    page.fill("#bc-at", "2020-01-01T09:00")
    page.click("#bc-send")
    page.wait_for_selector("#bc-refusal")
    assert "مضى" in page.inner_text("#bc-refusal")
    page.fill("#bc-at", "2099-03-01T09:00")
    page.click("#bc-send")
    page.wait_for_url("**msg=bc_scheduled")
    assert "جُدول البث" in page.inner_text("main")
    assert "2099-03-01 09:00" in page.inner_text("main"), "the schedule shows in Saudi time"
    assert page.locator("#bc-unclaimed").count() == 0, "a broadcast not yet due is not a worry"
    shot(page, "console-broadcast-scheduled-desktop")
    assert page.errors == []
    page.context.close()
