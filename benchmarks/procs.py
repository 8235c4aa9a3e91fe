"""Running a command and measuring its wall time and peak memory (ru_maxrss via wait4)."""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    returncode: int
    stderr: str
    stdout: str = ""


def measure(command: list[str], *, env: dict[str, str], stdin: str | None = None) -> Run:
    """Wall time and peak RSS of `command`, as GNU time reports them.

    GNU time execs the command in a fresh process, so the peak is the command's own; the
    ru_maxrss of a child forked from this (large) Python process would include the copy of
    the parent made at fork time.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        completed = subprocess.run(["/usr/bin/time", "-q", "-f", "%M", "-o", report.name, *command],
                                   env=env, input=stdin or "", capture_output=True,
                                   text=True)
        elapsed = time.perf_counter() - start
        lines = [line for line in report.read().splitlines() if line.strip().isdigit()]
    peak = int(lines[-1]) / 1024 if lines else float("nan")
    return Run(elapsed, peak, completed.returncode, completed.stderr, completed.stdout)


def median_run(command: list[str], *, env: dict[str, str], stdin: str | None = None, rounds: int = 3,
               before=None, succeeded=None) -> Run:
    """Median of `rounds` runs; `succeeded(run)` decides success (default: exit status 0)."""
    check = succeeded or (lambda run: run.returncode == 0)
    runs = []
    for _ in range(rounds):
        if before is not None:
            before()
        run = measure(command, env=env, stdin=stdin)
        if not check(run):
            raise RuntimeError(f"{command[0]} failed ({run.returncode}): {run.stdout[-500:]} {run.stderr[-500:]}")
        runs.append(run)
    runs.sort(key=lambda run: run.seconds)
    middle = runs[len(runs) // 2]
    return Run(middle.seconds, max(run.peak_mib for run in runs), 0, "")
