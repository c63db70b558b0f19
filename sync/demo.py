"""Joining this computer's demo server: find it or start it, and sign a replica in.

The demo server (``server.demo``) runs in a process of its own, started from Bayline's own
executable (``python main.py demo-server``, or ``Bayline demo-server`` when frozen), so it
works in the bundle and outlives the window that started it. This module never imports
``server``: it finds the server through the folder it shares with every replica
(``app.paths.demo_server_dir()``: ``server.json`` names the port) and talks to it over
HTTP through ``sync.http``, as to any server.

    server = ensure_demo_server(progress=print)   # started if needed; waits for health
    session = join_demo(store, server)            # the demo clerk, tokens in memory only
    engine = session.engine()                     # a SyncEngine for session.store

The demo's accounts are public constants (``app.demo.DEMO_ACCOUNTS``); their tokens stay
in memory (``MemoryTokenStore``) and the replica signs in again on every start.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.db import Store
from app.demo import DEMO_ACCOUNTS
from app.models import SyncState
from app.paths import demo_server_dir
from sync import account
from sync.credentials import Tokens, TokenStore
from sync.errors import ErrorKind, SyncError
from sync.http import ApiClient
from sync.outbox import sync_state

log = logging.getLogger(__name__)

#: Files of the demo server's folder (written by ``server.demo``).
STATE_NAME = "server.json"
LOG_NAME = Path("logs") / "server.log"
#: The demo kiosk's device secret, beside its replica (``MemoryTokenStore``).
DEMO_SECRET_NAME = "demo-device-secret.txt"
#: The first start creates the demo shop (a few seconds; a minute on a slow PC).
START_TIMEOUT = 180.0

Progress = Callable[[str], None]


class MemoryTokenStore(TokenStore):
    """Sessions kept in this process only: the demo's throwaway sign-in never reaches the
    OS password store, and a computer without one can still run the demo."""

    def __init__(self, secret_file: Path | None = None) -> None:
        super().__init__()
        self._tokens: dict[str, Tokens] = {}
        #: The demo kiosk's device secret (``sync.pins``) lives in this file beside its
        #: replica instead of the keyring: the demo's PINs protect made-up data, and its
        #: offline PIN check must survive a restart on a computer without a keyring.
        self._secret_file = secret_file
        self._secret: bytes | None = None
        self._checks: dict[str, str] = {}

    def device_secret(self, server_url: str, client_id: str, *,
                      create: bool = True) -> bytes | None:
        import base64
        import secrets

        if self._secret is None and self._secret_file is not None:
            try:
                self._secret = base64.b64decode(
                    self._secret_file.read_text(encoding="utf-8").strip(), validate=True)
            except (OSError, ValueError):
                self._secret = None
        if self._secret is None and create:
            self._secret = secrets.token_bytes(32)
            if self._secret_file is not None:
                self._secret_file.parent.mkdir(parents=True, exist_ok=True)
                self._secret_file.write_text(base64.b64encode(self._secret).decode("ascii"),
                                             encoding="utf-8")
        return self._secret

    def check(self) -> None:
        return None

    def load(self, server_url: str, username: str) -> Tokens | None:
        return self._tokens.get(self.key(server_url, username))

    def save(self, server_url: str, username: str, tokens: Tokens) -> None:
        self._tokens[self.key(server_url, username)] = tokens

    def delete(self, server_url: str, username: str) -> None:
        self._tokens.pop(self.key(server_url, username), None)

    # the offline unlock's checks (sync.deskuser) stay in memory too
    def password_check(self, server_url: str, username: str) -> str | None:
        return self._checks.get(self.check_key(server_url, username))

    def save_password_check(self, server_url: str, username: str, verifier: str) -> None:
        self._checks[self.check_key(server_url, username)] = verifier

    def delete_password_check(self, server_url: str, username: str) -> None:
        self._checks.pop(self.check_key(server_url, username), None)


@dataclass(frozen=True)
class DemoServer:
    """A running demo server."""

    url: str
    folder: Path
    pid: int | None
    #: True when this call started it (the caller may stop it when done).
    started: bool = False


@dataclass
class DemoSession:
    """A replica signed in to the demo server: what a ``SyncEngine`` needs."""

    store: Store
    server: DemoServer
    token_store: MemoryTokenStore
    user: dict[str, Any] = field(default_factory=dict)
    #: Where an older replica was set aside (a local demo from before, another demo shop).
    set_aside: Path | None = None

    def engine(self, **kwargs: Any) -> Any:
        """A ``SyncEngine`` for the demo replica (not started)."""
        from sync.engine import SyncEngine

        return SyncEngine(self.store, token_store=self.token_store, **kwargs)


# --- finding or starting the server ------------------------------------------------------

def read_state(folder: Path) -> dict[str, Any]:
    import json

    try:
        data = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def server_command(folder: Path) -> list[str]:
    """How to start the demo server: Bayline's own executable in its ``demo-server`` mode."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "demo-server", "--demo-dir", str(folder)]
    main_py = Path(__file__).resolve().parents[1] / "main.py"
    return [sys.executable, str(main_py), "demo-server", "--demo-dir", str(folder)]


def _healthy(url: str) -> bool:
    api = ApiClient(url, client_id=str(uuid.uuid4()))
    try:
        return api.health()
    finally:
        api.close()


def running_demo_server(folder: Path | None = None) -> DemoServer | None:
    """The demo server of ``folder`` if it answers now."""
    folder = folder or demo_server_dir()
    state = read_state(folder)
    port = state.get("port")
    if state.get("phase") != "ready" or not port:
        return None
    url = f"http://127.0.0.1:{int(port)}"
    return DemoServer(url, folder, state.get("pid")) if _healthy(url) else None


