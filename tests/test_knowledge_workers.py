"""An edit made on one worker answers on another: two real `sila serve` on PostgreSQL + Redis.

An admin edits an FAQ answer through worker A's console; a beneficiary asking worker B over
the web chat socket gets the new answer (polled: the edit travels over Redis pub/sub and B
reloads from the database), and B's "try a question" box shows it too. Rolled back through B's
console, A answers the policy's words again. Nobody restarts.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import subprocess

import aiohttp

from tests.servers import SILA, serve

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
QUESTION = "كم ياخذ وقت دراسة طلبي؟"
NEW_AR = "تدرس اللجنة طلبك خلال عشرة أيام عمل بإذن الله."
NEW_EN = "The committee studies your request within ten working days."


async def sign_in(session: aiohttp.ClientSession, port: int) -> str:
    async with session.get(f"http://127.0.0.1:{port}/console/login") as r:
        token = CSRF_RE.search(await r.text()).group(1)  # type: ignore[union-attr]
    async with session.post(f"http://127.0.0.1:{port}/console/login",
                            data={"csrf": token, "email": "admin@amass.sa", "password": PASSWORD, "next": ""}) as r:
        return CSRF_RE.search(await r.text()).group(1)  # type: ignore[union-attr]


async def asked(session: aiohttp.ClientSession, port: int) -> str:
    """A new visitor asks QUESTION on the worker's web chat socket: the text of the replies."""
    url = f"http://127.0.0.1:{port}/chat/amass/ws?visitor={secrets.token_hex(16)}&since=0"
    async with session.ws_connect(url) as ws, asyncio.timeout(15):
        while json.loads((await ws.receive()).data)["type"] != "history":
            pass
        await ws.send_str(json.dumps({"type": "message", "text": QUESTION}))
        texts: list[str] = []
        while True:
            frame = json.loads((await ws.receive()).data)
            if frame["type"] == "reply":
                texts.append(frame.get("text") or "")
            if frame["type"] == "turn_end":
                return " ".join(texts)


async def until(check, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.1)


async def test_an_edit_on_one_worker_answers_on_the_other(pg_url: str, redis_url: str, tmp_path) -> None:
    env = {"SILA_DATABASE_URL": pg_url, "SILA_REDIS_URL": redis_url, "SILA_DATA_DIR": str(tmp_path),
           "SILA_DATA_KEY": "dGVzdC1rZXktZm9yLXNpbGEtdGVzdHMtb25seS0zMmI="}
    full = {**os.environ, **env}
    subprocess.run([SILA, "migrate"], env=full, check=True, capture_output=True)
    added = subprocess.run([SILA, "staff", "add", "--email", "admin@amass.sa", "--name", "مديرة", "--role", "admin",
                            "--org", "amass"], env=full, input=PASSWORD + "\n", text=True, capture_output=True)
    assert added.returncode == 0 or "exists" in added.stderr, added.stderr
    with serve(env) as (port_a, _), serve(env) as (port_b, _):
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            assert "أسبوعين" in await asked(session, port_b)
            csrf = await sign_in(session, port_a)
            async with session.get(f"http://127.0.0.1:{port_a}/console/knowledge/history?org=amass") as r:
                versions = re.findall(r'data-version="(\d+)"', await r.text())
            current = max((int(v) for v in versions), default=0)
            async with session.post(f"http://127.0.0.1:{port_a}/console/knowledge", data={
                    "csrf": csrf, "org": "amass", "version": str(current), "action": "answer",
                    "topic": "decision_period", "answer_ar": NEW_AR, "answer_en": NEW_EN}) as r:
                assert "msg=pack_saved" in str(r.url), await r.text()

            async def b_answers_new() -> bool:
                return NEW_AR in await asked(session, port_b)
            await until(b_answers_new)

            async with session.get(f"http://127.0.0.1:{port_b}/console/knowledge",
                                   params={"org": "amass", "q": QUESTION}) as r:
                assert NEW_AR in await r.text()
            # roll back through worker B's console (the session is in the database, so the same cookie
            # and CSRF token hold there): worker A answers the policy's words again
            async with session.post(f"http://127.0.0.1:{port_b}/console/knowledge/rollback", data={
                    "csrf": csrf, "org": "amass", "version": str(current + 1), "to": str(current)}) as r:
                assert "msg=pack_saved" in str(r.url)

            async def a_answers_old() -> bool:
                return "أسبوعين" in await asked(session, port_a)
            await until(a_answers_old)
