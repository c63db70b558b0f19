"""``python main.py`` with no command opens the desk on the data folder's replica; without
a login it runs without sync; ``boards`` keeps the text boards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import main
import ui.desk.run
from app.db import Store


def test_no_command_opens_the_desk_without_sync_when_not_logged_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(tmp_path / "replica.sqlite").close()  # an existing replica (no demo to make)
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


def test_a_second_desk_brings_the_first_forward_before_opening_the_replica(
        tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a desk running on the data folder, a second start must not open (migrate, or
    set aside and rebuild) the replica the first desk holds open: it only wakes the first."""
    from ui.desk.single import SingleInstance

    Store(tmp_path / "replica.sqlite").close()
    opened: list[Path] = []
    monkeypatch.setattr(main, "open_replica", lambda data_dir: opened.append(data_dir))
    monkeypatch.setattr(ui.desk.run, "run_desk", lambda *a, **kw: pytest.fail("no window"))
    first = SingleInstance(tmp_path)
    assert first.acquire()
    try:
        with qtbot.waitSignal(first.activate, timeout=5_000):
            assert main.main(["--data-dir", str(tmp_path), "desk"]) == 0
    finally:
        first.release()
    assert opened == []
