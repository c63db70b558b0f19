"""The headless commands: ``login``, ``sync``, ``status``, ``logout``.

For support and scripts; each works on the replica of the global ``--data-dir``. ``sync``
runs one full round in the foreground (push everything, pull to head) and exits non-zero
with a readable reason when it cannot. Exit codes: 0 done, 1 could not sync (see the
message; also an unexpected error, whose traceback goes to the log file only), 3 log in
needed, 4 server unreachable, 5 server error, 6 this version is too old, 7 replica and
server disagree, 8 problem on this computer (the local database busy, full, read-only, or
a password store missing). Every command ends with its code and words, never a traceback
(``_fail``, also called by ``main.main`` for anything a command did not catch).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.timeutil import to_rfc3339

# Only the standard library at import time: main.py builds its parser on every start, and
# the sync machinery (httpx, SQLAlchemy, keyring) is loaded when a sync command runs.
if TYPE_CHECKING:
    from app.db import Store
    from sync.errors import SyncError

#: Exit code per ``ErrorKind`` value.
EXIT_CODES: dict[str, int] = {
    "auth": 3, "network": 4, "server": 5, "too_old": 6, "conflict": 7, "local": 8,
}


def register(subparsers: Any) -> None:
    """Add the sync commands to ``main.py``'s sub-parsers."""
    p = subparsers.add_parser("login", help="connect this replica to a server and keep the "
                                            "session in the OS password store")
    p.add_argument("--server", required=True, help="the server's address, e.g. https://shop.example:8765")
    p.add_argument("--username", required=True)
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.add_argument("--fresh", action="store_true",
                   help="set aside (rename, not delete) a replica that holds a demo or another "
                        "shop, and start an empty one for this server")
    p.set_defaults(handler=cmd_login)

    p = subparsers.add_parser("sync", help="push every waiting change and pull to the "
                                           "server's head, once, in the foreground")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=cmd_sync)

    p = subparsers.add_parser("status", help="server, user, cursor, changes waiting, conflicts")
    p.add_argument("--json", action="store_true", help="print the status as JSON")
    p.set_defaults(handler=cmd_status)

    p = subparsers.add_parser("logout", help="end the session and forget its tokens; the "
                                             "replica and its waiting changes stay")
    p.set_defaults(handler=cmd_logout)


def _fail(exc: BaseException) -> int:
    """Print why a command failed, in words, and return its exit code (module docstring).

    A ``SyncError`` or ``StorageError`` carries its own words; anything else is a bug: its
    traceback goes to the log file only, and the person reads what to do.
    """
    from app.errors import BaylineError, StorageError
    from sync.errors import SyncError

    if isinstance(exc, SyncError):
        print(f"bayline: {exc.message}", file=sys.stderr)
        return EXIT_CODES.get(exc.kind.value, 1)
    if isinstance(exc, StorageError):
        print(f"bayline: {exc.message}", file=sys.stderr)
        return EXIT_CODES["local"]
    if isinstance(exc, BaylineError):
        print(f"bayline: {exc.message}", file=sys.stderr)
        return 1
    log = logging.getLogger("bayline")
    log.error("a command failed with an unexpected error", exc_info=exc,
              extra={"console": False})
    print(f"bayline: the command stopped on an unexpected error ({type(exc).__name__}: {exc}). "
          "Nothing was lost: changes not yet sent are kept. The details are in the log "
          "(the 'logs' folder of the data folder); please send it to support.", file=sys.stderr)
    return 1


def _open(data_dir: Path) -> Store:
    """The replica of ``data_dir``; a damaged one is set aside and rebuilt (the person is
    told on stderr)."""
    from app.paths import replica_path
    from app.recovery import open_replica

    opened = open_replica(replica_path(data_dir))
    if opened.notice:
        print(f"bayline: {opened.notice}", file=sys.stderr)
    return opened.store


def cmd_login(args: argparse.Namespace) -> int:
    from app.errors import StorageError
    from sync import account, deskuser
    from sync.credentials import TokenStore
    from sync.errors import SyncError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
    if not password:
        print("bayline: no password given", file=sys.stderr)
        return 2
    try:
        store = _open(args.data_dir)
    except StorageError as exc:
        return _fail(exc)
    try:
        outcome = account.login(store, args.server, args.username, password, fresh=args.fresh)
    except (SyncError, StorageError) as exc:
        store.close()
        return _fail(exc)
    store = outcome.store
    # the desk's lock can then be opened by this person while the server is away
    deskuser.remember_password(TokenStore(), str(store.state().server_url), args.username,
                               password)
    try:
        user = outcome.user
        if outcome.set_aside is not None:
            print(f"The previous replica was set aside as {outcome.set_aside}.")
        print(f"Logged in to {store.state().server_url} as {user.get('username')} "
              f"({user.get('role')}), shop {user.get('shop_id')}.")
        print("Run 'sync' to fetch the shop's data.")
    finally:
        store.close()
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from app.errors import StorageError
    from app.paths import replica_path
    from sync import account
    from sync.clock import SystemClock
    from sync.errors import ErrorKind, SyncError
    from sync.http import call_with_retries
    from sync.settings import SyncSettings
    from sync.status import SyncStatus
    from sync.syncer import Syncer, retry_held

    if not replica_path(args.data_dir).exists():
        return _fail(SyncError(ErrorKind.AUTH, f"There is no replica in {args.data_dir}; "
                                               "log in first."))
    settings = SyncSettings()
    clock = SystemClock()
    try:
        store = _open(args.data_dir)
    except StorageError as exc:
        return _fail(exc)
    try:
        retry_held(store)  # every hold, at each start (after any migration)
        api = account.client_for(store, settings=settings, clock=clock)
        try:
            syncer = Syncer(store, api, settings=settings, clock=clock)
            result = call_with_retries(syncer.round, settings=settings, clock=clock)
        except SyncError as exc:
            syncer_error(store, exc)
            raise
        finally:
            api.close()
        facts = account.describe(store)
    except (SyncError, StorageError) as exc:
        store.close()
        return _fail(exc)
    store.close()
    if args.json:
        print(json.dumps({"pushed": result.pushed, "refused": result.refused,
                          "pulled_rows": result.pulled_rows, "requests": result.requests,
                          **facts}, indent=2))
    else:
        print(f"Synced: {result.pushed} change(s) sent, {result.pulled_rows} row(s) received "
              f"in {result.requests} request(s); cursor {facts['cursor']}.")
        if result.refused:
            print(f"{result.refused} change(s) were not accepted by the server; see 'status'.")
        if facts["changes_waiting"]:
            print(f"{facts['changes_waiting']} change(s) still waiting.")
    if facts["not_applied"]:
        print(f"bayline: {facts['not_applied_summary']} ({facts['not_applied_reason']}); it "
              "is kept and tried again at the next start. See 'status'.", file=sys.stderr)
    warning = SyncStatus(clock_skew=api.clock_skew).clock_warning
    if warning:
        print(f"Warning: {warning}.", file=sys.stderr)
    return 0


