"""Association packs: everything Sila knows about one association, as data.

A pack lives in ``orgs/<slug>/``: ``pack.yaml`` (facts taken from the association's policy),
``faq.yaml`` (questions beneficiaries ask and the policy's answers) and ``flows.yaml``
(step-by-step requests). Nothing about one association is hard-coded in the engine.

Packs are validated at start; a wrong pack stops the service with one line naming the file,
the key and the problem, because a half-loaded association would answer beneficiaries wrongly.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


class PackError(Exception):
    """A pack could not be loaded; the message names the file, the key and the problem."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A text in both languages; Arabic is the default everywhere."""

    ar: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ar


class Approval(Strict):
    """The board approval record, as the policy states it (fields the policy leaves blank stay null)."""

    body: Localized
    meeting: str | None = None
    session: str | None = None
    date_gregorian: str | None = None
    date_hijri: str | None = None
    text: Localized


class Policy(Strict):
    title: Localized
    version: str = Field(min_length=1, description="stored with every signed declaration")
    source: str = Field(description="the seed file the pack was taken from")
    approval: Approval | None = Field(default=None, description="null when the policy text has no approval record")


class ChannelItem(Strict):
    id: str
    name: Localized


class WorkingHours(Strict):
    """Set by the association; the policy does not state hours. Used for off-hours wording."""

    timezone: str = "Asia/Riyadh"
    days: list[int] = Field(default_factory=lambda: [6, 0, 1, 2, 3], description="0=Monday … 6=Sunday")
    start: str = "08:00"
    end: str = "16:00"


class Contact(Strict):
    """Contact details the policy does not give; null means 'not published yet', never invented."""

    phone: str | None = None
    email: str | None = None
    website: str | None = None
    address: Localized | None = None
    working_hours: WorkingHours = Field(default_factory=WorkingHours)


class MemberService(Strict):
    """Content Rida-style cooperatives show to members (projects, statements, assembly dates)."""

    id: str
    title: Localized
    body: Localized


class Pack(Strict):
    slug: str
    code: str = Field(pattern=r"^[A-Z]{3}$", description="prefix of case references, e.g. AMS-26-00042")
    name: Localized
    short_name: Localized
    tagline: Localized | None = None
    location: Localized | None = None
    policy: Policy
    beneficiary_term: Localized = Field(description="what the policy calls the people it serves")
    channels: list[ChannelItem] = Field(
        default_factory=list, description="empty when the policy names no channels (Ta'heel)"
    )
    officer_tools: list[Localized] = Field(min_length=1)
    referral_officer: Localized = Field(description="who an unclear procedure is referred to")
    committee: Localized | None = Field(default=None, description="who studies a request, if stated")
    decision_min_days: int | None = Field(default=None, ge=1, description="'no less than two weeks' → 14")
    procedure: list[Localized] = Field(min_length=1, description="the policy's handling steps, in order")
    goals: Localized
    detailed_goals: list[Localized] = Field(min_length=1)
    contact: Contact = Field(default_factory=Contact)
    member_services: list[MemberService] = Field(default_factory=list)
    kind: Literal["charity", "cooperative"] = "charity"

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG_RE.match(v):
            raise ValueError("must be lower-case letters, digits and dashes")
        return v


class FaqTopic(Strict):
    """One clause-backed topic: how people ask it, and the policy's answer."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: Localized = Field(description="the policy clause the answer rests on")
    questions: list[str] = Field(min_length=8)
    answer: Localized
    #: a topic may start a flow or a hand-off instead of only answering
    action: str | None = Field(default=None, pattern=r"^(flow:[a-z_]+|handoff)$")


class FaqKnowledge(Strict):
    topics: list[FaqTopic] = Field(min_length=1)


class LoadedPack(BaseModel):
    """A validated pack with its knowledge and (opaque here) flow definitions."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    pack: Pack
    faq: FaqKnowledge
    flows: dict[str, Any] = Field(default_factory=dict)
    directory: Path


def default_orgs_dir() -> Path:
    env = os.environ.get("SILA_ORGS_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "orgs"
    return here


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise PackError(f"{path}: file missing") from exc
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML: {exc}") from exc


def _explain(path: Path, exc: ValidationError) -> PackError:
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return PackError(f"{path}: key '{key}': {first['msg']}")


def load_pack(directory: Path) -> LoadedPack:
    """Load and validate one pack; raise :class:`PackError` naming file, key and problem."""
    pack_path = directory / "pack.yaml"
    raw = _read_yaml(pack_path)
    try:
        pack = Pack.model_validate(raw)
    except ValidationError as exc:
        raise _explain(pack_path, exc) from None
    if pack.slug != directory.name:
        raise PackError(f"{pack_path}: key 'slug': '{pack.slug}' does not match folder '{directory.name}'")
    faq_path = directory / "faq.yaml"
    try:
        faq = FaqKnowledge.model_validate(_read_yaml(faq_path))
    except ValidationError as exc:
        raise _explain(faq_path, exc) from None
    ids = [t.id for t in faq.topics]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise PackError(f"{faq_path}: key 'topics': duplicate topic id(s) {sorted(dupes)}")
    flows: dict[str, Any] = {}
    flows_path = directory / "flows.yaml"
    if flows_path.exists():
        from bot.flows.schema import load_flows  # local import: flows validate against the pack

        flows = load_flows(flows_path, pack)
    return LoadedPack(pack=pack, faq=faq, flows=flows, directory=directory)


def load_all(orgs_dir: Path | None = None) -> dict[str, LoadedPack]:
    """Every pack under ``orgs/``, keyed by slug, in a stable order."""
    base = orgs_dir or default_orgs_dir()
    if not base.is_dir():
        raise PackError(f"{base}: association packs folder not found")
    packs: dict[str, LoadedPack] = {}
    for d in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        packs[d.name] = load_pack(d)
    if not packs:
        raise PackError(f"{base}: no association packs found")
    return packs


@cache
def packs() -> dict[str, LoadedPack]:
    """Packs from the default folder, loaded once per process."""
    return load_all()
