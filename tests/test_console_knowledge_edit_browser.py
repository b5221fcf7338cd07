"""Editing an association in a real headless Chromium, on a phone (390×844) and a desktop (1440×900).

An admin edits an FAQ answer and the "try a question" box shows the new answer at once; adds a
phrasing and removes it; is refused an invalid settings edit with the field named, then saves a
valid one; edits a form prompt; reads the history with its diff and rolls back. Each size keeps
the page within the screen; screenshots go to the temporary folder (the path is printed).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import SilaServer
from tests.servers import SILA

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TIMEOUT = 20_000
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
QUESTION = "كم ياخذ وقت دراسة طلبي؟"


@pytest.fixture
def server(tmp_path: Path, browser: Any) -> Iterator[SilaServer]:
    srv = SilaServer(tmp_path / "srv")
    srv.data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SILA, "migrate"], env=srv.env, check=True, capture_output=True)
    done = subprocess.run([SILA, "staff", "add", "--email", "admin@amass.sa", "--name", "سارة", "--role", "admin",
                           "--org", "amass"], env=srv.env, input=PASSWORD + "\n", text=True, capture_output=True)
    assert done.returncode == 0, done.stderr
    with srv:
        yield srv


def signed_in(browser: Any, base: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="ar-SA", viewport=viewport)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(base + "/console/login")
    page.fill("#email", "admin@amass.sa")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state()
    return page


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.parametrize("size", sorted(SIZES))
def test_admin_edits_knowledge_and_settings(browser: Any, server: SilaServer, size: str, tmp_path: Path) -> None:
    base = server.base_url
    page = signed_in(browser, base, SIZES[size])
    page.click("a[href='/console/knowledge']")
    topic = page.locator("#topic-decision_period")
    topic.locator("details.edit summary").click()
    topic.locator("textarea[name=answer_ar]").fill("تدرس اللجنة طلبك خلال عشرة أيام عمل.")
    topic.locator("form.edit-answer button[type=submit]").click()
    page.wait_for_selector("#flash")
    assert page.locator("#pack-version").inner_text() == "1"
    page.fill("#try-q", QUESTION)
    page.click("#try-submit")
    page.wait_for_selector("#try-result[data-topic='decision_period']")
    assert "عشرة أيام عمل" in page.locator("#try-answer").inner_text()
    shots = tmp_path / "shots"
    shots.mkdir(exist_ok=True)
    page.locator("#topic-decision_period details.phrasings summary").click()
    page.locator("#topic-decision_period details.edit summary").click()
    page.locator("#topic-decision_period").scroll_into_view_if_needed()
    assert fits(page)
    page.screenshot(path=str(shots / f"knowledge-{size}.png"))

    phrasing = page.locator("#topic-decision_period form.add-phrasing input[name=phrasing]")
    phrasing.fill("متى يطلع رد اللجنة")
    page.locator("#topic-decision_period form.add-phrasing button").click()
    page.wait_for_selector("#flash")
    page.locator("#topic-decision_period details.phrasings summary").click()
    assert "متى يطلع رد اللجنة" in page.locator("#topic-decision_period ul.notes").inner_text()
    added = page.locator("#topic-decision_period li", has_text="متى يطلع رد اللجنة")
    added.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"phrasings-{size}.png"))
    added.locator("form.remove-phrasing button").click()
    page.wait_for_selector("#flash")
    assert "متى يطلع رد اللجنة" not in page.locator("#topic-decision_period ul.notes").inner_text()

    # settings: an invalid time is refused with the field named, nothing saved; then a valid edit
    page.goto(base + "/console/settings")
    page.fill("#settings-form input[name=phone]", "+966 12 345 6789")
    page.fill("#settings-form input[name=start]", "8 صباحاً")
    page.click("#settings-submit")
    page.wait_for_selector("#refusal")
    assert page.locator("#refusal").get_attribute("data-field") == "pack.contact.working_hours.start"
    assert page.locator("#pack-version").inner_text() == "3"
    assert fits(page)
    page.screenshot(path=str(shots / f"settings-refused-{size}.png"))
    page.fill("#settings-form input[name=start]", "09:00")
    page.click("#settings-submit")
    page.wait_for_selector("#flash")
    assert "+966 12 345 6789" in page.locator("#contact-phone").inner_text()
    prompt = page.locator("#edit-prompts details[data-flow='support_request']")
    prompt.locator("summary").click()
    form = prompt.locator("form[data-field='full_name']")
    form.locator("textarea[name=prompt_ar]").fill("تفضل باسمك الرباعي كما في الهوية")
    form.locator("button").click()
    page.wait_for_selector("#flash")
    assert page.locator("#pack-version").inner_text() == "5"

    # history: who and what; roll back to before the phone number
    page.goto(base + "/console/knowledge/history?org=amass")
    assert page.locator("li.version").count() == 6  # five versions and the original pack
    first = page.locator("li.version[data-version='4']")
    assert "سارة" in first.inner_text()
    first.locator("details summary").click()
    assert "+966 12 345 6789" in first.locator("pre.diff").inner_text()
    assert fits(page)
    page.screenshot(path=str(shots / f"history-{size}.png"), full_page=True)
    page.locator("li.version[data-version='3'] form.rollback button").click()
    page.wait_for_selector("#flash")
    assert page.locator("li.version[data-version='6']").count() == 1
    page.goto(base + "/console/settings")
    assert "غير محدد" in page.locator("#contact-phone").inner_text()
    assert page.errors == []
    print(f"screenshots: {shots}")
    page.context.close()
