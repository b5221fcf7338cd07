"""The officer's console as a shift uses it, in headless Chromium against a real ``sila serve``.

A beneficiary fills part of a support request on the web chat (phone size) and asks for an
officer; the officer (desktop size) finds them in the queue by the name they gave, reads the
transcript in words (button labels, the buttons offered, the diagnosis never in plain text),
replies under her own name and closes with a system note. On a case, a refused status change
keeps the officer's choice and text, and every label of the Arabic screens is Arabic.
Screenshots go to ``var/screenshots/``.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser import DESKTOP, PHONE_390, SilaServer, console_server, shot
from tests.servers import SILA

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TIMEOUT = 20_000
NAME = "سارة أحمد العتيبي"
ENGLISH_KEY = re.compile(r"\b(submitted|under_review|needs_info|approved|rejected|national_id|beneficiary|"
                         r"webchat|terminal|amass|\d{4}-W\d{2})\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[SilaServer]:
    srv = console_server(tmp_path_factory.mktemp("console-ux"),
                         [("noura@amass.sa", "نورة", "officer", "amass", []),
                          ("admin@amass.sa", "مدير", "admin", "amass", ["--system-admin"]),
                          ("sami@amass.sa", "سامي", "officer", "amass", [])])
    with srv:
        yield srv


def new_page(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="ar-SA", viewport=viewport)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def login(page: Any, base: str, email: str = "noura@amass.sa") -> None:
    page.goto(base + "/console/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/console/queue")


def chat_send(chat: Any, text: str) -> None:
    count = chat.locator(".msg-bot").count()
    chat.fill("#input", text)
    chat.press("#input", "Enter")
    chat.wait_for_function(f"() => document.querySelectorAll('.msg-bot').length > {count}")
    chat.wait_for_function("() => document.getElementById('typing').hidden")


def person_asking_for_an_officer(browser: Any, server: SilaServer) -> Any:
    """A beneficiary on a phone greets the web chat and asks for an officer; their page."""
    chat = new_page(browser, PHONE_390)
    chat.goto(server.base_url + "/chat/amass")
    chat.wait_for_selector('#status[data-state="connected"]')
    chat_send(chat, "السلام عليكم")
    chat_send(chat, "موظف")
    return chat


def chat_press(chat: Any, label: str) -> None:
    count = chat.locator(".msg-bot").count()
    chat.locator(".quick:not([hidden]) .qr", has_text=label).first.click()
    chat.wait_for_function(f"() => document.querySelectorAll('.msg-bot').length > {count}")
    chat.wait_for_function("() => document.getElementById('typing').hidden")


def test_queue_transcript_names_and_system_notes(browser: Any, server: SilaServer) -> None:
    base = server.base_url
    chat = new_page(browser, PHONE_390)
    chat.goto(base + "/chat/amass")
    chat.wait_for_selector('#status[data-state="connected"]')
    chat_send(chat, "السلام عليكم")
    chat_press(chat, "تقديم طلب دعم")
    for answer in (NAME, "1000000008", "0551234567", "الرياض"):
        chat_send(chat, answer)
    chat_press(chat, "لي أنا")
    chat_press(chat, "أفضل عدم الذكر")
    chat_send(chat, "موظف")
    chat.wait_for_selector("text=ترتيبك في قائمة الانتظار")

    officer = new_page(browser, DESKTOP)
    login(officer, base)
    row = officer.wait_for_selector(".waiting-row")
    assert NAME in row.inner_text(), "the queue shows the name the person gave, not 'مستفيد'"
    shot(officer, "console-queue-desktop")
    conv_id = row.get_attribute("data-id")
    officer.click(f'.waiting-row[data-id="{conv_id}"] button.claim')
    officer.wait_for_url(f"**/console/c/{conv_id}?msg=claimed")
    assert NAME in officer.inner_text("#messages")
    assert "محادثة الموقع" in officer.inner_text("#contact"), "the contact panel lists the person's channels"

    said = officer.locator("#messages li.in .text").all_inner_texts()
    everything = officer.inner_text("#messages")
    for raw in ("flow:support_request", "prefer_not_to_say", "self", "lang:ar"):
        assert raw not in everything, f"raw button value {raw!r} in the transcript"
    assert any("تقديم طلب دعم" in s for s in said), said
    assert not any("أفضل عدم الذكر" in s for s in said), "the diagnosis answer is shown in plain text"
    assert any("إجابة محمية" in s for s in said), said
    assert any("1000000008" in s for s in said) is False
    offered = officer.locator("#messages li.out .offered li").all_inner_texts()
    assert "تقديم طلب دعم" in offered and "التحدث مع موظف" in offered, offered
    shot(officer, "console-transcript-desktop")

    officer.fill("#reply", "وعليكم السلام، أنا نورة وسأكمل معك")
    officer.click("#send")
    officer.wait_for_url("**msg=sent")
    reply = chat.wait_for_selector(".msg-officer:has-text('سأكمل معك')")
    assert reply.query_selector(".who").inner_text() == "نورة", "the officer appears by her own name"
    # the "with you now" note when she claimed came from the system, not from her
    claimed = chat.locator(".msg:has-text('معك الآن')").first
    assert "msg-bot" in (claimed.get_attribute("class") or "")

    officer.click("#close")
    officer.wait_for_url("**msg=closed")
    chat.wait_for_selector(".msg:has(.qr)")
    closing = chat.locator(".msg[data-seq]").last
    assert "msg-officer" not in (closing.get_attribute("class") or ""), "the survey looks as if the officer wrote it"
    assert chat.locator(".msg-officer").count() == 1
    shot(chat, "webchat-after-close-phone")
    assert chat.errors == [] and officer.errors == []
    chat.context.close()
    officer.context.close()


def file_case(server: SilaServer, user: str) -> str:
    """A support request filed through ``sila chat`` on the server's data; returns its reference."""
    lines = ["السلام عليكم", "تقديم طلب دعم", NAME, "1000000008", "0551234567", "الرياض", "لي",
             "أفضل عدم الذكر", "مساعدة مالية", "تخطي", "تأكيد", "أقر وأوافق", "أوافق"]
    done = subprocess.run([SILA, "chat", "--org", "amass", "--user", user, "--json"], env=server.env,
                          input="\n".join(lines) + "\n", text=True, capture_output=True, timeout=120)
    found = re.search(r"AMS-\d{2}-\d{5}", done.stdout)
    assert found, done.stdout[-2000:] + done.stderr[-2000:]
    return found.group(0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=["desktop", "phone"])
