"""``sila privacy export|erase``: a person's data rights from the command line.

Thin: the actions are :mod:`wiring.privacy` (the console's privacy page calls the same ones).
``export`` writes the JSON to ``--out`` (or stdout) and prints the Arabic and English summary;
``erase`` asks for the association's slug to be typed again unless ``--yes`` is given, because
it cannot be undone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from app.common import CliError, known_packs, open_database, preflight, settings_from
from storage.crypto import load_cipher
from wiring.privacy import PrivacyError, Subject, erase_person, export_person
from wiring.runtime import open_runtime


def _subject(args: argparse.Namespace) -> Subject:
    return Subject(args.org, phone=args.phone, reference=args.reference, national_id=args.national_id)


def cmd_privacy(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    known_packs(settings, [args.org])
    who = _subject(args)
    if args.privacy_command == "erase" and not args.yes:
        if not sys.stdin.isatty():
            raise CliError("erase cannot be undone: add --yes to confirm")
        if input(f"erase this person's data in {args.org}? type the slug to confirm: ").strip() != args.org:
            raise CliError("not confirmed; nothing erased")

    async def _run() -> dict[str, object]:
        await preflight(settings)
        cipher = load_cipher(settings)
        if args.privacy_command == "export":
            async with open_database(settings) as db:
                return await export_person(db, cipher, who, actor="cli")
        # the deployment's own conversation locks (Redis across workers): no worker can write a
        # conversation back from memory while it is being erased, nor trust a cached copy after
        async with open_runtime(settings) as runtime:
            assert runtime.db is not None
            return await erase_person(runtime.db, cipher, who, actor="cli", locks=runtime.locks)

    try:
        result = asyncio.run(_run())
    except PrivacyError as exc:
        raise CliError(str(exc)) from None
    if args.privacy_command == "erase":
        counts = result["counts"]
        assert isinstance(counts, dict)
        print(f"erased: now known only as {result['pseudonym']}; "
              + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    document = json.dumps(result, ensure_ascii=False, indent=2)
    summary = result["summary"]
    assert isinstance(summary, dict)
    if args.out:
        Path(args.out).write_text(document + "\n", encoding="utf-8")
        print(summary["ar"] + "\n\n" + summary["en"])
        print(f"\nJSON written to {args.out}")
    else:
        print(document)
    return 0


def add_privacy_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("privacy", help="a person's data rights: a copy of their data, or erasure")
    psub = p.add_subparsers(dest="privacy_command", required=True)
    for name, help_text in (("export", "everything held about a person, as JSON with a readable summary"),
                            ("erase", "remove a person's data; what reports count is kept under a pseudonym")):
        sp = psub.add_parser(name, help=help_text)
        sp.add_argument("--org", required=True, help="association slug")
        who = sp.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone", help="mobile number (E.164 or as usually written)")
        who.add_argument("--reference", help="a request reference, e.g. AMS-26-00042")
        who.add_argument("--national-id", dest="national_id", help="national ID or iqama number")
        if name == "export":
            sp.add_argument("--out", help="write the JSON here instead of stdout")
        else:
            sp.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        sp.set_defaults(func=cmd_privacy)
