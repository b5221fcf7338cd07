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
import yaml

from tests.browser import PHONE, SilaServer
from tests.servers import SILA

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TIMEOUT = 20_000
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
#: what a refusal must never show an admin (pydantic's field path, wording, a pattern)
LEAKS = ("pack.", "topics.", "flows.", "String should", "Value error", "pattern", "^", "[0-9")
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
    assert page.locator("#refusal").get_attribute("data-input") == "start"
    assert "بداية الدوام (24 ساعة): اكتب الوقت بصيغة 08:00" in page.locator("#refusal").inner_text()
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


def readable_refusal(page: Any) -> str:
    """The refusal is on screen, inside the phone's width, and says nothing internal."""
    refusal = page.locator("#refusal")
    refusal.scroll_into_view_if_needed()
    box = refusal.bounding_box()
    width = page.evaluate("window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (box, width)
    assert refusal.is_visible() and fits(page)
    text = refusal.inner_text()
    assert not [leak for leak in LEAKS if leak in text], text
    return str(text)


def test_refusals_read_plainly_on_a_phone(browser: Any, server: SilaServer) -> None:
    """At 360 px: a refused setting and a refused upload say the field and what is expected, the
    field keeps what was typed and is marked, and the refusal's link goes to it."""
    base = server.base_url
    page = signed_in(browser, base, PHONE)
    page.goto(base + "/console/settings")
    page.fill("#settings-form input[name=phone]", "+966 12 345 6789")
    page.fill("#settings-form textarea[name=crisis_lines]", "وزارة الصحة 937")
    page.click("#settings-submit")
    page.wait_for_selector("#refusal")
    text = readable_refusal(page)
    assert "أرقام الدعم في الأزمات" in text and "الرقم|الاسم بالعربية|الاسم بالإنجليزية" in text, text
    assert "«وزارة الصحة 937»" in text
    page.screenshot(path="/tmp/console-errors-settings-phone.png")
    field = page.locator("#settings-form textarea[name=crisis_lines]")
    assert field.input_value() == "وزارة الصحة 937" and field.get_attribute("aria-invalid") == "true"
    assert page.locator("#settings-form input[name=phone]").input_value() == "+966 12 345 6789"
    page.locator("#refusal a.where").click()
    assert page.evaluate("location.hash") == "#in-crisis_lines"
    box = field.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"], box
    page.screenshot(path="/tmp/console-errors-settings-field-phone.png")

    # an option's button longer than WhatsApp shows, uploaded: refused, named by its question and form
    exported = page.request.get(base + "/console/knowledge/export?org=amass")
    doc = yaml.safe_load(exported.text())
    doc["flows"]["support_request"]["fields"]["support_type"]["choices"][0]["label"]["ar"] = \
        "مساعدة مالية عاجلة للأسر المحتاجة"
    page.goto(base + "/console/knowledge")
    page.set_input_files("#import-file", files=[{"name": "amass-pack.yaml", "mimeType": "application/yaml",
                                                 "buffer": yaml.safe_dump(doc, allow_unicode=True).encode()}])
    page.click("#import-submit")
    page.wait_for_selector("#refusal")
    text = readable_refusal(page)
    assert "«مساعدة مالية عاجلة للأسر المحتاجة»" in text and "«نوع الدعم»" in text and "واتساب" in text, text
    assert "20" in text and page.locator("#pack-version").inner_text() == "0"
    page.screenshot(path="/tmp/console-errors-button-phone.png")
    assert page.errors == []
    page.context.close()
