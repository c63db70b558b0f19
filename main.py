"""Bayline: the desk client, the kiosk, and the sync commands for support and scripts.

Run with no command to open the shop on this computer's replica (a demo shop when there is
none yet).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import logfiles
from app.console import closed_pipe, utf8_streams
from app.paths import default_data_dir


def setup_logging(data_dir: Path, *, command: str | None = None,
                  verbose: bool = False) -> None:
    """Log to the data folder: ``logs/desk.log`` for the desk, ``logs/cli.log`` for a
    command, so the two can run at once on Windows (see app/logfiles.py)."""
    logfiles.setup_logging(data_dir, "desk" if command is None else "cli", verbose=verbose)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bayline",
        description="Bayline — the shop system that keeps working through an outage.",
        epilog="Modes: with no command (or 'boards'), Bayline opens this computer's replica "
               "(a demo shop the first time) and prints its queue and technician boards as "
               "text; the front-desk window will replace that. 'login', 'sync', 'status' and "
               "'logout' manage the connection to the central server without a window.",
    )
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder of this replica (default: the platform's per-user data "
                             "folder; several replicas can live on one machine)")
    parser.add_argument("--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    boards = sub.add_parser("boards", help="print the queue and technician boards as text")
    boards.set_defaults(handler=cmd_boards)
    __import__("sync.cli").cli.register(sub)  # login, sync, status, logout (sync/cli.py)
    return parser


def cmd_boards(args: argparse.Namespace) -> int:
    from app.demo import open_demo
    from app.paths import replica_path
    from app.textboards import render_boards

    path = replica_path(args.data_dir)
    if not path.exists():
        print(f"Creating a demo shop in {args.data_dir} (first start only; a few seconds) ...",
              file=sys.stderr, flush=True)
        store = open_demo(path)
    else:  # a damaged replica is set aside and rebuilt, and the person told
        from app.recovery import open_replica

        opened = open_replica(path)
        if opened.notice:
            print(f"bayline: {opened.notice}", file=sys.stderr)
        store = opened.store
    try:
        print(render_boards(store))
    finally:
        store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir or default_data_dir()
    try:
        setup_logging(args.data_dir, command=args.command, verbose=args.verbose)
    except OSError as exc:  # a read-only or full data folder: say so, the command may still work
        print(f"bayline: cannot write the log in {args.data_dir}: {exc}", file=sys.stderr)
    handler = getattr(args, "handler", None) or cmd_boards
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
