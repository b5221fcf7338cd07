"""The console's knowledge and settings pages in a real headless Chromium against a real ``sila serve``.

An admin of two associations sees every FAQ topic of the one chosen (answers in both
languages, what each does, how people ask it), tries a question and sees what the assistant
would answer and why, and reads the association's facts and settings with what is not set yet
marked, on a desktop and on a phone; an officer may not open these pages, nor an admin another
association's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.packs import load_all
from tests.browser import PHONE, SilaServer, console_server

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TIMEOUT = 20_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[SilaServer]:
    srv = console_server(tmp_path_factory.mktemp("knowledge"),
                         [("admin@amass.sa", "سارة", "admin", "amass,taheel", []),
                          ("officer@amass.sa", "سارة", "officer", "amass", [])])
    with srv:
        yield srv


def signed_in(browser: Any, base: str, email: str, **kw: Any) -> Any:
    context = browser.new_context(locale="ar-SA", **kw)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(base + "/console/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_admin_reads_the_knowledge_and_tries_a_question(browser: Any, server: SilaServer, viewport: dict) -> None:
    base = server.base_url
    page = signed_in(browser, base, "admin@amass.sa", viewport=viewport)
    page.click("a[href='/console/knowledge']")
    page.wait_for_selector("#topics")
    expected = load_all()["amass"].faq.topics
    assert page.locator("article.topic").count() == len(expected)
    decision = page.locator("article.topic[data-topic='decision_period']")
    assert "أسبوعين" in decision.inner_text() and "two weeks" in decision.inner_text()
    assert page.locator("article.topic[data-topic='apply_support'] .badge").inner_text().startswith("يبدأ نموذجاً")

    page.fill("#try-q", "كم ياخذ وقت دراسة طلبي؟")
    page.click("#try-submit")
    page.wait_for_selector("#try-result")
    result = page.locator("#try-result")
    assert result.get_attribute("data-kind") == "answer"
    assert result.get_attribute("data-topic") == "decision_period"
    assert "أسبوعين" in page.locator("#try-answer").inner_text()
    assert page.locator("#try-ranked li").first.inner_text().startswith("decision_period")
    assert page.locator("#try-seconded").count() == 0, "answered by the matcher alone"

    page.fill("#try-q", "ابي اكلم موظف")
    page.click("#try-submit")
    page.wait_for_selector("#try-result[data-kind='handoff']")

    # the other association the admin serves
    page.goto(base + "/console/knowledge?org=taheel")
    assert page.locator("article.topic").count() == len(load_all()["taheel"].faq.topics)
    # an answer the topic classifier seconded says so, since its probability is below the cut-off
    page.fill("#try-q", "الموظفين عندكم يعطون المراجع وقته؟")
    page.click("#try-submit")
    page.wait_for_selector("#try-result[data-topic='reception']")
    assert "المصنِّف" in page.locator("#try-seconded").inner_text()
    # nothing wider than the screen, on a phone too
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.errors == []
    page.context.close()


def test_only_admins_of_the_association_may_open_it(browser: Any, server: SilaServer) -> None:
    base = server.base_url
    officer = signed_in(browser, base, "officer@amass.sa")
    assert officer.locator("a[href='/console/knowledge']").count() == 0
    for path in ("/console/knowledge", "/console/settings"):
        response = officer.goto(base + path)
        assert response is not None and response.status == 403
    officer.context.close()
    admin = signed_in(browser, base, "admin@amass.sa")
    response = admin.goto(base + "/console/knowledge?org=ratel")
    assert response is not None and response.status == 403
    admin.context.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_admin_reads_the_settings_and_sees_what_is_not_set(browser: Any, server: SilaServer, viewport: dict) -> None:
    base = server.base_url
    page = signed_in(browser, base, "admin@amass.sa", viewport=viewport)
    page.click("a[href='/console/settings']")
    page.wait_for_selector("#contact")
    pack = load_all()["amass"].pack
    assert pack.name.ar in page.locator("#identity").inner_text()
    assert page.locator("#channels li").count() == len(pack.channels)
    assert pack.contact.phone is None and "غير محدد" in page.locator("#contact-phone").inner_text()
    assert "لجنة البحث" in page.locator("#policy").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    response = page.goto(base + "/console/settings?org=ratel")
    assert response is not None and response.status == 403
    assert page.errors == []
    page.context.close()
