"""The client (app/, sync/, main.py) runs without the server's packages installed.

A kiosk on Windows on ARM cannot install ``psycopg[binary]`` (no wheel), so the server's
dependencies live in the ``server`` extra; this proves no client module imports them, by
importing every one in a fresh interpreter whose import system refuses those packages.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# argon2 is not among them: the kiosk checks a technician's PIN offline with it (sync/pins.py).
SERVER_ONLY = ("fastapi", "starlette", "uvicorn", "psycopg", "psycopg_binary", "jwt",
               "pydantic")

PROBE = """
import importlib, importlib.abc, pkgutil, sys

BLOCKED = set(sys.argv[1].split(","))

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked: server-only)")
        return None

sys.meta_path.insert(0, Refuse())
import app, sync, main
for package in (app, sync):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in info.name:
            continue  # alembic scripts, loaded by alembic itself
        importlib.import_module(info.name)
main.build_parser().parse_args(["sync"])  # registers every command, importing sync.cli
print("ok")
"""


def _probe(blocked: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, ",".join(blocked)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_every_client_module_imports_without_the_server_packages() -> None:
    done = _probe(SERVER_ONLY)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_probe_notices_a_blocked_import() -> None:
    """The blocker really blocks: refusing a package the client does use fails the probe."""
    done = _probe(("httpx",))
    assert done.returncode != 0 and "blocked: server-only" in done.stderr


def test_the_client_dependencies_name_no_server_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    client = " ".join(project["dependencies"]).lower()
    for name in ("fastapi", "uvicorn", "psycopg", "pyjwt"):
        assert name not in client, name
    server = " ".join(project["optional-dependencies"]["server"]).lower()
    assert all(name in server for name in ("fastapi", "uvicorn", "psycopg", "pyjwt"))
    assert "bayline[server]" in project["optional-dependencies"]["test"]