def test_case_screens_in_arabic_and_a_refused_change_keeps_the_form(browser: Any, server: SilaServer,
                                                                    viewport: dict[str, int]) -> None:
    size = "phone" if viewport is PHONE_390 else "desktop"
    reference = file_case(server, f"case-filer-{size}")
    officer = new_page(browser, viewport)
    login(officer, server.base_url)
    officer.goto(server.base_url + "/console/cases")
    options = officer.locator("#case-filter select[name=status] option").all_inner_texts()
    assert "تم الاستلام" in options and not any(ENGLISH_KEY.search(o) for o in options), options
    officer.click(f"text={reference}")
    officer.wait_for_selector("#status-form")
    page_text = officer.inner_text("main")
    assert not ENGLISH_KEY.search(page_text), ENGLISH_KEY.search(page_text)
    assert "رقم الهوية" in officer.inner_text("#case-data")

    # a rejection needs its reason: refused, and the form keeps "rejected" and what was typed
    officer.select_option("#to", "rejected")
    officer.fill("#comment", "   ")
    officer.click("#change")
    officer.wait_for_selector("#error")
    assert officer.locator("#to").input_value() == "rejected", "the form fell back to its first option"
    assert "السبب" in officer.inner_text("#error")
    officer.select_option("#to", "needs_info")
    officer.fill("#comment", "")
    officer.click("#change")
    officer.wait_for_selector("#error")
    assert officer.locator("#to").input_value() == "needs_info"
    shot(officer, f"console-case-refused-{size}")

    officer.select_option("#to", "under_review")
    officer.fill("#comment", "بدأت الدراسة")
    officer.click("#change")
    officer.wait_for_url("**msg=status")
    history = officer.inner_text("#history")
    assert "قيد الدراسة" in history and "تم الاستلام" in history
    assert not ENGLISH_KEY.search(history), history
    assert officer.errors == []
    officer.context.close()


