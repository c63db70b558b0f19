"""The change sequence follows commit order: a puller running beside several pushers never
misses a change, because no change with a lower seq can commit after a higher one was served."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

import pytest

from server.auth.roles import Principal
from server.db import Database
from server.sync import push as push_module
from server.sync.apply import MutationIn
from server.sync.pull import pull
from server.sync.push import push
from tests.live_server import ShopSeed
from tests.server.helpers import new_id


def _principal(seed: ShopSeed, role: str = "clerk") -> Principal:
    cred = seed.users[role]
    return Principal(user_id=cred.user_id, shop_id=seed.shop_id, role=role,
                     username=cred.username)


def test_concurrent_pushes_never_hide_a_change_from_a_puller(
        pg_url: str, shop: ShopSeed, monkeypatch: pytest.MonkeyPatch) -> None:
    real = push_module.record_changes

    def slow_commit(*args: Any, **kwargs: Any) -> int:
        # Widen the window between taking seqs and committing, where a wrong design
        # (a bigserial, a timestamp) would let a reader skip past an uncommitted change.
        head = real(*args, **kwargs)
        time.sleep(random.uniform(0, 0.004))
        return head

    monkeypatch.setattr(push_module, "record_changes", slow_commit)
    db = Database.from_url(pg_url)
    principal = _principal(shop)
    created: list[str] = []
    created_lock = threading.Lock()
    errors: list[BaseException] = []
    pushers_done = threading.Event()

    def pusher() -> None:
        try:
            client_id, next_id = new_id(), 1
            for _ in range(25):
                rows = [new_id() for _ in range(4)]
                muts = [MutationIn(next_id + i, "customer", row, "upsert", {"name": "c"}, {})
                        for i, row in enumerate(rows)]
                next_id += len(rows)
                result = push(db, principal, client_id, muts)
                assert {r["status"] for r in result["results"]} == {"applied"}
                with created_lock:
                    created.extend(rows)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    seen: set[str] = set()
    served: list[int] = []

    def puller() -> None:
        try:
            cursor = 0
            while True:
                done = pushers_done.is_set()
                page = pull(db, principal, None, cursor, 7)
                for ch in page["changes"]:
                    assert not served or ch["seq"] > served[-1], "a seq went backwards"
                    served.append(ch["seq"])
                    seen.add(ch["row_id"])
                cursor = page["cursor"]
                if done and not page["has_more"]:
                    return
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=pusher) for _ in range(6)]
    reader = threading.Thread(target=puller)
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pushers_done.set()
    reader.join()
    db.dispose()
    assert not errors, errors
    assert len(created) == 6 * 25 * 4
    missed = set(created) - seen
    assert not missed, f"{len(missed)} changes were never served"


def test_concurrent_pushes_of_one_client_apply_each_mutation_once(
        pg_url: str, shop: ShopSeed) -> None:
    """The same batch sent twice at once (a retry racing the original) applies once."""
    db = Database.from_url(pg_url)
    principal = _principal(shop)
    client_id = new_id()
    job_ids = [new_id() for _ in range(20)]
    muts = [MutationIn(i + 1, "job", job_ids[i], "upsert", {"number": "P"}, {})
            for i in range(20)]
    results: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda: results.append(push(db, principal, client_id,
                                                                   muts)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    page = pull(db, principal, client_id, 0, 1000)
    db.dispose()
    numbers = sorted(int(json.loads(ch["row"])["number"]) for ch in page["changes"]
                     if ch["entity"] == "job")
    assert numbers == list(range(1, 21))
    assert page["last_mutation_id"] == 20
    assert all(r["last_mutation_id"] == 20 for r in results)
