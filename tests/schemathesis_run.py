"""Schemathesis over the served OpenAPI document of a live server, every check on.

    python -m tests.schemathesis_run                  # about a minute on 2 cores
    python -m tests.schemathesis_run --examples 200   # a longer hunt

Starts ``python -m server serve`` on a throw-away PostgreSQL database (``tests.pg``;
``BAYLINE_TEST_PG`` names another server) with a seeded shop, signs in as its admin and runs
the schemathesis CLI (the pytest plugin does not run under pytest 9; the CLI does) with
``--checks all`` (signed in by ``tests.schemathesis_hooks``) over the examples, coverage, fuzzing and stateful phases, with a bounded
number of examples per operation and a fixed seed. Exits with the CLI's code: non-zero on
any failure — a 5xx, a status or a body the document does not declare, a request the
document allows that the server refuses, or the other way round. The event stream never
ends and is left out; the live tests cover it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")  # before server modules load

from tests.live_server import REPO, LiveServer, seed_shop  # noqa: E402
from tests.pg import temporary_database  # noqa: E402

CONFIG = Path(__file__).with_name("schemathesis.toml")
#: Examples per operation and phase: about a minute on 2 cores.
EXAMPLES = 40
SEED = 20261127


def schemathesis_cli() -> list[str]:
    """The CLI of the environment running this script (``python -m schemathesis`` would
    need the package to be runnable as a module; the entry point sits beside python)."""
    exe = Path(sys.executable).with_name("schemathesis.exe" if os.name == "nt"
                                         else "schemathesis")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=EXAMPLES,
                        help=f"examples per operation (default {EXAMPLES})")
    parser.add_argument("--seed", type=int, default=SEED)
    # One worker on Python 3.11 before 3.11.8: two threads building ASTs at once (Hypothesis
    # describing schemathesis's filter lambdas) trip CPython's spurious "AST constructor
    # recursion depth mismatch" SystemError (python/cpython#106905, fixed in 3.11.8), which
    # schemathesis reports as a run error of whichever operation it was on.
    spurious_ast_error = sys.version_info[:3] < (3, 11, 8)
    parser.add_argument("--workers", default="1" if spurious_ast_error else "2")
    args, extra = parser.parse_known_args(argv)
    env = {
        # generous limits: the fuzzer signs in with made-up names thousands of times
        "BAYLINE_LOGIN_MAX_FAILURES_USER": "1000000",
        "BAYLINE_LOGIN_MAX_FAILURES_ADDRESS": "1000000",
        "BAYLINE_ACCESS_TOKEN_TTL": "3600",
    }
    with temporary_database("bl_fuzz") as url:
        seed = seed_shop(url, "Fuzzed Garage")
        with LiveServer(url, seed=seed, env=env) as srv:
            admin, kiosk = srv.users["admin"], srv.users["kiosk"]
            child_env = {
                **os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                            os.environ.get("PYTHONPATH")])),
                "BAYLINE_FUZZ_API": srv.api_url,
                "BAYLINE_FUZZ_ADMIN": f"{admin.username}:{admin.password}",
                "BAYLINE_FUZZ_KIOSK": f"{kiosk.username}:{kiosk.password}",
            }
            command = [
                *schemathesis_cli(), "--config-file", str(CONFIG), "run",
                f"{srv.api_url}/openapi.json",
                "--checks", "all",
                "--phases", "examples,coverage,fuzzing,stateful",
                "--max-examples", str(args.examples),
                "--seed", str(args.seed),
                "--workers", args.workers,
                "--exclude-operation-id", "sync_events",
                "--generation-database", "none",
                "--no-color",
                *extra,
            ]
            print("schemathesis against", srv.api_url, flush=True)
            print(" ".join(command), flush=True)
            # In a folder of its own: the CLI keeps a cache (.schemathesis/) where it runs.
            with tempfile.TemporaryDirectory(prefix="bayline-schemathesis-") as work:
                done = subprocess.run(command, check=False, env=child_env, cwd=work)
            if done.returncode != 0:
                print(f"\nthe server's log: {srv.log_path}", flush=True)
            return done.returncode


if __name__ == "__main__":
    sys.exit(main())
