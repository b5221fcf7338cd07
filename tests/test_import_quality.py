"""Imported associations work: the five seeds re-imported from their text alone answer the
shared dev set, and every imported association (seeds and our own policies) takes a support
request end to end through `sila chat --json`, the way a beneficiary would.

The dev set and its scorer live beside the repository (``../shared/eval``), as do the seeds;
without them those tests skip with the reason.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.importer.pack_writer import import_policy
from tests.commands import Chat, expect_of
from tests.policy_files import make_docx
from tests.servers import SILA

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
DEV_SET = SHARED / "eval" / "faq_dev.jsonl"
SCORER = SHARED / "eval" / "faq_score.py"
DATA = Path(__file__).with_name("data") / "policies"
SLUGS = {"000": "taheel", "001": "amass", "002": "ilm-alhajj", "003": "rida", "004": "ratel"}
VALID_ID = "1000000008"
REF_RE = re.compile(r"[A-Z]{3}-\d{2}-\d{5}")
needs_shared = pytest.mark.skipif(not (SEEDS.is_dir() and DEV_SET.is_file() and SCORER.is_file()),
                                  reason="the seeds and the dev set (../shared) are not here")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every policy we have, imported into one packs folder (seeds under their fixed slugs)."""
    orgs = tmp_path_factory.mktemp("orgs")
    if SEEDS.is_dir():
        for prefix, slug in SLUGS.items():
            import_policy(next(SEEDS.glob(f"{prefix}_*.txt")), slug, orgs)
    import_policy(DATA / "namaa.md", "namaa", orgs)
    import_policy(DATA / "sanad.txt", "sanad", orgs)
    docx = tmp_path_factory.mktemp("docx") / "basira.docx"
    make_docx((DATA / "basira.txt").read_text(encoding="utf-8"), docx)
    import_policy(docx, "basira", orgs)
    return orgs


def _env(orgs: Path, data_dir: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "SILA_ORGS_DIR": str(orgs), "SILA_SQLITE_SYNCHRONOUS": "NORMAL"}
    env.pop("SILA_DATABASE_URL", None)
    env.pop("SILA_REDIS_URL", None)
    if data_dir is not None:
        env["SILA_DATA_DIR"] = str(data_dir)
    return env


@needs_shared
def test_reimported_seeds_answer_the_dev_set(imported: Path) -> None:
    """The official scorer, run against the imported packs; the README quotes its last line."""
    out = subprocess.run([sys.executable, str(SCORER), str(DEV_SET), SILA], env={**_env(imported), "FAQ_MIN": "0.85"},
                         capture_output=True, text=True, timeout=300)
    last = out.stdout.strip().splitlines()[-1]
    m = re.search(r"(\d+)/(\d+) passed", last)
    assert m, out.stdout + out.stderr
    assert int(m.group(1)) / int(m.group(2)) >= 0.85, out.stdout
    assert out.returncode == 0


