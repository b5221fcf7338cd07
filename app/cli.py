"""The ``sila`` command: serve, migrate, orgs (list, import), chat, ask.

Errors a person can fix (an unknown association, a wrong setting, an unreachable database) are
printed as one line on stderr with a non-zero exit, never as a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app.common import CliError, known_packs, preflight, settings_from
from app.logs import TEXT_FORMAT
from app.orgs_cli import add_import_parser
from bot.packs import PackError, load_all
from bot.settings import SettingsError


def cmd_migrate(args: argparse.Namespace) -> int:
    from storage.db import migrate

    settings = settings_from(args)
    asyncio.run(migrate(settings))
    print(f"database migrated: {_redact(settings.effective_database_url)}")
    return 0


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable url)"


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from app.server import create_app, prepare_for_traffic

    settings = settings_from(args)
    packs = load_all(Path(settings.orgs_dir) if settings.orgs_dir else None)  # a broken pack stops start-up here
    asyncio.run(preflight(settings, redis=True))
    app = create_app(settings, packs)
    prepare_for_traffic(app)
    print(f"Sila serving on http://{settings.host}:{settings.port}/chat/<slug>", flush=True)
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)
    return 0


def cmd_orgs(args: argparse.Namespace) -> int:
    packs = known_packs(settings_from(args))
    for slug, lp in packs.items():
        p = lp.pack
        print(f"{slug}\t{p.code}\t{p.name.ar}\t{p.name.en}")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from app.chat import run_chat

    settings = settings_from(args)
    known_packs(settings, [args.org])
    return asyncio.run(run_chat(settings, args.org, args.user, as_json=args.json))


def cmd_ask(args: argparse.Namespace) -> int:
    from app.ask import run_ask

    settings = settings_from(args)
    known_packs(settings, [args.org])
    if args.question == ["-"]:
        questions = None
    else:
        questions = [" ".join(args.question)]
    return asyncio.run(run_ask(settings, args.org, questions, as_json=args.json))


def cmd_keys_new(args: argparse.Namespace) -> int:
    from storage.crypto import new_key

    print(new_key())
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    """Re-encrypt data under SILA_DATA_KEY; old keys must be listed in SILA_DATA_KEYS_OLD."""
    from storage.crypto import load_cipher, rotate_stored
    from storage.db import create_database

    settings = settings_from(args)

    async def _run() -> int:
        db = create_database(settings)
        try:
            return await rotate_stored(db, load_cipher(settings))
        finally:
            await db.dispose()

    print(f"re-encrypted {asyncio.run(_run())} value(s) under the current key")
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    """Telegram helpers; the channel code is imported only here, so other commands stay light."""
    settings = settings_from(args)
    known_packs(settings, [args.org])
    if args.telegram_command == "set-webhook":
        from channels.telegram import set_webhook

        url = asyncio.run(set_webhook(settings, args.org))
        print(f"telegram webhook for {args.org}: {url}")
        return 0
    from app.polling import run_polling

    return asyncio.run(run_polling(settings, args.org))


def cmd_staff_add(args: argparse.Namespace) -> int:
    """Create a console account (the first admin, typically); the password comes from stdin or a prompt."""
    import getpass

    from app.common import open_database
    from console.auth import StaffError, create_staff

    settings = settings_from(args)
    orgs = [o.strip() for o in args.org.split(",") if o.strip()]
    packs = known_packs(settings, orgs)
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise CliError("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")

    async def _run() -> str:
        from wiring.runtime import sync_associations

        async with open_database(settings) as db:
            await sync_associations(db, packs)
            return await create_staff(db, email=args.email, name=args.name, role=args.role, orgs=orgs,
                                      password=password, known_orgs=set(packs), actor="cli",
                                      system_admin=args.system_admin)

    messages = {"email": "invalid --email", "name": "--name is required (120 characters at most)",
                "role": "--role must be admin, officer or coordinator (--system-admin needs --role admin)",
                "orgs": "--org: give at least one slug",
                "password": "the password must be 10 to 256 characters", "exists": "an account with this email exists"}
    try:
        staff_id = asyncio.run(_run())
    except StaffError as exc:
        raise CliError(messages.get(str(exc), str(exc))) from None
    scope = "; system-wide administrator" if args.system_admin else ""
    print(f"staff {staff_id} created: {args.email.strip().lower()} ({args.role}; {', '.join(orgs)}{scope})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sila", description="Sila (صلة): messaging assistant for associations")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the web server (web chat, webhooks, console)")
    p.add_argument("--port", type=int)
    p.add_argument("--host")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("orgs", help="associations")
    orgs_sub = p.add_subparsers(dest="orgs_command", required=True)
    orgs_sub.add_parser("list", help="list the association packs").set_defaults(func=cmd_orgs)
    add_import_parser(orgs_sub)
    p = sub.add_parser("keys", help="data-encryption keys")
    keys_sub = p.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("new", help="print a new random SILA_DATA_KEY").set_defaults(func=cmd_keys_new)
    keys_sub.add_parser("rotate", help="re-encrypt stored IDs under SILA_DATA_KEY").set_defaults(func=cmd_keys_rotate)
    p = sub.add_parser("chat", help="talk to the engine from the terminal")
    p.add_argument("--org", required=True)
    p.add_argument("--user", default="local")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("ask", help="one stateless answer decision")
    p.add_argument("--org", required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("question", nargs="+", help="the question, or '-' to read one per line from stdin")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("staff", help="staff console accounts")
    staff_sub = p.add_subparsers(dest="staff_command", required=True)
    sp = staff_sub.add_parser("add", help="create a console account; password from stdin or a prompt")
    sp.add_argument("--email", required=True)
    sp.add_argument("--name", required=True)
    sp.add_argument("--role", required=True, choices=["admin", "officer", "coordinator"])
    sp.add_argument("--org", required=True, help="association slug(s), comma-separated")
    sp.add_argument("--system-admin", action="store_true",
                    help="with --role admin: also sees the audit rows of no association (sign-ins, accounts, exports)")
    sp.set_defaults(func=cmd_staff_add)
    p = sub.add_parser("telegram", help="Telegram bot helpers")
    tg_sub = p.add_subparsers(dest="telegram_command", required=True)
    for name, help_text in (("set-webhook", "register <public base URL>/telegram/<slug>/webhook with Telegram"),
                            ("poll", "development: long-poll Telegram and answer, no public URL needed")):
        tp = tg_sub.add_parser(name, help=help_text)
        tp.add_argument("--org", required=True)
        tp.set_defaults(func=cmd_telegram)
    from app.broadcast_cli import add_broadcast_parser
    from app.privacy_cli import add_privacy_parser

    add_broadcast_parser(sub)
    add_privacy_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format=TEXT_FORMAT)
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CliError, SettingsError, PackError) as exc:
        print(f"sila: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
