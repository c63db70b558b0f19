"""Bayline: the desk client, the kiosk, and the sync commands for support and scripts.

Run with no command to open the shop on this computer's replica (a demo shop when there is
none yet).
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import default_data_dir, log_dir

if TYPE_CHECKING:
    from app.db import Store


def setup_logging(data_dir: Path, *, verbose: bool = False) -> None:
    """Log to a rotating file in the data folder (and warnings to stderr)."""
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(folder / "bayline.log", maxBytes=2_000_000,
                                                   backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.addHandler(handler)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    root.addHandler(console)
    # httpx logs request URLs at INFO; never let a library log headers (tokens) at DEBUG.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


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
    """The replica of ``data_dir``; a demo shop is made on first start."""
    from app.demo import open_demo
    from app.paths import replica_path

    path = replica_path(data_dir)
    if not path.exists():
        print(f"Creating a demo shop in {data_dir} (first start only; a few seconds) ...",
              file=sys.stderr, flush=True)
    return open_demo(path)


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


def demo_server(argv: list[str]) -> int:
    """The hidden ``demo-server`` mode: this computer's demo shop server, in the foreground
    (``sync.demo`` starts it; it runs from the frozen executable too)."""
    from app.paths import demo_server_dir

    parser = argparse.ArgumentParser(prog="bayline demo-server")
    parser.add_argument("--demo-dir", type=Path, default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--idle-exit", type=float, default=None,
                        help="stop after this many seconds without a request (0: never)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    folder = args.demo_dir or demo_server_dir()
    setup_logging(folder, verbose=args.verbose)
    from server import demo

    idle = args.idle_exit
    if idle is None:
        idle = float(os.environ.get("BAYLINE_DEMO_IDLE_EXIT") or demo.DEFAULT_IDLE_EXIT)
    try:
        return demo.serve(folder, port=args.port, idle_exit=idle or None)
    except Exception:
        logging.getLogger("bayline.demo").exception("the demo server failed")
        return 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo-server"]:
        return demo_server(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir or default_data_dir()
    setup_logging(args.data_dir, verbose=args.verbose)
    handler = getattr(args, "handler", None) or cmd_desk
    return int(handler(args) or 0)


def run() -> int:
    """``main()`` for a console: a reader that stops early (``| head``) is no error."""
    try:
        return main()
    except BrokenPipeError:
        # Python's advice: point stdout at devnull so the interpreter's final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(run())
