"""Fixtures of the UI tests: one session QApplication made by ``create_application``,
settings in a temporary file, a small shop, and desk windows (synchronous database worker
by default; the threaded one where a test says so)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from app.db import Store  # noqa: E402
from tests.ui.helpers import Shop, make_shop  # noqa: E402
from ui.application import create_application  # noqa: E402
from ui.desk.context import DeskContext  # noqa: E402
from ui.desk.window import MainWindow  # noqa: E402
from ui.qt import QApplication, QCoreApplication, QEvent, QSettings  # noqa: E402


@pytest.fixture(scope="session")
def qapp() -> QApplication:
    """pytest-qt's ``qapp``, made the way Bayline makes it (one per session)."""
    return create_application(["bayline-tests"])


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def shop(store: Store) -> Shop:
    return make_shop(store)


@pytest.fixture
def make_desk(qtbot: Any, store: Store, settings: QSettings
              ) -> Iterator[Callable[..., MainWindow]]:
    """``make_desk(engine=None, synchronous=True)``: a shown window whose boards are loaded."""
    made: list[DeskContext] = []

    def make(engine: Any = None, *, synchronous: bool = True, on: Store | None = None,
             show: bool = True, recovered: Any = None) -> MainWindow:
        ctx = DeskContext(on or store, engine, synchronous=synchronous, settings=settings,
                          recovered=recovered)
        made.append(ctx)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.boards_refreshed, timeout=10_000):
            if show:
                window.resize(1366, 768)
                window.show()
        return window

    yield make
    for ctx in made:
        ctx.shutdown(wait=True)


@pytest.fixture(autouse=True)
def _flush_posted_events(qapp: QApplication) -> Iterator[None]:
    """Deliver what a test left queued (worker results, deleteLater) before the next one:
    a queued signal still holding Python objects when the interpreter shuts down makes
    PySide6 release them too late."""
    yield
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        qapp.processEvents()
