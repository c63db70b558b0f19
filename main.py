"""Bayline: the desk client, the kiosk, and the sync commands for support and scripts.

Run with no command to open the shop on this computer's replica (a demo shop when there is
none yet).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from app import logfiles
from app.console import closed_pipe, utf8_streams
from app.paths import default_data_dir

if TYPE_CHECKING:
    from app.db import Store
    from app.recovery import Opened
    from sync.engine import SyncEngine

#: When this process began, for ``--smoke``'s time to the window.
STARTED = time.perf_counter()


def setup_logging(data_dir: Path, *, command: str | None = None,
                  verbose: bool = False, kind: str | None = None) -> None:
    """Log to the data folder: ``logs/desk.log`` for the desk, ``logs/cli.log`` for a
    command, ``logs/server.log`` for the demo server, so they can run at once on Windows
    (see app/logfiles.py)."""
    chosen = kind or ("desk" if command in (None, "desk") else "cli")
    logfiles.setup_logging(data_dir, chosen, verbose=verbose)  # type: ignore[arg-type]
    # The scheduler logs every run of the sync engine's timers (once a minute, all day).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bayline",
        description="Bayline — the shop system that keeps working through an outage.",
        epilog="Modes: with no command (or 'desk'), Bayline opens the front-desk window on "
               "this computer's replica (the first time: the demo shop, served by this "
               "computer's own demo server); 'boards' prints its queue and technician boards "
               "as text. 'login', 'sync', 'status' and "
               "'logout' manage the connection to the central server without a window.",
    )
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder of this replica (default: the platform's per-user data "
                             "folder; several replicas can live on one machine)")
    parser.add_argument("--verbose", action="store_true", help="log debug detail")
    parser.add_argument("--smoke", action="store_true",
                        help="check this installation without showing a window: open the "
                             "demo shop with its local server, build the window, sync once, "
                             "move a job through the window and see it on the server; prints "
                             "one line of JSON, exit 0 when all went well")
    parser.add_argument("--kiosk", action="store_true",
                        help="open the technicians' kiosk instead of the desk: full screen, "
                             "touch, PIN sign-in (its replica in <data>/kiosk; on the demo it "
                             "joins the demo server as the kiosk device); with --smoke, check "
                             "the kiosk end to end instead")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    desk = sub.add_parser("desk", help="open the front-desk window (the default)")
    desk.set_defaults(handler=cmd_desk)
    boards = sub.add_parser("boards", help="print the queue and technician boards as text")
    boards.set_defaults(handler=cmd_boards)
    __import__("sync.cli").cli.register(sub)  # login, sync, status, logout (sync/cli.py)
    return parser


def open_recovered(data_dir: Path) -> Opened:
    """The replica of ``data_dir`` as it is (an empty one when there is none); a damaged
    one is set aside and rebuilt (``app.recovery``), and the person told (``.notice``; the
    desk shows it too)."""
    from app.db import Store
    from app.paths import replica_path
    from app.recovery import Opened
    from app.recovery import open_replica as recover

    path = replica_path(data_dir)
    if not path.exists():
        return Opened(Store(path))
    opened = recover(path)
    if opened.notice:
        print(f"bayline: {opened.notice}", file=sys.stderr)
    return opened


def open_store(data_dir: Path) -> Store:
    """``open_recovered(data_dir).store``."""
    return open_recovered(data_dir).store


def open_replica(data_dir: Path) -> Store:
    """The replica of ``data_dir`` for the text boards: a new one (or one of the demo)
    joins this computer's demo server and syncs once, saying so on stderr."""
    from sync import demo

    store = open_store(data_dir)
    if not demo.wants_demo(store):
        return store

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    from sync.errors import SyncError
    from sync.syncer import Syncer

    try:
        session = demo.join_demo(store, progress=say)
    except SyncError as exc:
        say(f"bayline: the demo shop's server is not available ({exc.message}); showing "
            "this computer's replica as it is.")
        return store
    api = None
    try:
        from sync import account

        api = account.client_for(session.store, token_store=session.token_store)
        if session.store.state().cursor == 0:
            say("Fetching the demo shop from its server (first start; a few seconds) ...")
        Syncer(session.store, api).round()
    except SyncError as exc:
        say(f"bayline: could not sync with the demo shop's server ({exc.message}).")
    finally:
        if api is not None:
            api.close()
        if session.server.started:  # a one-off command leaves nothing running behind it
            demo.stop_demo_server(session.server.folder)
    return session.store


