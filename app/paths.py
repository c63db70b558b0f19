"""Where Bayline keeps per-user data: the platform's own place (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Bayline"
APP_AUTHOR = "Bayline"


def default_data_dir() -> Path:
    """``BAYLINE_DATA_DIR`` if set, else e.g. ``%LOCALAPPDATA%\\Bayline\\Bayline`` on Windows
    or ``~/.local/share/Bayline`` on Linux."""
    override = os.environ.get("BAYLINE_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def replica_path(data_dir: Path) -> Path:
    return data_dir / "replica.sqlite"


def log_dir(data_dir: Path) -> Path:
    return data_dir / "logs"


def demo_server_dir() -> Path:
    """The one folder of this computer's demo server (its database, port file and lock),
    shared by every replica whatever its data folder: ``BAYLINE_DEMO_DIR`` if set, else
    ``demo-server`` in the platform's per-user data folder (``BAYLINE_DATA_DIR`` does not
    move it: two replicas in two data folders join the same demo shop)."""
    override = os.environ.get("BAYLINE_DEMO_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)) / "demo-server"
