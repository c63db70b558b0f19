"""Run the benchmarks and print a table; ``--json PATH`` writes the figures too.

Each module ``bench/bench_<area>.py`` defines ``run(args) -> list[bench.Result]``. Modules
are found by name, so adding a benchmark never edits this file.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

import bench
from bench.result import Result


def discover() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--only", action="append", default=[],
                        help="run only modules whose name contains this (repeatable)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--database-url", default="postgresql+psycopg://127.0.0.1:5432/postgres",
                        help="PostgreSQL server used by the server and sync benchmarks "
                             "(a scratch database is created and dropped on it)")
    args = parser.parse_args(argv)
    results: list[Result] = []
    for name in discover():
        if args.only and not any(o in name for o in args.only):
            continue
        module = importlib.import_module(f"bench.{name}")
        t0 = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.extend(module.run(args))
        print(f"  {name} took {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps({r.name: r.as_json() for r in results}, indent=2))
    return 0 if all(r.ok for r in results) else 1


def format_table(results: list[Result]) -> str:
    header = ("benchmark", "value", "unit", "target", "ok")
    rows = [(r.name, f"{r.value:,.2f}", r.unit,
             "(reference)" if r.reference
             else f"{'<=' if r.better == 'lower' else '>='} {r.target:,.2f}",
             "" if r.reference else "yes" if r.ok else "NO")
            for r in results]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
             for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
