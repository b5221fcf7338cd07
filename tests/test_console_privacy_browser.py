"""The console's Data rights page in a real headless Chromium against a real ``sila serve``:
an administrator reaches it from the menu, and both forms post (with their CSRF token, under the
console's CSP) and answer in Arabic: an erasure not confirmed with the slug erases nothing, and a
person the association does not hold is said to be unknown."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import SilaServer
from tests.servers import SILA

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[SilaServer]:
    srv = SilaServer(tmp_path_factory.mktemp("privacy"))
    srv.data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SILA, "migrate"], env=srv.env, check=True, capture_output=True)
    done = subprocess.run([SILA, "staff", "add", "--email", "admin@amass.sa", "--name", "ريم", "--role", "admin",
                           "--org", "amass"], env=srv.env, input=PASSWORD + "\n", text=True, capture_output=True)
    assert done.returncode == 0, done.stderr
    with srv:
        yield srv


def test_admin_reaches_the_data_rights_page_and_its_forms_answer(browser: Any, server: SilaServer) -> None:
    context = browser.new_context(locale="ar-SA")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # the 400 and 404 of the answers below are logged too; only script errors and CSP refusals count
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(server.base_url + "/console/login")
    page.fill("#email", "admin@amass.sa")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state()
    page.click("a[href='/console/privacy']")
    page.wait_for_url("**/console/privacy")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#privacy-export").count() == 1 and page.locator("#privacy-erase").count() == 1

    erase = page.locator("#privacy-erase")
    erase.locator("select[name=by]").select_option("phone")
    erase.locator("input[name=value]").fill("0512340001")
    erase.locator("input[name=confirm]").fill("rida")
    erase.locator("button[type=submit]").click()
    page.wait_for_selector("text=لم يُحذف شيء")

    export = page.locator("#privacy-export")
    export.locator("select[name=by]").select_option("phone")
    export.locator("input[name=value]").fill("0512340001")
    export.locator("button[type=submit]").click()
    page.wait_for_selector("text=لا توجد بيانات لهذا الشخص")
    assert not errors, errors
    context.close()
