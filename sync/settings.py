"""The sync engine's tunables, in one place, with the reason for each default.

Measured with ``python -m bench --only sync`` (server and PostgreSQL on loopback, a 2-core
box): edit on A to applied on B is the quiet window plus ~40-70 ms (push, poke, pull,
apply). Quiet window 0.15 s: p50 201 ms; 0.3 s: p50 340-350 ms, p95 360-380 ms; 0.6 s:
p50 645 ms; 1.0 s: p50 1,040 ms (over the 1 s target). A 1,000-edit burst costs 3 requests
at 0.3 s (up to 9-10 at 0.15 s when the burst stutters, since every pause longer than
the window sends a push). 0.3 s keeps two thirds of the 1 s budget for a slow LAN.
Draining 10,000 offline mutations in batches of 500: 2.9 s; first sync of 100,000 rows
in pages of 5,000: 4.4 s, 186 MB peak RSS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import httpx


@dataclass(frozen=True)
class SyncSettings:
    """Everything the engine's timing and sizes depend on. Times are in seconds."""

    #: Push once no edit has come for this long. Long enough that a burst of operations
    #: ends up in a few requests, short enough that the other boards repaint well within a
    #: second of the click (see above).
    quiet_window: float = 0.3
    #: ...but never later than this after the first unsent edit, so a steady stream of edits
    #: (a bulk import) still reaches the other boards within ~2 s; 5 s saved no request in
    #: the bench burst and only makes boards lag.
    max_wait: float = 2.0
    #: The protocol's limits are 500 mutations or 1 MiB a request; stay a little under the
    #: byte limit to leave room for the envelope.
    max_batch: int = 500
    max_batch_bytes: int = 900 * 1024
    #: Request bodies above this are gzipped (JSON of mutations shrinks ~5-10x).
    gzip_min_bytes: int = 1024
    #: Pull page size; the protocol allows up to 5,000. Each page is applied in one
    #: transaction, so its size is how long a clerk's write may queue behind sync: 3,000 rows
    #: commit in about 80 ms here (issue 8 asks for about 100 ms). Measured on a quiet
    #: machine (python -m bench): first sync of 100,000 rows 2.58 s at 5,000, 2.78 s at
    #: 3,000, 2.95 s at 2,000; the desk's repaint p95 during it 60, 46 and 44 ms.
    pull_limit: int = 3000

    #: Retry delays: ``backoff_base`` doubling up to ``backoff_cap`` with jitter (each delay
    #: is drawn from [(1 - backoff_jitter) * d, d]). Used for server-side trouble (5xx, 408,
    #: 429, read timeouts) and for reconnecting the event stream.
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    backoff_jitter: float = 0.25
    #: When the server could not be reached at all (connection refused, DNS, no route), a
    #: retry costs the server nothing, and a shop whose internet comes back must see its
    #: waiting changes pushed within 20 s (invariant 7): retries of the push cap here.
    network_retry_cap: float = 15.0
    #: A ``Retry-After`` longer than this is not believed (a misconfigured proxy).
    retry_after_cap: float = 300.0

    #: Pull even without pokes, in case the event stream is silently broken.
    pull_interval: float = 60.0
    #: Prune dismissed outcomes and checkpoint the WAL this often.
    housekeeping_interval: float = 3600.0
    #: Dismissed rejected/conflict outcomes are kept this long for support.
    outcome_retention_days: int = 30

    #: HTTP timeouts. Connect fails fast (a dead LAN shows as offline within seconds); a
    #: push of 500 mutations or a 5,000-row page takes well under a second on a healthy
    #: server, 30 s covers a slow one.
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    pool_timeout: float = 10.0
    #: The event stream sends a keepalive every 15 s; three missed ones mean it is dead.
    events_read_timeout: float = 45.0
    #: Refresh the access token this long before it expires.
    token_refresh_margin: float = 60.0
    #: Attempts a command-line ``sync`` makes on retryable errors before giving up.
    cli_attempts: int = 5
    #: TLS certificates are always verified; this may name a CA bundle (a shop's own CA).
    ca_bundle: str | None = None
    http2: bool = False

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect_timeout, read=self.read_timeout,
                             write=self.write_timeout, pool=self.pool_timeout)

    def events_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect_timeout, read=self.events_read_timeout,
                             write=self.write_timeout, pool=self.pool_timeout)

    def but(self, **changes: object) -> SyncSettings:
        """A copy with ``changes`` (for tests and benchmarks)."""
        return replace(self, **changes)  # type: ignore[arg-type]
