"""Developer entry point: makes ``.venv`` with the project installed, then runs a task.

    python dev.py app [ARGS...]     run Bayline (a demo shop on first start)
    python dev.py test [ARGS...]    run the whole test suite (PostgreSQL on 127.0.0.1:5432,
                                    else a throw-away one it starts; see tests/pg.py)
    python dev.py bench [ARGS...]   run the benchmarks and print their table
    python dev.py bundle [--smoke]  build the one-folder bundle (dist/bayline/) with
                                    PyInstaller; --smoke then runs the bundle's --smoke

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


#: Extras every task gets: the tests, and the server's packages (the desk runs the demo
#: shop's server from its own code).
DEFAULT_EXTRAS = ("test", "server")


def ensure_venv(extras: tuple[str, ...] = DEFAULT_EXTRAS) -> Path:
    """The venv's Python with the project installed with ``extras`` (and any installed
    before: asking for fewer never reinstalls)."""
    py = venv_python()
    stamp = VENV / ".bayline-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    have: set[str] = set()
    if stamp.exists():
        recorded = stamp.read_text().split()
        if recorded and recorded[0] == digest:
            have = set(recorded[1:])
    if not py.exists():
        print(f"creating virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        have = set()
    if not set(extras) <= have or not stamp.exists():
        wanted = sorted(set(extras) | have)
        print("installing Bayline and its dependencies (first run only) ...", flush=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                       check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-e",
                        f".[{','.join(wanted)}]"], check=True, cwd=ROOT)
        stamp.write_text(" ".join([digest, *wanted]))
    return py


def bundle_dir() -> Path:
    return ROOT / "dist" / "bayline"


def bundle_exe() -> Path:
    return bundle_dir() / ("bayline.exe" if os.name == "nt" else "bayline")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def bundle(py: Path, rest: list[str]) -> int:
    """Build dist/bayline/ from packaging/bayline.spec; say what it cost."""
    import time

    started = time.perf_counter()
    code = subprocess.call([str(py), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                            "--distpath", str(ROOT / "dist"),
                            "--workpath", str(ROOT / "build" / "pyinstaller"),
                            str(ROOT / "packaging" / "bayline.spec")], cwd=ROOT)
    if code:
        return code
    seconds = time.perf_counter() - started
    size = folder_size(bundle_dir()) / 1e6
    print(f"bundle: {bundle_dir()} built in {seconds:.0f} s, {size:.0f} MB", flush=True)
    if "--smoke" in rest:
        started = time.perf_counter()
        code = subprocess.call([str(bundle_exe()), "--smoke"], cwd=ROOT)
        print(f"bundle smoke: exit {code} in {time.perf_counter() - started:.1f} s", flush=True)
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test", "bench", "bundle"):
        print(__doc__)
        return 2
    task, rest = argv[0], argv[1:]
    if task == "bundle":
        return bundle(ensure_venv((*DEFAULT_EXTRAS, "build")), rest)
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
