"""The sync engine: the local replica talking to the central API (PROTOCOL.md v1).

No Qt, no ``ui``, no ``server``. The parts, each a module of its own:

- ``engine.SyncEngine``: when to push and pull, on its own thread; ``nudge(changes)``
  after every local operation; status and pulled ``Changes`` through plain callbacks.
- ``syncer.Syncer``: one push, a pull to head, a reset, synchronously.
- ``outbox`` and ``replica``: the outbox side and the page-apply side in SQLite.
- ``http.ApiClient``: the one long-lived ``httpx.Client``; every failure a ``SyncError``.
- ``account``: log in (binding the replica to a shop), log out, the client of a replica.
- ``credentials``: tokens in the OS keyring only. ``outcomes``: refused changes for people.
- ``live``: the event-stream listener. ``settings``: the tunables. ``cli``: the commands.

This package imports nothing at import time, so ``main.py`` stays quick to start.
"""
