"""The embedded default: the same protocol on a SQLite file (a smaller set of checks)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.live_server import REPO, seed_shop
from tests.server.helpers import Api, make_settings, new_id, peer, statuses


@pytest.fixture(scope="module")
def lite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lite') / 'server.sqlite'}"
    seed = seed_shop(url)
    with TestClient(create_app(make_settings(url)), client=peer()) as http:
        yield Api(http, seed)


def test_push_pull_retry_gap_and_conflict(lite: Api) -> None:
    c = lite.client("clerk")
    cust, job = new_id(), new_id()
    batch = [c.m("customer", cust, {"name": "Ann"}),
             c.m("job", job, {"number": "P-1", "customer_id": cust, "status": "queued"})]
    first = c.push(*batch)
    second = c.push(*batch)
    second.pop("server_time"), first.pop("server_time")
    assert statuses(first) == ["applied", "applied"] and second == first
    c.next_id = 9
    r = c.push_response(c.m("customer", fields={"name": "late"}))
    assert r.status_code == 409 and r.json()["last_mutation_id"] == 2
    c.next_id = 3
    d = lite.client("clerk")
    c.push(c.m("job", job, {"status": "in_progress"}, {"status": "queued"}))
    r2 = d.push(d.m("job", job, {"status": "on_hold"}, {"status": "queued"}))
    assert statuses(r2) == ["conflict"]
    rows, _ = lite.pull_all("clerk")
    assert rows[("job", job)]["number"] == "1" and rows[("job", job)]["status"] == "in_progress"
    assert any(e == "conflict" for e, _ in rows)
    tech_rows, _ = lite.pull_all("technician")
    assert "phone" not in tech_rows[("customer", cust)]


def test_concurrent_pushes_are_serialised(lite: Api) -> None:
    results: list[int] = []

    def one() -> None:
        c = lite.client("clerk")
        for _ in range(5):
            results.append(len(c.push(*[c.m("customer", fields={"name": "x"})
                                        for _ in range(5)])["results"]))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [5] * 20
    page = lite.pull(0, limit=5000)
    seqs = [ch["seq"] for ch in page["changes"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_cli_migrate_create_shop_and_user(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env_cmd = [sys.executable, "-m", "server"]

    def run(*args: str) -> str:
        out = subprocess.run([*env_cmd, *args, "--database-url", url], cwd=REPO,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    run("migrate")
    shop_id = run("create-shop", "Corner Garage").strip().splitlines()[-1]
    assert len(shop_id) == 36
    out = run("create-user", "--shop", shop_id, "--username", "tina", "--password",
              "secret-password", "--role", "technician", "--pin", "1234")
    assert "technician" in out and "secret-password" not in out
    bad = subprocess.run([*env_cmd, "create-user", "--shop", shop_id, "--username", "x",
                          "--password", "short", "--role", "clerk", "--database-url", url],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "8 characters" in bad.stderr
    help_text = subprocess.run([*env_cmd, "--help"], cwd=REPO, capture_output=True,
                               text=True, timeout=60).stdout
    assert "serve" in help_text and "create-user" in help_text
