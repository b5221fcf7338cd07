"""`sila orgs import`: an association joins by importing its beneficiary relationship policy.

The command is thin on purpose: reading, extracting and writing the pack are the core's
(bot/importer), so a console page can call the same action later; this module only parses
arguments, picks the packs folder (``--orgs-dir``, else ``SILA_ORGS_DIR``, else ``orgs/``)
and prints the report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.common import CliError
from bot.packs import default_orgs_dir
from bot.settings import load_settings


def cmd_orgs_import(args: argparse.Namespace) -> int:
    # imported here so every other `sila` command starts without the importer (and pypdf)
    from bot.importer.pack_writer import ImportRefused, import_policy
    from bot.importer.reader import PolicyReadError

    if args.orgs_dir:
        orgs_dir = Path(args.orgs_dir)
    else:
        settings = load_settings()
        orgs_dir = Path(settings.orgs_dir) if settings.orgs_dir else default_orgs_dir()
    try:
        result = import_policy(Path(args.policy), args.slug, orgs_dir, code=args.code, force=args.force)
    except (ImportRefused, PolicyReadError) as exc:
        raise CliError(str(exc)) from None
    sys.stdout.write(result.report.render(str(result.directory)))
    return 0


def add_import_parser(orgs_sub: Any) -> None:
    """Hook `import` under `sila orgs` (``orgs_sub`` is the argparse sub-parsers action)."""
    p = orgs_sub.add_parser("import", help="make an association pack from its policy (.txt, .md, .docx, .pdf)")
    p.add_argument("policy", metavar="POLICY_FILE")
    p.add_argument("--slug", required=True, help="the association's id in URLs, e.g. amass")
    p.add_argument("--code", help="three letters that prefix case references (default: from the slug)")
    p.add_argument("--orgs-dir", help="packs folder (default: SILA_ORGS_DIR, else orgs/)")
    p.add_argument("--force", action="store_true", help="replace an existing pack with the same slug")
    p.set_defaults(func=cmd_orgs_import)
