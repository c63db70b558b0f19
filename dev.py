"""Developer entry point: makes ``.venv`` with the project installed, then runs a task.

    python dev.py app [ARGS...]     run Bayline (a demo shop on first start)
    python dev.py test [ARGS...]    run the whole test suite (PostgreSQL on 127.0.0.1:5432,
                                    else a throw-away one it starts; see tests/pg.py)
    python dev.py bench [ARGS...]   run the benchmarks and print their table

Only the standard library is used here, so it works on a fresh machine with Python 3.11+.
The virtual environment is re-installed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("BAYLINE_VENV", ROOT / ".venv"))


def venv_python() -> Path:
    sub = "Scripts/python.exe" if os.name == "nt" else "bin/python"
    return VENV / sub


def ensure_venv(extras: str = "test") -> Path:
    py = venv_python()
    stamp = VENV / ".bayline-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if not py.exists():
        print(f"creating virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not stamp.exists() or stamp.read_text().strip() != want:
        print("installing Bayline and its dependencies (first run only) ...", flush=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                       check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-e", f".[{extras}]"],
                       check=True, cwd=ROOT)
        stamp.write_text(want)
    return py


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test", "bench"):
        print(__doc__)
        return 2
    task, rest = argv[0], argv[1:]
    py = ensure_venv()
    if task == "app":
        cmd = [str(py), str(ROOT / "main.py"), *rest]
    elif task == "test":
        cmd = [str(py), "-m", "pytest", *rest]
    else:
        cmd = [str(py), "-m", "bench", *rest]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
