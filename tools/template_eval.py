"""How well a newly imported association answers: the five seed policies imported afresh, scored.

    python -m tools.template_eval [--seeds DIR] [--failures] [--keep DIR] [SET.jsonl ...]

Why: an association that joins with ``sila orgs import`` gets its FAQ phrasings from
``bot/importer/faq_templates.yaml``, not from the hand-tuned packs of ``orgs/``; scoring the
packs of ``orgs/`` says nothing about them. Each seed policy is imported into a temporary
folder under its association's slug, and the development sets are asked of those packs through
the real engine and scored by ``scripts/eval_faq.py`` (the shared scorer's rule). Defaults to
tests/eval/dev.jsonl, dev2.jsonl and faq_eval.jsonl; the held-out sets are refused, since
tuning the templates on them would empty them of meaning.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bot.importer.pack_writer import import_policy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from eval_faq import run_heldout  # noqa: E402

#: seed file prefix -> the slug its association has in orgs/ (the sets name associations by slug)
SLUGS = {"000": "taheel", "001": "amass", "002": "ilm-alhajj", "003": "rida", "004": "ratel"}
DEV_SETS = [ROOT / "tests/eval" / n for n in ("dev.jsonl", "dev2.jsonl", "faq_eval.jsonl")]


def import_seeds(seeds: Path, orgs_dir: Path) -> None:
    for prefix, slug in SLUGS.items():
        policy = next(seeds.glob(f"{prefix}_*.txt"), None)
        if policy is None:
            raise SystemExit(f"{seeds}: no seed policy {prefix}_*.txt")
        import_policy(policy, slug, orgs_dir)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("sets", nargs="*", type=Path, default=DEV_SETS)
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--failures", action="store_true", help="print every question that does not pass")
    ap.add_argument("--keep", type=Path, default=None, help="import into this folder and leave the packs there")
    args = ap.parse_args(argv)
    if any(p.name.startswith("heldout") for p in args.sets):
        raise SystemExit("held-out sets are not for tuning the templates; use the development sets")
    with tempfile.TemporaryDirectory(prefix="sila-templates-") as tmp:
        orgs_dir = args.keep or Path(tmp) / "orgs"
        import_seeds(args.seeds, orgs_dir)
        for path in args.sets:
            run_heldout(path, Path(tmp) / path.stem, failures=args.failures, orgs_dir=orgs_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