def test_report_rows_in_arabic(browser: Any, server: SilaServer) -> None:
    officer = new_page(browser, DESKTOP)
    login(officer, server.base_url)
    officer.goto(server.base_url + "/console/report")
    text = officer.inner_text("main")
    assert not ENGLISH_KEY.search(text), ENGLISH_KEY.search(text)
    shot(officer, "console-report-desktop")
    officer.context.close()


def png_bytes() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_web_chat_file_upload_reaches_the_case_encrypted(browser: Any, server: SilaServer) -> None:
    chat = new_page(browser, PHONE_390)
    chat.goto(server.base_url + "/chat/amass")
    chat.wait_for_selector('#status[data-state="connected"]')
    assert chat.is_hidden("#attach"), "no file is asked for yet"
    chat_send(chat, "السلام عليكم")
    chat_press(chat, "تقديم طلب دعم")
    for answer in ("منى سالم الحربي", "1000000008", "0551234567", "الرياض"):
        chat_send(chat, answer)
    chat_press(chat, "لي أنا")
    chat_press(chat, "أفضل عدم الذكر")
    chat_press(chat, "مساعدة مالية")
    chat_send(chat, "تخطي")
    chat.wait_for_selector("#attach:not([hidden])")
    shot(chat, "webchat-attach-phone")

    # a file of a type not accepted is refused in words, and the question stays
    chat.set_input_files("#file", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    chat.wait_for_selector(".notice-error:has-text('نوع الملف غير مقبول')")
    bots = chat.locator(".msg-bot").count()
    chat.set_input_files("#file", files=[{"name": "تقرير.png", "mimeType": "image/png", "buffer": png_bytes()}])
    chat.wait_for_selector(".msg-me[data-seq]:has-text('تقرير.png')")
    chat.wait_for_function(f"() => document.querySelectorAll('.msg-bot').length > {bots}")
    chat.wait_for_selector(".msg-bot:has-text('راجع بيانات طلبك')")
    assert chat.is_hidden("#attach"), "the file was taken: no more file asked for"

    # at rest: only ciphertext under the data directory
    stored = list((server.data_dir / "uploads" / "amass").glob("*.bin"))
    assert len(stored) == 1
    body = stored[0].read_bytes()
    assert b"PNG" not in body and b"IHDR" not in body
    assert "تقرير" not in (stored[0].with_suffix(".meta")).read_text()

    chat_press(chat, "تأكيد")
    chat_press(chat, "أقر وأوافق")
    chat_press(chat, "أوافق")
    reference = re.search(r"AMS-\d{2}-\d{5}", chat.inner_text("#log"))
    assert reference, chat.inner_text("#log")[-500:]

    officer = new_page(browser, DESKTOP)
    login(officer, server.base_url)
    officer.goto(server.base_url + "/console/cases")
    officer.click(f"text={reference.group(0)}")
    link = officer.locator("#case-data dd.file a")
    href = link.get_attribute("href")
    got = officer.request.get(server.base_url + href)
    assert got.status == 200 and got.headers["content-type"] == "image/png" and got.body() == png_bytes()
    # the transcript shows the image in place
    officer.click("text=المحادثة")
    image = officer.wait_for_selector("#messages .file-in img")
    main = officer.inner_text("main")
    assert "منى سالم الحربي" in main, "after the form is submitted, the name comes from the request"
    assert "تم الاستلام" in main and not ENGLISH_KEY.search(main), ENGLISH_KEY.search(main)
    officer.wait_for_function("(img) => img.complete && img.naturalWidth === 2", arg=image)
    shot(officer, "console-transcript-image-desktop")
    with sqlite3.connect(server.data_dir / "sila.db") as conn:
        views = conn.execute("SELECT target FROM audit_log WHERE action = 'view.attachment'").fetchall()
    assert any(t.startswith("case:") for (t,) in views) and any(":message:" in t for (t,) in views), views
    assert chat.errors == [] and officer.errors == []
    chat.context.close()
    officer.context.close()


def test_officer_day_on_a_phone_keyboard_send_without_reloads(browser: Any, server: SilaServer) -> None:
    chat = person_asking_for_an_officer(browser, server)
    chat.wait_for_selector("text=ترتيبك في قائمة الانتظار")

    officer = new_page(browser, PHONE_390)
    login(officer, server.base_url)
    officer.wait_for_selector(".waiting-row")
    width = officer.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_390["width"], f"the queue is {width}px wide on a 390px phone"
    shot(officer, "console-queue-phone")
    officer.locator(".waiting-row button.claim").last.click()
    officer.wait_for_url("**msg=claimed")
    officer.evaluate("() => { window.__stillHere = true; }")

    officer.fill("#reply", "أهلاً بك، كيف أخدمك؟")
    officer.press("#reply", "Control+Enter")
    officer.wait_for_url("**msg=sent")
    chat.wait_for_selector(".msg-officer:has-text('كيف أخدمك')")
    assert officer.evaluate("() => window.__stillHere === true"), "sending reloaded the page"
    assert officer.input_value("#reply") == ""
    officer.wait_for_selector("#messages li:has-text('كيف أخدمك')")
    # labels, set in place, show in the queue
    officer.fill("#labels", "عاجل، تقرير طبي، عاجل")
    officer.click("#labels-form button")
    officer.wait_for_url("**msg=saved")
    assert officer.locator("#labels-card .label-chip").all_inner_texts() == ["عاجل", "تقرير طبي"]
    conversation_url = officer.url.split("?")[0]
    officer.goto(server.base_url + "/console/queue")
    assert "تقرير طبي" in officer.inner_text("#held")
    # a label in the queue is a filter: the queue narrowed to it, with a way back to all
    officer.click("#held a.label-chip:has-text('تقرير طبي')")
    officer.wait_for_selector("#label-filter")
    assert "label=" in officer.url and "تقرير طبي" in officer.inner_text("#label-filter")
    assert officer.locator("#held .held-row").count() == 1
    shot(officer, "console-queue-label-filter-phone")
    officer.set_viewport_size(DESKTOP)
    shot(officer, "console-queue-label-filter-desktop")
    officer.set_viewport_size(PHONE_390)
    officer.goto(server.base_url + "/console/queue?label=" + "لا يوجد")
    assert officer.locator("#held .held-row").count() == 0, "nobody carries that label"
    officer.click("#label-filter a")
    officer.wait_for_selector("#held .held-row")
    officer.goto(conversation_url)
    officer.wait_for_selector("#handback")
    officer.evaluate("() => { window.__stillHere = true; }")
    # a second action in place: hand back, the status badge follows without a reload
    officer.click("#handback")
    officer.wait_for_url("**msg=handed_back")
    assert officer.evaluate("() => window.__stillHere === true")
    assert officer.get_attribute("#conv-status", "data-status") == "bot"
    shot(officer, "console-conversation-phone")
    assert officer.errors == [] and chat.errors == []
    chat.context.close()
    officer.context.close()


def test_admin_edits_staff_and_canned_replies_with_the_slash_shortcut(browser: Any, server: SilaServer) -> None:
    admin = new_page(browser, DESKTOP)
    admin.on("dialog", lambda d: d.accept())
    login(admin, server.base_url, "admin@amass.sa")
    admin.goto(server.base_url + "/console/staff")
    row = admin.locator(".staff-row", has=admin.locator("input[value='سامي']"))
    row.locator("input[name=name]").fill("سامي الحربي")
    row.locator("select").select_option("coordinator")
    row.locator("button", has_text="حفظ").click()
    admin.wait_for_url("**msg=saved")
    staff = admin.inner_text("#staff-list")
    assert admin.locator("input[value='سامي الحربي']").count() == 1
    assert admin.locator("input[value='سامي الحربي'] >> xpath=ancestor::tr//select").input_value() == "coordinator"
    assert "amass" not in staff.replace("@amass.sa", ""), "association slugs in the staff list"

    admin.goto(server.base_url + "/console/canned")
    admin.fill("#canned-form input[name=title]", "موعد الزيارة")
    admin.fill("#canned-form textarea[name=body]", "موعد الزيارة الأحد القادم الساعة 10 صباحاً.")
    admin.click("#canned-form button[type=submit]")
    admin.wait_for_url("**msg=saved")
    item = admin.locator(".canned-item").first
    item.locator("textarea[name=body]").fill("موعد الزيارة الاثنين القادم الساعة 10 صباحاً.")
    item.locator("button", has_text="حفظ").click()
    admin.wait_for_url("**msg=saved")
    assert "الاثنين" in admin.locator(".canned-item textarea").first.input_value()
    shot(admin, "console-canned-desktop")

    # in a conversation: "/" and part of a title, then Tab, puts the reply in
    chat = person_asking_for_an_officer(browser, server)
    admin.goto(server.base_url + "/console/queue")
    admin.locator(".waiting-row a.open-conv").last.click()
    admin.wait_for_selector("#reply")
    admin.focus("#reply")
    admin.keyboard.type("/موعد")
    admin.wait_for_selector("#canned-suggest button:has-text('موعد الزيارة')")
    admin.keyboard.press("Tab")
    assert admin.input_value("#reply") == "موعد الزيارة الاثنين القادم الساعة 10 صباحاً."

    admin.goto(server.base_url + "/console/canned")
    admin.locator(".canned-item button.danger").first.click()
    admin.wait_for_url("**msg=deleted")
    assert admin.locator(".canned-item").count() == 0
    with sqlite3.connect(server.data_dir / "sila.db") as conn:
        actions = {a for (a,) in conn.execute("SELECT action FROM audit_log")}
    assert {"staff.update", "canned.update", "canned.delete"} <= actions
    # the audit log in words: who by name, what in Arabic, a staff change names its staff member
    admin.goto(server.base_url + "/console/audit")
    log = admin.inner_text("#audit")
    assert "عدّل اسم موظف أو دوره" in log and "سامي الحربي" in log and "مدير" in log
    assert "staff:" not in log and "canned.update" not in log and "amass" not in log.replace("@amass.sa", "")
    shot(admin, "console-audit-desktop")
    assert admin.errors == []
    admin.context.close()
    chat.context.close()


@pytest.mark.parametrize("query", ["سارة", "4567", "٤٥٦٧"])
def test_search_by_name_or_last_digits_of_the_mobile(browser: Any, server: SilaServer, query: str) -> None:
    """Both the web chat form (sara, queue test) and the filed case carry 0551234567 and NAME."""
    officer = new_page(browser, PHONE_390)
    login(officer, server.base_url)
    officer.fill("#top-q", query)
    officer.press("#top-q", "Enter")
    officer.wait_for_url("**/console/search?q=*")
    rows = officer.locator(".result-row")
    assert rows.count() >= 1, officer.inner_text("main")
    assert NAME in officer.inner_text("#results")
    width = officer.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_390["width"], width
    officer.context.close()


def test_search_by_reference(browser: Any, server: SilaServer) -> None:
    reference = file_case(server, "case-filer-search")
    officer = new_page(browser, DESKTOP)
    login(officer, server.base_url)
    officer.goto(server.base_url + f"/console/search?q={reference.lower()}")
    assert officer.locator(".result-row").count() == 1
    assert NAME in officer.inner_text("#results")
    shot(officer, "console-search-desktop")
    officer.goto(server.base_url + "/console/search?q=AMS-99-99999")
    assert officer.locator(".result-row").count() == 0
    officer.context.close()


RECORD_NOTIFICATIONS = """
window.__notes = [];
const Real = window.Notification;
class Recorded extends Real {
  constructor(title, options) { super(title, options); window.__notes.push({ title, body: options && options.body }); }
}
Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
Recorded.requestPermission = (...a) => Real.requestPermission(...a);
window.Notification = Recorded;
"""


def test_new_hand_off_notifies_an_opted_in_officer_and_unread_counts(browser: Any, server: SilaServer) -> None:
    context = browser.new_context(locale="ar-SA", viewport=DESKTOP, permissions=["notifications"],
                                  base_url=server.base_url)
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(RECORD_NOTIFICATIONS)
    officer = context.new_page()
    login(officer, server.base_url)
    officer.wait_for_selector('body[data-live="1"]')
    toggle = officer.locator("#notify-toggle")
    assert toggle.is_visible() and "تنبيهي" in toggle.inner_text()
    toggle.click()
    officer.wait_for_function("() => localStorage.getItem('sila.notify') === '1'")
    assert toggle.inner_text() == "إيقاف التنبيهات"

    chat = person_asking_for_an_officer(browser, server)
    officer.wait_for_function("() => window.__notes.length >= 1")
    assert officer.evaluate("() => window.__notes[0].title") == "تحويل جديد إلى موظف"
    for text in ("هل من أحد؟", "أحتاج مساعدة عاجلة"):
        chat.fill("#input", text)
        chat.press("#input", "Enter")
        chat.wait_for_selector(f".msg-me[data-seq]:has-text('{text}')")
    officer.reload()
    badge = officer.locator(".waiting-row").last.locator(".unread")
    badge.wait_for()
    assert badge.inner_text() == "2", "two messages wait for an answer"
    shot(officer, "console-queue-unread-desktop")
    context.close()
    chat.context.close()


def test_queue_timer_marks_a_hand_off_past_the_association_target(browser: Any, server: SilaServer) -> None:
    chat = person_asking_for_an_officer(browser, server)
    chat.wait_for_selector("text=ترتيبك في قائمة الانتظار")
    officer = new_page(browser, DESKTOP)
    login(officer, server.base_url)
    cell = officer.locator(".waiting-row").last.locator("td.sla")
    assert "/ 15" in cell.inner_text() and "over" not in (cell.get_attribute("class") or "")
    conv_id = officer.locator(".waiting-row").last.get_attribute("data-id")
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    with sqlite3.connect(server.data_dir / "sila.db", timeout=10) as conn:
        conn.execute("UPDATE conversation_states SET data = json_set(data, '$.handoff.requested_at', ?) "
                     "WHERE conversation_id = ?", (an_hour_ago, conv_id))
    officer.reload()
    cell = officer.locator(f'.waiting-row[data-id="{conv_id}"] td.sla')
    assert "over" in (cell.get_attribute("class") or "")
    assert "تجاوز وقت الاستجابة" in cell.inner_text()
    shot(officer, "console-queue-sla-desktop")
    officer.context.close()
    chat.context.close()


RAW_KEY = re.compile(r"\b(?:msg|err|bc|bcr|audit|notify|sla|labels|search|canned|case|status|role|reason|channel)"
                     r"\.[a-z_]+\b")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_console_screen_reads_in_arabic_and_english(browser: Any, server: SilaServer, lang: str) -> None:
    """No catalog key (``search.hint``…) ever reaches a screen: every label has both languages."""
    subprocess.run([SILA, "chat", "--org", "amass", "--user", f"screens-{lang}", "--json"], env=server.env,
                   input="السلام عليكم\nموظف\n", text=True, capture_output=True, timeout=120, check=True)
    page = new_page(browser, DESKTOP)
    login(page, server.base_url, "admin@amass.sa")
    if lang == "en":
        page.goto(server.base_url + "/console/lang?to=en&next=/console/queue")
    conv = page.locator(".held-row a, .waiting-row a.open-conv, .active-row a").first.get_attribute("href")
    paths = ["/console/queue", "/console/cases", "/console/report", "/console/canned", "/console/staff",
             "/console/audit", "/console/search?q=4567", "/console/broadcasts", "/console/broadcasts/new", conv]
    for path in paths:
        page.goto(server.base_url + path)
        text = page.inner_text("body")
        found = RAW_KEY.search(text)
        assert not found, f"{path} ({lang}): raw key {found.group(0)!r}"
        if lang == "en":
            assert page.get_attribute("html", "dir") == "ltr"
    shot(page, f"console-conversation-{lang}-desktop")
    page.context.close()
