"""The one place that creates the ``QApplication``: high-DPI, Fusion with our palette, the
font, the style sheet and the icons from ``resources/``.

One style on every platform, so a screenshot on Linux shows what a Windows clerk sees.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

from ui.qt import (
    QApplication,
    QColor,
    QCoreApplication,
    QFont,
    QGuiApplication,
    QIcon,
    QPalette,
    QStyleFactory,
    Qt,
)

ORGANIZATION = "Bayline"
APPLICATION = "Bayline"


def resources_dir() -> Path:
    """``resources/`` beside the package, or inside a PyInstaller bundle (``_MEIPASS``)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@cache
def colors() -> dict[str, str]:
    """The named colours of ``resources/palette.json``."""
    data = json.loads((resources_dir() / "palette.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def color(name: str) -> QColor:
    return QColor(colors()[name])


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons`` (SVG), or an empty icon when missing."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def palette() -> QPalette:
    c = colors()
    pal = QPalette()
    role = QPalette.ColorRole
    for key, r in (("window", role.Window), ("window_text", role.WindowText),
                   ("base", role.Base), ("alternate_base", role.AlternateBase),
                   ("text", role.Text), ("button", role.Button),
                   ("button_text", role.ButtonText), ("highlight", role.Highlight),
                   ("highlighted_text", role.HighlightedText), ("mid", role.Mid),
                   ("dark", role.Dark), ("placeholder", role.PlaceholderText),
                   ("link", role.Link), ("tooltip_base", role.ToolTipBase),
                   ("tooltip_text", role.ToolTipText)):
        pal.setColor(r, QColor(c[key]))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(disabled, r, QColor(c["dark"]))
    return pal


def style_sheet(mode: str = "desk") -> str:
    path = resources_dir() / f"{mode}.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def default_font() -> QFont:
    """Segoe UI 9 pt on Windows (what business applications there use); elsewhere the
    system's sans serif at 10 pt so text stays legible on small screens."""
    font = QFont(QGuiApplication.font())
    if sys.platform == "win32":
        font.setFamily("Segoe UI")
        font.setPointSizeF(9.0)
    else:
        font.setPointSizeF(max(font.pointSizeF(), 10.0))
    return font


def create_application(argv: list[str] | None = None, *, mode: str = "desk") -> QApplication:
    """The ``QApplication`` of this process (made once; a second call returns it)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        style(existing, mode)
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication(list(argv if argv is not None else sys.argv[:1]))
    QGuiApplication.setDesktopFileName("bayline")
    style(app, mode)
    return app


def style(app: QApplication, mode: str = "desk") -> None:
    """Fusion, our palette, font, icon and style sheet on ``app``."""
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(palette())
    app.setFont(default_font())
    app.setWindowIcon(icon("bayline"))
    app.setStyleSheet(style_sheet(mode))
