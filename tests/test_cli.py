"""The `sila` command's contracts: one clear line for every mistake a person can fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.commands import one_line_error, run
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_orgs_list_names_all_five() -> None:
    out = run("orgs", "list").stdout
    for slug, code in [("taheel", "TAH"), ("amass", "AMS"), ("ilm-alhajj", "HAJ"), ("rida", "RDA"), ("ratel", "RTL")]:
        assert f"{slug}\t{code}\t" in out


def test_unknown_association_lists_the_valid_slugs() -> None:
    line = one_line_error(run("chat", "--org", "nope"))
    assert "nope" in line and "amass, ilm-alhajj, ratel, rida, taheel" in line


def test_malformed_database_url_is_one_line(tmp_path: Path) -> None:
    line = one_line_error(run("serve", env={"SILA_DATABASE_URL": "mysql://x/y", "SILA_DATA_DIR": str(tmp_path)}))
    assert line.startswith("sila: SILA_DATABASE_URL:")


def test_unreachable_postgres_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/test"
    line = one_line_error(run("serve", env={"SILA_DATABASE_URL": url, "SILA_DATA_DIR": str(tmp_path)}))
    assert "SILA_DATABASE_URL" in line and "unreachable" in line


def test_unreachable_redis_is_one_line(tmp_path: Path) -> None:
    env = {"SILA_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "SILA_DATA_DIR": str(tmp_path)}
    line = one_line_error(run("serve", env=env))
    assert "SILA_REDIS_URL" in line and "unreachable" in line


def test_bad_number_setting_is_named(tmp_path: Path) -> None:
    line = one_line_error(run("serve", env={"SILA_PORT": "eighty", "SILA_DATA_DIR": str(tmp_path)}))
    assert "SILA_PORT" in line


def test_broken_pack_names_file_key_and_problem(tmp_path: Path) -> None:
    orgs = tmp_path / "orgs"
    shutil.copytree(ROOT / "orgs", orgs)
    pack_file = orgs / "rida" / "pack.yaml"
    data = yaml.safe_load(pack_file.read_text(encoding="utf-8"))
    del data["referral_officer"]
    pack_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    line = one_line_error(run("orgs", "list", env={"SILA_ORGS_DIR": str(orgs)}))
    assert str(pack_file) in line and "referral_officer" in line and "required" in line.lower()


def test_ask_batch_mode_writes_one_json_object_per_question() -> None:
    questions = ["السلام عليكم", "كم مدة دراسة الطلب؟", "ابي اكلم موظف", "وش رايك في مباراة الهلال", "", "<script>x</script>"]
    proc = run("ask", "--org", "amass", "--json", "-", stdin="\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == len(questions)
    for row in rows:
        assert set(row) == {"kind", "text", "faq_id", "score", "suggestions"}
        assert row["kind"] in {"answer", "suggest", "handoff", "flow", "menu", "fallback"}
        assert isinstance(row["suggestions"], list)
    assert rows[0]["kind"] == "menu"
    assert rows[2]["kind"] == "handoff"
    assert rows[3]["kind"] in {"fallback", "menu", "handoff"}
    assert rows[5]["kind"] in {"fallback", "menu"}
