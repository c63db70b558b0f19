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
    seen: list[tuple[Any, Any]] = []
    monkeypatch.setattr(ui.desk.run, "run_desk",
                        lambda store, engine, **kw: seen.append((store, engine)) or 0)
    assert main.main(["--data-dir", str(tmp_path)]) == 0
    (store, engine), = seen
    assert Path(store.path) == tmp_path / "replica.sqlite" and engine is None
    assert main.build_parser().parse_args(["desk"]).handler is main.cmd_desk
    assert main.build_parser().parse_args(["boards"]).handler is main.cmd_boards
