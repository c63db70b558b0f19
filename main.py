"""Bayline: the desk client, the kiosk, and the sync commands for support and scripts.

Run with no command to open the shop on this computer's replica (a demo shop when there is
none yet).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app import logfiles
from app.console import closed_pipe, utf8_streams
from app.paths import default_data_dir

if TYPE_CHECKING:
    from app.db import Store


def setup_logging(data_dir: Path, *, command: str | None = None,
                  verbose: bool = False) -> None:
    """Log to the data folder: ``logs/desk.log`` for the desk, ``logs/cli.log`` for a
    command, so the two can run at once on Windows (see app/logfiles.py)."""
    logfiles.setup_logging(data_dir, "desk" if command is None else "cli", verbose=verbose)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bayline",
        description="Bayline — the shop system that keeps working through an outage.",
        epilog="Modes: with no command (or 'desk'), Bayline opens the front-desk window on "
               "this computer's replica (a demo shop the first time); 'boards' prints its "
               "queue and technician boards as text. 'login', 'sync', 'status' and "
               "'logout' manage the connection to the central server without a window.",
    )
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder of this replica (default: the platform's per-user data "
                             "folder; several replicas can live on one machine)")
    parser.add_argument("--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    desk = sub.add_parser("desk", help="open the front-desk window (the default)")
    desk.set_defaults(handler=cmd_desk)
    boards = sub.add_parser("boards", help="print the queue and technician boards as text")
    boards.set_defaults(handler=cmd_boards)
    __import__("sync.cli").cli.register(sub)  # login, sync, status, logout (sync/cli.py)
    return parser


def open_replica(data_dir: Path) -> Store:
    """The replica of ``data_dir``: a demo shop on first start; a damaged one is set aside
    and rebuilt (``app.recovery``), and the person told."""
    from app.demo import open_demo
    from app.paths import replica_path
    from app.recovery import open_replica as recover

    path = replica_path(data_dir)
    if not path.exists():
        print(f"Creating a demo shop in {data_dir} (first start only; a few seconds) ...",
              file=sys.stderr, flush=True)
        return open_demo(path)
    opened = recover(path)
    if opened.notice:
        print(f"bayline: {opened.notice}", file=sys.stderr)
    return opened.store


def cmd_desk(args: argparse.Namespace) -> int:
    """The front-desk window; it syncs when this replica is logged in to a server."""
    from sync import account
    from sync.engine import SyncEngine
    from sync.errors import SyncError
    from ui.desk.run import run_desk

    store = open_replica(args.data_dir)
    engine = None
    try:
        account.client_for(store).close()  # logged in, with its tokens in the keyring?
        engine = SyncEngine(store)
    except SyncError as exc:
        logging.getLogger("bayline").info("the desk runs without sync: %s", exc.message)
    try:
        return run_desk(store, engine)
    finally:
        store.close()


def cmd_boards(args: argparse.Namespace) -> int:
    from app.textboards import render_boards

    store = open_replica(args.data_dir)
    try:
        print(render_boards(store))
    finally:
        store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir or default_data_dir()
    # the window (no command, or 'desk') logs to desk.log; commands to cli.log
    desk = args.command in (None, "desk")
    try:
        setup_logging(args.data_dir, command=None if desk else args.command, verbose=args.verbose)
    except OSError as exc:  # a read-only or full data folder: say so, the command may still work
        print(f"bayline: cannot write the log in {args.data_dir}: {exc}", file=sys.stderr)
    handler = getattr(args, "handler", None) or cmd_desk
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("bayline: interrupted; nothing was lost (changes not yet sent are kept).",
              file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure ends with its code and words
        if isinstance(exc, OSError) and closed_pipe(exc):
            raise  # a reader that stopped early: run() ends quietly
        from sync.cli import _fail

        return _fail(exc)


def run() -> int:
    """``main()`` for a console: UTF-8 on every stream (Windows pipes use the ANSI code
    page), and a reader that stops early (``| head``, ``| more``) is no error."""
    utf8_streams()
    try:
        code = main()
        if sys.stdout is not None:
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except OSError as exc:
        if not closed_pipe(exc):
            raise
        return 1


if __name__ == "__main__":
    sys.exit(run())
