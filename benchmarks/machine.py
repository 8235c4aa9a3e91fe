"""How much of a shared machine other processes take while a benchmark measures."""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["CpuMeter"]


class CpuMeter:
    """How much of the machine other processes took while we measured (the machine is shared):
    all busy CPU time less ours — this process, the server, and PostgreSQL's processes except
    client backends of other databases."""

    def __init__(self, *, database: str, pids: tuple[int, ...]) -> None:
        self.database, self.pids = database, pids
        self.start_busy, self.start_ours, self.started = _busy_ticks(), self._ours(), time.perf_counter()

    def others(self) -> float:
        """Share of the whole machine (all cores) used by other processes since the start."""
        elapsed = time.perf_counter() - self.started
        theirs = (_busy_ticks() - self.start_busy) - (self._ours() - self.start_ours)
        return max(0.0, theirs / os.sysconf("SC_CLK_TCK") / (elapsed * os.cpu_count()))

    def _ours(self) -> int:
        ticks = sum(_ticks(pid) for pid in self.pids)
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and _is_ours(entry, self.database):
                ticks += _ticks(int(entry.name))
        return ticks


def _is_ours(entry: Path, database: str) -> bool:
    try:
        if (entry / "comm").read_text().strip() != "postgres":
            return False
        command = (entry / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return database in command or "(" not in command  # a background process, or a backend of ours


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _busy_ticks() -> int:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values[:8]) - values[3] - values[4]  # user … steal, less idle and iowait (guest is in user)