def _spawn(folder: Path) -> subprocess.Popen[bytes]:
    """Start the server detached from this process: closing the window that started it
    leaves it to the other windows (it stops by itself once nobody uses it)."""
    kwargs: dict[str, Any] = {}
    if sys.platform == "win32":
        # No console window, and not in this window's process group.
        kwargs["creationflags"] = (getattr(subprocess, "CREATE_NO_WINDOW", 0x08000000)
                                   | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200))
    else:
        kwargs["start_new_session"] = True
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.Popen(server_command(folder), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, close_fds=True, **kwargs)


def _log_tail(folder: Path, lines: int = 15) -> str:
    try:
        text = (folder / LOG_NAME).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def ensure_demo_server(folder: Path | None = None, *, progress: Progress | None = None,
                       timeout: float = START_TIMEOUT) -> DemoServer:
    """The running demo server of this computer, started first if nothing answers.

    ``progress`` hears what is going on in words ("Creating the demo shop ..."). Raises a
    ``SyncError`` with the server's last log lines when it does not come up.
    """
    folder = folder or demo_server_dir()
    running = running_demo_server(folder)
    if running is not None:
        return running
    say = progress or (lambda _text: None)
    say("Starting the demo shop's server ...")
    folder.mkdir(parents=True, exist_ok=True)
    proc = _spawn(folder)
    deadline = time.monotonic() + timeout
    told_creating = False
    ours = True
    while time.monotonic() < deadline:
        state = read_state(folder)
        if state.get("phase") == "creating" and not told_creating:
            told_creating = True
            say("Creating the demo shop (first start only; this takes a few seconds) ...")
        if state.get("phase") == "ready":
            found = running_demo_server(folder)
            if found is not None:
                return DemoServer(found.url, folder, found.pid, started=ours)
        code = proc.poll()
        if code is not None and ours:
            if code != 0:
                raise SyncError(ErrorKind.LOCAL, "The demo server could not start (exit code "
                                                 f"{code}).\n{_log_tail(folder)}")
            # Another demo server holds the folder (two windows started at once): wait
            # for that one.
            ours = False
        time.sleep(0.1)
    if proc.poll() is None:
        proc.kill()
    raise SyncError(ErrorKind.NETWORK, f"The demo server did not answer within {timeout:.0f} "
                                       f"s.\n{_log_tail(folder)}", retryable=True)


def stop_demo_server(folder: Path | None = None, *, timeout: float = 15.0) -> bool:
    """Stop the demo server of ``folder`` (for tests and support); True if one was stopped.

    On Windows ``os.kill`` ends the process at once; SQLite's journal keeps the database
    whole either way.
    """
    folder = folder or demo_server_dir()
    state = read_state(folder)
    pid = state.get("pid")
    if not pid or state.get("phase") not in ("ready", "starting", "creating"):
        return False
    try:
        os.kill(int(pid), signal.SIGTERM)
    except (OSError, ProcessLookupError):
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if read_state(folder).get("phase") == "stopped" or not _alive(int(pid)):
            return True
        time.sleep(0.05)
    return False


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFO
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # our own child that has exited but was not reaped yet is not alive
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


# --- signing a replica in -----------------------------------------------------------------

def is_demo_replica(state: SyncState) -> bool:
    """A replica of a demo server: bound to a loopback address as a demo account."""
    usernames = {a.username for a in DEMO_ACCOUNTS.values()}
    url = state.server_url or ""
    return url.startswith(("http://127.0.0.1:", "http://localhost:")) and (
        state.username in usernames)


def wants_demo(store: Store) -> bool:
    """True when ``store`` should open on the demo shop: a replica never connected to a
    server (new, or the local demo of older versions) or one of the demo server."""
    state = store.state()
    return state.server_url is None or is_demo_replica(state)


def join_demo(store: Store, server: DemoServer | None = None, *,
              progress: Progress | None = None, role: str = "clerk") -> DemoSession:
    """Sign ``store`` in to the demo server as the demo clerk (``role="kiosk"``: as the
    demo's kiosk device account, for ``main.py --kiosk``), tokens in memory only.

    An empty replica adopts the demo shop; a replica of this demo shop signs in again (at
    the server's current port); a replica that holds something else that was never sent
    to a server (a local demo of an older version) or another demo shop (the demo server's
    folder was deleted) is set aside (renamed, not deleted) and an empty one joins. A
    replica of a real shop is refused: the demo never mixes with it.
    """
    state = store.state()
    if state.server_url is not None and not is_demo_replica(state):
        raise SyncError(ErrorKind.CONFLICT, f"This data folder belongs to the shop on "
                                            f"{state.server_url}; the demo shop needs another "
                                            "data folder (--data-dir).")
    server = server or ensure_demo_server(progress=progress)
    if state.server_url is not None and state.server_url != server.url:
        # Same demo server on another port (the old one was taken): follow it.
        with store.write_session() as s:
            sync_state(s).server_url = server.url
    tokens = MemoryTokenStore(Path(store.path).parent / DEMO_SECRET_NAME
                              if role == "kiosk" else None)
    who = DEMO_ACCOUNTS[role]
    outcome = account.login(store, server.url, who.username, who.password, fresh=True,
                            token_store=tokens)
    if outcome.set_aside is not None:
        log.info("the previous replica was set aside as %s", outcome.set_aside)
    return DemoSession(outcome.store, server, tokens, outcome.user, outcome.set_aside)


__all__ = ["DemoServer", "DemoSession", "MemoryTokenStore", "ensure_demo_server",
           "is_demo_replica", "join_demo", "running_demo_server", "server_command",
           "stop_demo_server", "wants_demo"]