def ask(orgs: Path, slug: str, questions: list[str]) -> list[dict]:
    out = subprocess.run([SILA, "ask", "--org", slug, "--json", "-"], input="\n".join(questions) + "\n",
                         env=_env(orgs), capture_output=True, text=True, timeout=120, check=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def test_our_own_policies_answer_from_their_own_facts(imported: Path) -> None:
    namaa = ask(imported, "namaa", ["كيف اتواصل معكم", "كم ياخذ الطلب عشان يردون", "الاجراءات مو واضحة لي لمن ارجع",
                                    "how long does it take to get an answer", "ابي اتطوع"])
    assert namaa[0]["kind"] == "answer" and "الواتساب" in namaa[0]["text"] and "البريد الإلكتروني" in namaa[0]["text"]
    assert namaa[1]["kind"] == "answer" and "عشرة أيام عمل" in namaa[1]["text"] and "لجنة المساعدات" in namaa[1]["text"]
    assert namaa[2]["kind"] in {"answer", "handoff"}
    assert namaa[3]["kind"] == "answer" and "within ten working days" in namaa[3]["text"]
    assert namaa[4]["kind"] == "flow"
    basira = ask(imported, "basira", ["كيف اتواصل معكم", "مين يدرس طلبي", "كم المدة لين يطلع القرار", "ابي اتطوع"])
    assert basira[0]["kind"] == "answer" and "الزيارات الميدانية" in basira[0]["text"]
    assert "الواتساب" not in basira[0]["text"]
    assert basira[1]["kind"] == "answer" and "لجنة الدراسة والتقييم" in basira[1]["text"]
    assert basira[2]["kind"] == "answer" and "خلال شهر" in basira[2]["text"]
    assert basira[3]["kind"] != "flow"  # no volunteering in this policy, so no volunteer form


ANSWERS = {"name": "محمد عبدالله السالم", "national_id": VALID_ID, "phone": "0551234567", "city": "الطائف",
           "description": "أحتاج المساعدة في أقرب وقت", "attachment": "/button skip", "text": "التوعية"}


@pytest.mark.parametrize("slug", [*SLUGS.values(), "namaa", "basira", "sanad"])
def test_support_request_end_to_end(imported: Path, slug: str, tmp_path: Path) -> None:
    if not (imported / slug).is_dir():
        pytest.skip("the seed policies (../shared/seeds) are not here")
    chat = Chat(slug, "owner", tmp_path, orgs=imported)
    assert any(r["kind"] == "menu" for r in chat.send("السلام عليكم"))
    replies = chat.send("ابي اقدم طلب")
    fields = []
    for _ in range(20):
        exp = expect_of(replies)
        assert exp is not None and exp["flow"] == "support_request", replies
        if exp["field"] == "_summary":
            break
        fields.append(exp["field"])
        replies = chat.send(ANSWERS.get(exp["type"], "نعم"))
    assert fields[:5] == ["full_name", "national_id", "mobile", "city", "description"]
    assert "******0008" in replies[-1]["text"]
    replies = chat.send("/button confirm")
    assert expect_of(replies)["field"] == "_declaration"
    declaration = " ".join(r["text"] for r in replies)
    replies = chat.send("/button accept")
    if expect_of(replies) and expect_of(replies)["field"] == "_consent":
        replies = chat.send("/button accept")
    text = " ".join(r["text"] for r in replies)
    ref = REF_RE.search(text)
    assert ref, text
    if slug == "taheel":  # no committee and no period in its policy: none promised
        assert "لجنة" not in text and "أسبوعين" not in text and "لجنة" not in declaration
    elif slug == "basira":
        assert "لجنة الدراسة والتقييم" in text and "خلال شهر" in text
    elif slug == "namaa":
        assert "لجنة المساعدات" in text and "عشرة أيام عمل" in text
    elif slug == "sanad":
        assert "لجنة الكفالات" in text and "ثلاثة أسابيع" in text
    else:
        assert "أسبوعين" in text and "لجنة" in text and "أسبوعين" in declaration
    replies = chat.send("/button flow:status_inquiry")
    replies = chat.send(ref.group(0))
    assert any(ref.group(0) in r["text"] for r in replies)
    chat.close()


def test_the_command_prints_its_report_in_both_languages(tmp_path: Path) -> None:
    out = subprocess.run([SILA, "orgs", "import", str(DATA / "namaa.md"), "--slug", "namaa", "--code", "NMA",
                          "--orgs-dir", str(tmp_path)], env=_env(tmp_path), capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "ما وجدناه في السياسة" in out.stdout and "Found in the policy" in out.stdout
    assert "For the admin to check" in out.stdout and "لجنة المساعدات" in out.stdout
    again = subprocess.run([SILA, "orgs", "import", str(DATA / "namaa.md"), "--slug", "namaa",
                            "--orgs-dir", str(tmp_path)], env=_env(tmp_path), capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 2 and "--force" in again.stderr and "Traceback" not in again.stderr
    listed = subprocess.run([SILA, "orgs", "list"], env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert listed.stdout.startswith("namaa\tNMA\tجمعية نماء الخيرية")
    # without --orgs-dir the pack goes to the configured folder (SILA_ORGS_DIR)
    configured = tmp_path / "configured"
    default = subprocess.run([SILA, "orgs", "import", str(DATA / "basira.txt"), "--slug", "basira"],
                             env=_env(configured), capture_output=True, text=True, timeout=60)
    assert default.returncode == 0, default.stderr
    assert (configured / "basira" / "pack.yaml").is_file()


def test_same_file_same_pack_across_processes(tmp_path: Path) -> None:
    """Byte-identical output whatever the process's hash seed (no set or dict order leaks out)."""
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        done = subprocess.run([SILA, "orgs", "import", str(DATA / "sanad.txt"), "--slug", "sanad", "--orgs-dir",
                               str(out)], env={**_env(out), "PYTHONHASHSEED": seed}, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        trees.append({p.name: p.read_bytes() for p in sorted((out / "sanad").iterdir())})
    assert trees[0] == trees[1]
