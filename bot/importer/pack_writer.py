"""Writing an imported pack: byte-for-byte the same for the same policy, and never half-written.

The three files are rendered as YAML with a fixed key order and no timestamps, validated by
the same loader the service uses (bot/packs.py, bot/flows/schema.py) in a scratch folder
beside the target, and only then moved into place; a pack that would not load is never
left where the service would find it.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.importer.extract import extract
from bot.importer.faq_builder import build_faq
from bot.importer.flows_builder import build_flows
from bot.importer.pack_builder import build_pack
from bot.importer.reader import read_policy
from bot.importer.report import ImportReport
from bot.pack_model import SLUG_RE, PackError
from bot.packs import load_pack

__all__ = ["ImportRefused", "ImportResult", "import_policy", "render_yaml"]

#: the template's sections; a file with fewer of them than this is not a policy in the template
_MIN_SECTIONS = 3


class ImportRefused(Exception):
    """The policy cannot be imported; the message says why (in Arabic and English where useful)."""


@dataclass(frozen=True)
class ImportResult:
    directory: Path
    report: ImportReport


class _Dumper(yaml.SafeDumper):
    """Block style, Unicode kept, long lines not folded: diffs an admin can read."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def render_yaml(data: Any, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000,
                     default_flow_style=False)
    return header + body


def default_code(slug: str) -> str:
    letters = re.sub(r"[^a-z]", "", slug.lower())
    return (letters + "XXX")[:3].upper()


def import_policy(policy: Path, slug: str, orgs_dir: Path, *, code: str | None = None,
                  force: bool = False) -> ImportResult:
    """Read ``policy`` and write a loadable pack into ``orgs_dir/slug``."""
    if not SLUG_RE.match(slug):
        raise ImportRefused(f"--slug '{slug}': use 2-31 lower-case letters, digits and dashes, starting with a letter")
    code = (code or default_code(slug)).upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ImportRefused(f"--code '{code}': use three letters, e.g. ABC")
    target = orgs_dir / slug
    if target.exists() and not force:
        raise ImportRefused(f"{target} already exists; pass --force to replace it")
    raw = read_policy(policy)
    facts = extract(raw)
    found = sum(bool(x) for x in (facts.goal, facts.detailed_goals, facts.channels, facts.tools, facts.procedure,
                                  facts.approval))
    if found < _MIN_SECTIONS:
        raise ImportRefused(
            f"{policy.name}: only {found} of the template's sections were found; is this a beneficiary relationship "
            "policy? / لم نجد أقسام سياسة تنظيم العلاقة مع المستفيدين في هذا الملف"
        )
    report = ImportReport()
    pack = build_pack(facts, slug, code, policy.name, report)
    flows = build_flows(facts, pack, report)
    faq = build_faq(facts, pack, flows["flows"])
    note = (f"# Imported by `sila orgs import` from {policy.name}. Facts are the policy's words; null or the\n"
            "# template's neutral wording where the policy is silent (see the import report). Edit freely.\n")
    files = {"pack.yaml": render_yaml(pack, note), "faq.yaml": render_yaml(faq, note),
             "flows.yaml": render_yaml(flows, note)}
    orgs_dir.mkdir(parents=True, exist_ok=True)
    scratch_root = orgs_dir / f".import-{slug}"
    shutil.rmtree(scratch_root, ignore_errors=True)
    scratch = scratch_root / slug
    scratch.mkdir(parents=True)
    try:
        for name, text in files.items():
            (scratch / name).write_text(text, encoding="utf-8")
        try:
            load_pack(scratch)
        except PackError as exc:
            raise ImportRefused(f"the imported pack does not load ({exc}); please report this policy") from None
        if target.exists():
            shutil.rmtree(target)
        os.replace(scratch, target)
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)
    return ImportResult(directory=target, report=report)
