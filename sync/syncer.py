"""One replica talking to the server, synchronously: push a batch, pull to head, reset.

``Syncer`` holds no threads and no timers; every method runs to its end on the caller's
thread and raises ``SyncError`` when it cannot. The engine (``sync.engine``) decides *when*
to call these; the command line calls them in a row. This is also the synchronous mode
tests drive directly.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import Store
from sync import quarantine
from sync.clock import Clock, SystemClock
from sync.errors import ErrorKind, MutationGap, SyncError
from sync.http import ApiClient
from sync.outbox import (
    PushSettled,
    drop_settled,
    has_settled,
    max_assigned_id,
    pending_count,
    read_batch,
    renumber_pending,
    settle_push,
    sync_state,
)
from sync.pins import Sealer
from sync.replica import Applied, Page, PageFault, apply_page, retry_quarantine, sweep
from sync.settings import SyncSettings

log = logging.getLogger(__name__)


@dataclass
class PushResult:
    """One push request: what it settled and the server's head afterwards."""

    sent: int
    settled: PushSettled | None = None
    head: int | None = None
    #: Ids were moved (a gap or a foreign LMID) or the batch was too large: the caller
    #: just pushes again.
    renumbered: bool = False


@dataclass
class RoundResult:
    pushed: int = 0
    refused: int = 0
    pulled_rows: int = 0
    requests: int = 0
    changes: Changes = field(default_factory=lambda: Changes(source="sync"))


