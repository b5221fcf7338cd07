"""Association packs: everything Sila knows about one association, as data.

A pack lives in ``orgs/<slug>/``: ``pack.yaml`` (facts taken from the association's policy),
``faq.yaml`` (questions beneficiaries ask and the policy's answers) and ``flows.yaml``
(step-by-step requests). Nothing about one association is hard-coded in the engine.

Packs are validated at start; a wrong pack stops the service with one line naming the file,
the key and the problem, because a half-loaded association would answer beneficiaries wrongly.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.flows.schema import FlowDef, load_flows
from bot.pack_model import (
    FaqKnowledge,
    FaqTopic,
    Localized,
    Pack,
    PackError,
)

__all__ = ["FaqTopic", "LoadedPack", "Localized", "Pack", "PackError", "load_all", "load_pack", "packs"]


class LoadedPack(BaseModel):
    """A validated pack with its knowledge and (opaque here) flow definitions."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    pack: Pack
    faq: FaqKnowledge
    flows: dict[str, FlowDef] = Field(default_factory=dict)
    directory: Path


def default_orgs_dir() -> Path:
    env = os.environ.get("SILA_ORGS_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "orgs"
    return here


#: libyaml's parser when PyYAML has it (its wheels do): the same safe constructor, ten times
#: faster than the pure-Python one, which was most of a worker's start-up with many packs
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(fh: Any) -> Any:
    """``yaml.safe_load`` with the fastest safe loader available."""
    return yaml.load(fh, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return read_yaml(fh)
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
    flows: dict[str, FlowDef] = {}
    flows_path = directory / "flows.yaml"
    if flows_path.exists():
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
