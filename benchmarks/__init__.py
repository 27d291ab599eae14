"""The workbench's benchmarks: each times what a user runs (README, "Every benchmark")."""

from __future__ import annotations

import compileall
from pathlib import Path

import workbench


def byte_compile_package() -> None:
    """Compile the package's modules to bytecode, as Python leaves them after a program's
    first run: a benchmark that times `workbench` as a process then times what a user waits
    for. (A machine set to keep no bytecode, PYTHONDONTWRITEBYTECODE=1 as ours is, would
    compile the package's 14,000 lines at every start: ~0.07 s more per process.)"""
    compileall.compile_dir(Path(workbench.__file__).parent, quiet=1)