def cmd_desk(args: argparse.Namespace) -> int:
    """The front-desk window. A new replica, or one of the demo, opens on the demo shop
    served by this computer's demo server (``ui.demo``); a replica logged in to a shop's
    server syncs with it."""
    from sync import demo
    from ui.desk.run import claim_desk, run_desk

    # before the replica is opened (migrated, perhaps set aside and rebuilt, joined to the
    # demo): a second start must not touch the file a running desk holds open; it only
    # brings that desk forward
    single = claim_desk(args.data_dir)
    if single is None:
        return 0
    try:
        opened = open_recovered(args.data_dir)
        store = opened.store
        engine = None
        on_ready = None
        if demo.wants_demo(store):
            from ui.demo import first_sync_notice, start_demo

            store, engine = start_demo(store)
            on_ready = first_sync_notice
        else:
            engine = real_engine(store)
        try:
            return run_desk(store, engine, on_ready=on_ready, single=single, recovered=opened)
        finally:
            store.close()
    finally:
        single.release()  # no-op when run_desk released it


def real_engine(store: Store) -> SyncEngine | None:
    """The sync engine of a replica logged in to a shop's server (its tokens in the
    keyring); None when it cannot sync yet (the window says so and offers to sign in)."""
    from sync import account
    from sync.engine import SyncEngine
    from sync.errors import SyncError

    try:
        account.client_for(store).close()  # logged in, with its tokens in the keyring?
    except SyncError as exc:
        logging.getLogger("bayline").info("the desk runs without sync: %s", exc.message)
        return None
    return SyncEngine(store)


def cmd_boards(args: argparse.Namespace) -> int:
    from app.textboards import render_boards

    store = open_replica(args.data_dir)
    try:
        print(render_boards(store))
    finally:
        store.close()
    return 0


def cmd_smoke(args: argparse.Namespace) -> int:
    if getattr(args, "kiosk", False):
        from ui.kiosk.smoke import run_kiosk_smoke

        return run_kiosk_smoke(args.data_dir, started=args.started)
    from ui.smoke import run_smoke

    return run_smoke(args.data_dir, started=args.started)


def cmd_kiosk(args: argparse.Namespace) -> int:
    """The technicians' kiosk, full screen, on its own replica in ``<data>/kiosk``: the demo
    shop as the demo's kiosk device, or the shop its replica was logged in to (``bayline
    --data-dir <data>/kiosk login ...`` with the kiosk's device account)."""
    from sync import demo
    from ui.application import create_application
    from ui.desk.single import SingleInstance
    from ui.kiosk.run import kiosk_dir, run_kiosk, start_demo_kiosk

    folder = kiosk_dir(args.data_dir)
    create_application(mode="kiosk")
    single = SingleInstance(folder)
    if not single.acquire():
        return 0  # a kiosk already runs on this folder
    try:
        store = open_recovered(folder).store
        engine = None
        if demo.wants_demo(store):
            store, engine = start_demo_kiosk(store)
        else:
            engine = real_engine(store)
        try:
            return run_kiosk(store, engine)
        finally:
            store.close()
    finally:
        single.release()


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
    setup_logging(folder, kind="server", verbose=args.verbose)
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
    if args.smoke:
        # A throwaway replica (unless --data-dir names one) and no window on any screen.
        import tempfile

        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        args.started = STARTED
        if args.data_dir is None:
            with tempfile.TemporaryDirectory(prefix="bayline-smoke-",
                                             ignore_cleanup_errors=True) as tmp:
                args.data_dir = Path(tmp)
                setup_logging(args.data_dir, verbose=args.verbose)
                try:
                    return cmd_smoke(args)
                finally:
                    logging.shutdown()
                    for h in list(logging.getLogger().handlers):
                        logging.getLogger().removeHandler(h)
        setup_logging(args.data_dir, verbose=args.verbose)
        return cmd_smoke(args)
    args.data_dir = args.data_dir or default_data_dir()
    if args.kiosk and args.command is None:
        try:  # the kiosk logs beside its own replica (logs/kiosk.log), never in the desk's
            setup_logging(args.data_dir / "kiosk", kind="kiosk", verbose=args.verbose)
        except OSError as exc:
            print(f"bayline: cannot write the log in {args.data_dir}: {exc}", file=sys.stderr)
        return cmd_kiosk(args)
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
