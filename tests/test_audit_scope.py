"""Audit rows stay inside their association (issue 14, finding 8).

Rows that belong to no association — sign-ins, failed sign-ins with the e-mail tried, staff
accounts, exports — name other associations' staff; only a system-wide administrator (made with
``sila staff add --system-admin``, never from a console form) reads them. An association's
administrator reads the rows of their own associations and nothing else.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from app.server import create_app
from bot.settings import Settings
from console import auth
from storage.cases import audit
from storage.models import Staff
from tests.commands import one_line_error, run
from wiring.runtime import RUNTIME, Runtime

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


class Console:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.sessions: list[aiohttp.ClientSession] = []

    @property
    def runtime(self) -> Runtime:
        return self.client.server.app[RUNTIME]

    async def staff(self, email: str, orgs: list[str], *, system_admin: bool = False) -> str:
        assert self.runtime.db is not None
        return await auth.create_staff(self.runtime.db, email=email, name=email.split("@")[0], role="admin",
                                       orgs=orgs, password=PASSWORD, known_orgs=set(self.runtime.packs),
                                       actor="test", system_admin=system_admin)

    async def login(self, email: str, password: str = PASSWORD) -> tuple[aiohttp.ClientSession, str]:
        s = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.sessions.append(s)
        base = str(self.client.make_url("")).rstrip("/")
        async with s.get(base + "/console/login") as r:
            token = CSRF_RE.search(await r.text()).group(1)  # type: ignore[union-attr]
        async with s.post(base + "/console/login", data={"csrf": token, "email": email, "password": password,
                                                         "next": ""}) as r:
            m = CSRF_RE.search(await r.text())
        return s, m.group(1) if m else ""

    async def audit_page(self, session: aiohttp.ClientSession) -> str:
        async with session.get(str(self.client.make_url("/console/audit"))) as r:
            assert r.status == 200
            return await r.text()


@pytest.fixture
async def console(sqlite_settings: Settings) -> AsyncIterator[Console]:
    async with TestClient(TestServer(create_app(sqlite_settings))) as client:
        c = Console(client)
        try:
            yield c
        finally:
            for s in c.sessions:
                await s.close()


async def test_each_admin_reads_only_their_association(console: Console) -> None:
    await console.staff("admin@amass.sa", ["amass"])
    await console.staff("admin@taheel.sa", ["taheel"])
    await console.staff("root@sila.sa", ["amass"], system_admin=True)
    await console.login("victim@taheel.sa", "a wrong password")  # a failed sign-in, e-mail and all
    assert console.runtime.db is not None
    async with console.runtime.db.writer.begin() as conn:
        await audit(conn, actor="staff:x", action="view.case", org="amass", target="case:amass-row")
        await audit(conn, actor="staff:y", action="view.case", org="taheel", target="case:taheel-row")
    amass, _ = await console.login("admin@amass.sa")
    taheel, _ = await console.login("admin@taheel.sa")
    root, _ = await console.login("root@sila.sa")

    page = await console.audit_page(amass)
    assert "case:amass-row" in page
    assert "case:taheel-row" not in page
    assert "victim@taheel.sa" not in page and "login.failed" not in page and "staff.create" not in page
    assert "admin@taheel.sa" not in page

    page = await console.audit_page(taheel)
    assert "case:taheel-row" in page and "case:amass-row" not in page and "victim@taheel.sa" not in page

    page = await console.audit_page(root)
    for seen in ("case:amass-row", "case:taheel-row", "victim@taheel.sa", "login.failed", "staff.create"):
        assert seen in page, seen


async def test_no_console_form_makes_a_system_admin(console: Console) -> None:
    await console.staff("admin@amass.sa", ["amass"])
    session, csrf = await console.login("admin@amass.sa")
    form = {"csrf": csrf, "email": "new@amass.sa", "name": "New", "role": "admin", "orgs": "amass",
            "password": PASSWORD, "system_admin": "1"}
    async with session.post(str(console.client.make_url("/console/staff")), data=form) as r:
        assert str(r.url).endswith("msg=saved")
    assert console.runtime.db is not None
    async with console.runtime.db.reader.connect() as conn:
        flag = (await conn.execute(select(Staff.system_admin).where(Staff.email == "new@amass.sa"))).scalar()
    assert flag is False


def test_cli_makes_a_system_admin(tmp_path: Path, migrated_sqlite: Path) -> None:
    shutil.copy(migrated_sqlite, tmp_path / "sila.db")
    env = {"SILA_DATA_DIR": str(tmp_path)}
    base = ("staff", "add", "--email", "root@sila.sa", "--name", "Root", "--org", "amass")
    line = one_line_error(run(*base, "--role", "officer", "--system-admin", env=env, stdin=PASSWORD + "\n"))
    assert "--system-admin" in line
    done = run(*base, "--role", "admin", "--system-admin", env=env, stdin=PASSWORD + "\n")
    assert done.returncode == 0 and "system-wide administrator" in done.stdout, done.stderr
