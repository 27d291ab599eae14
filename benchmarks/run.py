"""Run every benchmark and print one table: `python -m benchmarks.run [NAME...]`.

Each `benchmarks/bench_<name>.py` exposes `run() -> list[dict]` with string values for
benchmark, case, measure, value, baseline, ratio, target. Data is generated in the run
(deterministic seeds); the naive baselines are measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

COLUMNS = ("benchmark", "case", "measure", "value", "baseline", "ratio", "target")


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"some of: {', '.join(available())}")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    names = args.names or available()
    rows: list[dict] = []
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        started = time.perf_counter()
        rows.extend(module.run())
        print(f"# {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    cpu = f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores"
    if args.markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
        for row in rows:
            print("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |")
        print(f"\nPython {platform.python_version()}, {cpu}")
        return 0
    table = Table(title=f"workbench benchmarks (Python {platform.python_version()}, {cpu})")
    for column in COLUMNS:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in COLUMNS))
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