def syncer_error(store: Store, exc: SyncError) -> None:
    """Remember the failure for ``status`` (best effort)."""
    from app.errors import StorageError
    from sync.outbox import sync_state

    try:
        with store.write_session() as s:
            sync_state(s).last_error = f"{exc.kind.value}: {exc.message}"
    except StorageError:
        pass


def _refused_facts(change: Any) -> dict[str, Any]:
    return {"mutation_id": change.mutation_id, "status": change.status,
            "entity": change.entity, "row_id": change.row_id, "reason": change.reason,
            "mine": change.mine, "theirs": change.theirs, "at": to_rfc3339(change.at),
            "operation_id": change.operation_id,
            "taken_along": [{"mutation_id": o.mutation_id, "entity": o.entity,
                             "row_id": o.row_id} for o in change.others]}


def cmd_status(args: argparse.Namespace) -> int:
    from app.errors import StorageError
    from app.paths import replica_path
    from sync import account, outcomes

    path = replica_path(args.data_dir)
    if not path.exists():
        facts: dict[str, Any] = {"server": None, "user": None, "client_id": None, "cursor": None,
                                 "changes_waiting": 0, "open_conflicts": 0,
                                 "last_sync_at": None, "replica": None}
    else:
        try:
            store = _open(args.data_dir)
        except StorageError as exc:
            return _fail(exc)
        try:
            facts = {**account.describe(store), "replica": str(path),
                     "refused": [_refused_facts(r) for r in outcomes.refused_changes(store)]}
        finally:
            store.close()
    if args.json:
        print(json.dumps(facts, indent=2))
        return 0
    if facts["replica"] is None:
        print(f"No replica in {args.data_dir} yet.")
        return 0
    rows = [
        ("Server", facts["server"] or "not connected"),
        ("User", f"{facts['user']} ({facts['role']})" if facts["user"] else "not logged in"),
        ("Shop", facts["shop_id"]),
        ("Client id", facts["client_id"]),
        ("Cursor", facts["cursor"]),
        ("Changes waiting", facts["changes_waiting"]),
        ("Open conflicts", facts["open_conflicts"]),
        ("Refused changes", facts["refused_changes"]),
        ("Last sync", facts["last_sync_at"] or "never"),
    ]
    if facts.get("not_applied"):
        rows.append(("Not applied", facts["not_applied_summary"]))
    if facts.get("last_error"):
        rows.append(("Last error", facts["last_error"]))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    for held in facts.get("not_applied_details", []):
        what = held["entity"].replace("_", " ")
        print(f"\nNot applied: {what} {held['row_id']} (from the server, {held['at']}, "
              f"tried {held['attempts']} time(s))")
        print(f"  why:    {held['reason']}")
    for change in facts.get("refused", []):  # one per refused operation (one click)
        what = change["entity"].replace("_", " ")
        along = "".join(f"; refused with it: {o['entity'].replace('_', ' ')} (change "
                        f"{o['mutation_id']})" for o in change["taken_along"])
        print(f"\n{change['status'].capitalize()}: {what} {change['row_id']} "
              f"(change {change['mutation_id']}, {change['at']}{along})")
        print(f"  why:    {change['reason']}")
        print(f"  sent:   {json.dumps(change['mine'], ensure_ascii=False)}")
        print(f"  server: {json.dumps(change['theirs'], ensure_ascii=False)}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from app.errors import StorageError
    from app.paths import replica_path
    from sync import account
    from sync.errors import SyncError

    if not replica_path(args.data_dir).exists():
        print("Not logged in.")
        return 0
    try:
        store = _open(args.data_dir)
    except StorageError as exc:
        return _fail(exc)
    try:
        told = account.logout(store)
        waiting = account.describe(store)["changes_waiting"]
    except (SyncError, StorageError) as exc:
        return _fail(exc)
    finally:
        store.close()
    print("Logged out." + ("" if told else " (The server could not be told; the session "
                                           "ends by itself.)"))
    if waiting:
        print(f"{waiting} change(s) are kept and will be sent after the next log in.")
    return 0
