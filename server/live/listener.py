"""A thread per process that LISTENs on PostgreSQL and feeds the hub.

Every push transaction NOTIFYs ``bayline_poke`` with ``"<shop_id> <head>"``; PostgreSQL
delivers it at commit to every listening connection, so a client connected to any server
process hears commits made through any other.
"""

from __future__ import annotations

import logging
import threading

import psycopg
from sqlalchemy.engine import make_url

from server.live.hub import Hub
from server.sync.changes import NOTIFY_CHANNEL

log = logging.getLogger(__name__)


def psycopg_conninfo(url: str) -> str:
    """A libpq connection string for a SQLAlchemy ``postgresql+psycopg://`` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    def __init__(self, url: str, hub: Hub) -> None:
        self._conninfo = psycopg_conninfo(url)
        self._hub = hub
        self._stop = threading.Event()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bayline-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._catch_up(conn)
                    self.ready.set()
                    delay = 0.5
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._deliver(note.payload)
            except psycopg.Error as exc:
                self.ready.clear()
                if self._stop.is_set():
                    break
                log.warning("poke listener lost its connection (%s); retrying in %.1f s",
                            type(exc).__name__, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)

    def _deliver(self, payload: str) -> None:
        try:
            shop_id, head = payload.split()
            self._hub.publish(shop_id, int(head))
        except ValueError:
            log.warning("ignoring a malformed poke payload")

    def _catch_up(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        """After (re)connecting, offer subscribers the current heads: pokes sent while
        this process was not listening are not lost."""
        shops = self._hub.shops()
        if not shops:
            return
        for shop_id, head in conn.execute("SELECT id, head FROM shop WHERE id = ANY(%s)",
                                          (shops,)):
            self._hub.publish(str(shop_id), int(str(head)))
