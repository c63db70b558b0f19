"""``python -m server``: migrate, create shops and users, purge tombstones, serve."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from app.console import utf8_streams
from server.config import Settings, default_database_url


def _url(args: argparse.Namespace) -> str:
    return str(args.database_url or default_database_url())


def cmd_migrate(args: argparse.Namespace) -> int:
    from server.db import migrate

    migrate(_url(args))
    print("database is up to date")
    return 0


def cmd_create_shop(args: argparse.Namespace) -> int:
    from server.admin import AdminError, create_shop
    from server.db import make_engine

    engine = make_engine(_url(args))
    try:
        shop_id = create_shop(engine, args.name)
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"created shop '{args.name}'")
    print(shop_id)
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from server.admin import AdminError, create_user
    from server.db import make_engine

    password = args.password
    if password is None:
        password = os.environ.get("BAYLINE_NEW_USER_PASSWORD")
    if password is None:
        import getpass

        password = getpass.getpass("Password: ")
    engine = make_engine(_url(args))
    try:
        user = create_user(engine, shop_id=args.shop, username=args.username,
                           password=password, role=args.role, display_name=args.display_name,
                           technician_id=args.technician_id, pin=args.pin)
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    tech = f", technician {user.technician_id}" if user.technician_id else ""
    print(f"created {user.role} '{user.username}'{tech}")
    print(user.id)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from server.db import Database
    from server.sync.purge import purge_tombstones

    db = Database.from_url(_url(args))
    try:
        print(f"purged {purge_tombstones(db, days=args.days)} tombstones")
    finally:
        db.dispose()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    url = _url(args)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.migrate or url.startswith("sqlite"):
        # The embedded SQLite default sets itself up; PostgreSQL is migrated on purpose.
        from server.db import migrate

        migrate(url)
    os.environ["BAYLINE_DATABASE_URL"] = url
    common: dict[str, object] = dict(host=args.host, port=args.port,
                                     log_level=args.log_level.lower(),
                                     access_log=args.access_log, timeout_graceful_shutdown=2)
    if args.workers > 1:
        uvicorn.run("server.app:create_app_from_env", factory=True, workers=args.workers,
                    **common)  # type: ignore[arg-type]
    else:
        from server.app import create_app

        uvicorn.run(create_app(Settings(database_url=url)), **common)  # type: ignore[arg-type]
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m server",
        description="Bayline's central API. Every command that needs a database takes "
                    "--database-url (or BAYLINE_DATABASE_URL); the default is a SQLite file "
                    "in the platform's data folder.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--database-url", help="e.g. postgresql+psycopg://user@host/db "
                                              "or sqlite:///path/server.sqlite")
        return p

    p = command("migrate", "Create or upgrade the server's tables.")
    p.set_defaults(func=cmd_migrate)

    p = command("create-shop", "Create a shop; prints its id alone on the last line.")
    p.add_argument("name")
    p.set_defaults(func=cmd_create_shop)

    p = command("create-user", "Create a user of a shop; prints the user id on the last line.")
    p.add_argument("--shop", required=True, help="the shop id")
    p.add_argument("--username", required=True)
    p.add_argument("--password", help="at least 8 characters (else asked for, or "
                                      "BAYLINE_NEW_USER_PASSWORD)")
    p.add_argument("--role", required=True,
                   choices=["admin", "manager", "clerk", "technician", "kiosk"])
    p.add_argument("--display-name")
    p.add_argument("--technician-id", help="the technician row a technician user is; made "
                                           "when missing")
    p.add_argument("--pin", help="a technician's kiosk PIN (4 to 8 digits)")
    p.set_defaults(func=cmd_create_user)

    p = command("purge", "Remove tombstones older than --days (at least 90).")
    p.add_argument("--days", type=int, default=90)
    p.set_defaults(func=cmd_purge)

    p = command("serve", "Run the API server.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes (pokes reach all of them on PostgreSQL)")
    p.add_argument("--migrate", action="store_true",
                   help="migrate the database first (always done for SQLite)")
    p.add_argument("--log-level", default=os.environ.get("BAYLINE_LOG_LEVEL", "info"),
                   choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--no-access-log", dest="access_log", action="store_false")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    utf8_streams()  # a shop or user name in a Windows pipe (ANSI code page) must not fail
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