class Syncer:
    """Push and pull for one replica through one ``ApiClient``."""

    def __init__(self, store: Store, api: ApiClient, *, settings: SyncSettings | None = None,
                 clock: Clock | None = None, sealer: Sealer | None = None) -> None:
        self.store = store
        self.api = api
        self.settings = settings or api.settings
        self.clock = clock or SystemClock()
        self._batch_limit = self.settings.max_batch
        #: A push found a rebuilt replica waiting for its first pull (see ``push_batch``).
        self.push_waited_for_pull = False
        #: Kiosk PIN verifiers are sealed with the device secret before they are stored.
        self.sealer = sealer or Sealer.from_keyring(api.server_url, api.client_id)

    # --- push -------------------------------------------------------------------------
    def pending(self) -> int:
        with self.store.read() as s:
            return pending_count(s)

    def push_batch(self) -> PushResult | None:
        """Push the next batch (one request). None when nothing is pending."""
        with self.store.read() as s:
            if sync_state(s).recovered_from is not None:
                # A rebuilt replica (app.recovery) learns the server's last mutation id
                # from its first pull before it sends anything: what the server has is
                # dropped then, never sent twice.
                self.push_waited_for_pull = pending_count(s) > 0
                return None
            batch = read_batch(s, max_count=self._batch_limit,
                               max_bytes=self.settings.max_batch_bytes)
        if not batch:
            return None
        try:
            answer = self.api.push(batch.mutations)
        except MutationGap as gap:
            log.warning("the server's last mutation id is %d, before our batch from %d",
                        gap.last_mutation_id, batch.ids[0])
            with self.store.write_session() as s:
                renumber_pending(s, gap.last_mutation_id + 1)
            return PushResult(len(batch), renumbered=True)
        except SyncError as exc:
            if exc.status == 413 and self._batch_limit > 1:
                self._batch_limit = max(1, len(batch) // 2)
                log.warning("batch too large for the server; now at most %d", self._batch_limit)
                return PushResult(0, renumbered=True)  # nothing moved, but try again now
            raise
        self._batch_limit = self.settings.max_batch
        try:
            lmid = int(answer["last_mutation_id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncError(ErrorKind.SERVER, "The server's push answer was not understood.",
                            retryable=True) from exc
        with self.store.write_session() as s:
            if lmid > max_assigned_id(s):
                # The server knows ids this replica never made (it was restored from a
                # backup): what we sent was skipped, not applied. Send it again after them.
                renumber_pending(s, lmid + 1)
                return PushResult(len(batch), renumbered=True)
            settled = settle_push(s, batch, answer, self.clock.now())
        head = answer.get("head")
        return PushResult(len(batch), settled, int(head) if isinstance(head, int) else None)

    def push_all(self, *, max_requests: int = 10_000) -> list[PushResult]:
        """Push until nothing is pending; raises when the server stops making progress."""
        results: list[PushResult] = []
        stalled = 0
        while len(results) < max_requests:
            with self.store.read() as s:
                before = sync_state(s).acked_mutation_id
            result = self.push_batch()
            if result is None:
                return results
            results.append(result)
            progressed = result.renumbered or (result.settled is not None
                                               and result.settled.acked > before)
            stalled = 0 if progressed else stalled + 1
            if stalled >= 3:
                raise SyncError(ErrorKind.SERVER, "The server accepts our changes but does not "
                                                  "acknowledge them.", retryable=True)
        return results

    # --- pull -------------------------------------------------------------------------
    def pull_to_head(self) -> Changes:
        """Pull pages until the server has no more; resets when the server asks.

        A refused (rejected or conflicting) mutation needs nothing more: the server gave its
        row a new seq when it refused it, so this ordinary pull brings the server's state of
        the row (or a ``delete`` for a refused create). Once at head the settled entries are
        dropped (``drop_settled``); they were never pushed or re-applied again meanwhile.

        One exception: from cursor 0 a pull is a snapshot, and a snapshot leaves deletes
        out (the server's delete for a refused create among them). A replica still at 0
        with settled entries takes the snapshot through ``resync`` instead, whose sweep
        removes what the server does not have; it costs the same pages.
        """
        rows: dict[str, set[str]] = defaultdict(set)
        cursor = self.store.state().cursor
        if cursor == 0:
            with self.store.read() as s:
                settled = has_settled(s)
            if settled:
                return self.resync(reset=False)
        for page in self._pages(cursor):
            if page.reset:
                log.info("the server asked for a reset (cursor %d is too old)", cursor)
                self.push_all()
                return _merge(rows, self.resync(reset=True))
            before = cursor

            def then(s: Session, page: Page = page) -> None:
                if not page.has_more:  # at head: that is a successful sync
                    # Refused rows came with the pages (the server re-sent them).
                    drop_settled(s)
                    state = sync_state(s)
                    state.last_sync_at = self.clock.now()
                    state.last_error = None

            applied = self._apply(page, then)
            cursor = self.store.state().cursor
            for entity, ids in applied.rows.items():
                rows[entity] |= ids
            if not page.has_more:
                break
            if cursor <= before:
                raise SyncError(ErrorKind.SERVER, "The server keeps saying there is more but "
                                                  "sends nothing new.", retryable=True)
        return Changes({k: frozenset(v) for k, v in rows.items()}, source="sync")

    def _apply(self, page: Page, then: Callable[[Session], None] | None = None, *,
               store_cursor: bool = True, seen: dict[str, set[str]] | None = None) -> Applied:
        """Apply ``page`` (and ``then``) in one transaction: the fast path, and when a change
        in it cannot be applied, the whole page again change by change, quarantining what
        still fails (``sync.quarantine``), so one bad row never stops the pull."""
        try:
            with self.store.write_session() as s:
                applied = apply_page(s, page, store_cursor=store_cursor, seen=seen)
                if then is not None:
                    then(s)
        except PageFault as fault:
            log.warning("a page from the server could not be applied at once (%s); applying "
                        "it change by change", fault.reason)
        else:
            self.store.maybe_checkpoint()  # a first sync must not grow the WAL unbounded
            return applied
        with self.store.write_session() as s:
            applied = apply_page(s, page, store_cursor=store_cursor, seen=seen, careful=True)
            if then is not None:
                then(s)
        self.store.maybe_checkpoint()
        return applied

    def retry_quarantine(self) -> Applied:
        """Apply the held changes again (at each start; migrations run before it)."""
        return retry_held(self.store)

    def _pages(self, cursor: int) -> Iterator[Page]:
        """Pages from ``cursor`` on. While one page is applied the next is already being
        fetched (one request ahead), so a first sync costs about the larger of the server's
        time and ours instead of their sum."""
        page = self._parse(self.api.pull(cursor, self.settings.pull_limit))
        if not page.has_more or page.reset:
            yield page
            return
        with ThreadPoolExecutor(1, thread_name_prefix="bayline-pull") as ahead:
            while True:
                following: Future[dict[str, Any]] | None = None
                if page.has_more and not page.reset:
                    following = ahead.submit(self.api.pull, page.cursor,
                                             self.settings.pull_limit)
                try:
                    yield page
                except GeneratorExit:
                    if following is not None:
                        following.cancel()
                    raise
                if following is None:
                    return
                page = self._parse(following.result())

    def _parse(self, data: dict[str, Any]) -> Page:
        page = Page.parse(data)
        self.sealer.seal_page(page.changes)  # no PIN verifier is stored as the server sent it
        return page

    def resync(self, *, reset: bool) -> Changes:
        """Pull the whole snapshot from 0 over the replica, then delete what the server no
        longer has (except rows still pending here).

        For ``reset`` (the server no longer keeps our cursor's history: the cursor becomes
        the snapshot's). With ``reset=False`` the stored cursor never moves back; nothing in
        the engine asks for that but a replica still at cursor 0 with refused entries
        (refused mutations are otherwise settled by an ordinary pull, see
        ``pull_to_head``). The stored cursor moves only once the snapshot is
        complete, so a crash part-way simply does it again.
        """
        seen: dict[str, set[str]] = {}
        rows: dict[str, set[str]] = defaultdict(set)
        cursor = 0
        for page in self._pages(0):
            if page.reset:
                raise SyncError(ErrorKind.SERVER, "The server asked for a reset of a full "
                                                  "snapshot.", retryable=True)
            applied = self._apply(page, store_cursor=False, seen=seen)
            for entity, ids in applied.rows.items():
                rows[entity] |= ids
            if page.cursor > cursor:
                cursor = page.cursor
            if not page.has_more:
                break
        with self.store.write_session() as s:
            removed = sweep(s, seen)
            drop_settled(s)
            state = sync_state(s)
            state.cursor = cursor if reset else max(state.cursor, cursor)
            state.last_sync_at = self.clock.now()
            state.last_error = None
        for entity, ids in removed.items():
            rows[entity] |= ids
        log.info("%s complete at cursor %d (%d rows removed)", "reset" if reset else "resync",
                 cursor, sum(len(v) for v in removed.values()))
        return Changes({k: frozenset(v) for k, v in rows.items()}, source="sync")

    # --- a whole round ----------------------------------------------------------------
    def round(self) -> RoundResult:
        """Push everything, pull to head, and record the time: what ``sync`` does."""
        start = self.api.requests_sent
        result = RoundResult()
        for push in self.push_all():
            result.pushed += push.sent if push.settled else 0
            result.refused += push.settled.refused if push.settled else 0
        changes = self.pull_to_head()
        # Edits made while we pulled go too, so "sync" leaves nothing behind if it can.
        for push in self.push_all():
            result.pushed += push.sent if push.settled else 0
            result.refused += push.settled.refused if push.settled else 0
        result.changes = changes
        result.pulled_rows = sum(len(v) for v in changes.rows.values())
        result.requests = self.api.requests_sent - start
        return result

    def mark_synced(self, error: SyncError | None = None) -> None:
        """Store the last successful sync time, or the last error."""
        with self.store.write_session() as s:
            state = sync_state(s)
            if error is None:
                state.last_sync_at = self.clock.now()
                state.last_error = None
            else:
                state.last_error = f"{error.kind.value}: {error.message}"


def retry_held(store: Store) -> Applied:
    """Apply every quarantined change again in one transaction (nothing to do, one query).
    Called at each start, which is after any migration; what still fails stays held."""
    with store.read() as s:
        if not quarantine.count(s):
            return Applied()
    with store.write_session() as s:
        applied = retry_quarantine(s)
        left = quarantine.count(s)
    log.info("retried the quarantine: %d row(s) applied, %d still held",
             sum(len(v) for v in applied.rows.values()), left)
    return applied


def _merge(rows: dict[str, set[str]], changes: Changes) -> Changes:
    for entity, ids in changes.rows.items():
        rows[entity] |= ids
    return Changes({k: frozenset(v) for k, v in rows.items()}, source="sync")
