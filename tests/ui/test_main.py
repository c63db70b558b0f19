"""``python main.py`` with no command opens the desk on the data folder's replica: a new
one (or a demo one) on the demo shop with its sync engine; a real shop's replica without
a login runs without sync; ``boards`` keeps the text boards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import main
import ui.desk.run
from app.db import Store


def test_no_command_opens_the_desk_without_sync_when_not_logged_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.outbox import sync_state

    real = Store(tmp_path / "replica.sqlite")  # a real shop's replica, its session ended
    with real.write_session() as s:
        sync_state(s).server_url = "https://shop.example:8765"
    real.close()
    seen: list[tuple[Any, Any, dict[str, Any]]] = []
    monkeypatch.setattr(ui.desk.run, "run_desk",
                        lambda store, engine, **kw: seen.append((store, engine, kw)) or 0)
    assert main.main(["--data-dir", str(tmp_path)]) == 0
    (store, engine, kw), = seen
    assert Path(store.path) == tmp_path / "replica.sqlite" and engine is None
    assert kw["recovered"].store is store and kw["recovered"].notice is None  # handed down
    assert kw["single"] is not None  # the lock was taken before the replica was opened
    assert main.build_parser().parse_args(["desk"]).handler is main.cmd_desk
    assert main.build_parser().parse_args(["boards"]).handler is main.cmd_boards


def test_a_new_replica_opens_on_the_demo_shop_with_its_engine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.demo

    seen: list[tuple[Any, Any, Any]] = []
    monkeypatch.setattr(ui.demo, "start_demo", lambda store: (store, "the demo's engine"))
    monkeypatch.setattr(ui.desk.run, "run_desk",
                        lambda store, engine, **kw: seen.append((store, engine, kw)) or 0)
    assert main.main(["--data-dir", str(tmp_path)]) == 0
    (store, engine, kw), = seen
    assert Path(store.path) == tmp_path / "replica.sqlite"
    assert engine == "the demo's engine" and kw["on_ready"] is ui.demo.first_sync_notice


def test_a_second_desk_brings_the_first_forward_before_opening_the_replica(
        tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a desk running on the data folder, a second start must not open (migrate, or
    set aside and rebuild) the replica the first desk holds open: it only wakes the first."""
    from ui.desk.single import SingleInstance

    Store(tmp_path / "replica.sqlite").close()
    opened: list[Path] = []
    for name in ("open_recovered", "open_store", "open_replica"):
        monkeypatch.setattr(main, name, lambda data_dir: opened.append(data_dir))
    monkeypatch.setattr(ui.desk.run, "run_desk", lambda *a, **kw: pytest.fail("no window"))
    first = SingleInstance(tmp_path)
    assert first.acquire()
    try:
        with qtbot.waitSignal(first.activate, timeout=5_000):
            assert main.main(["--data-dir", str(tmp_path), "desk"]) == 0
    finally:
        first.release()
    assert opened == []
