"""How many math threads training uses: one per physical core that other processes leave free.

On an idle machine that is every physical core. On a shared one it is fewer: a parallel region of torch's thread
pool ends only when its slowest thread has run, so a thread that waits for a core held by another process stalls the
others. Measured on a 2-core machine with 5-12 runnable processes, a bf16 training step took 8-59x longer with 2
threads than with 1 (``results/cpu/train_throughput.md``).
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["OtherProcessesLoad", "check_threads", "math_threads"]


def check_threads(threads: int | str | None) -> int | str | None:
    """Return ``threads`` if it is ``"auto"``, None or a positive int, else raise a ValueError saying what is valid."""
    number = isinstance(threads, int) and not isinstance(threads, bool) and threads >= 1
    if threads is None or threads == "auto" or number:
        return threads
    raise ValueError(f"threads={threads!r}; expected 'auto', None (torch's own setting) or a positive number")


def math_threads(others: float | None, cores: int) -> int:
    """Threads for ``cores`` physical cores when other processes keep ``others`` cores busy (None: unknown, all).

    A core counts as taken when other processes use at least half of it on average; at least one thread is used.
    """
    if others is None:
        return cores
    return max(1, min(cores, cores - int(others + 0.5)))


class OtherProcessesLoad:
    """Average number of cores other processes kept busy between two calls of :meth:`sample`.

    Linux only: all CPUs' busy time from ``/proc/stat`` (user, nice, system, irq, softirq and the hypervisor's steal
    time) minus this process's own CPU time (all its threads), over the wall time between the calls. Dataloader
    workers are other processes: their synthesis takes cores from the math. Elsewhere :meth:`sample` returns None.

    Args:
        stat: The kernel's CPU statistics file.
        clock: Monotonic wall-clock seconds.
        cpu_time: CPU seconds of this process.
    """

    def __init__(
        self,
        stat: Path = Path("/proc/stat"),
        clock: Callable[[], float] = time.monotonic,
        cpu_time: Callable[[], float] = time.process_time,
    ) -> None:
        self.stat, self.clock, self.cpu_time = stat, clock, cpu_time
        self._last = self._read()

    def _read(self) -> tuple[float, float, float] | None:
        """(busy seconds of all CPUs, CPU seconds of this process, monotonic seconds), or None without the file."""
        try:
            fields = [int(v) for v in self.stat.read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return None
        if len(fields) < 8:
            return None
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        return (user + nice + system + irq + softirq + steal) / ticks, self.cpu_time(), self.clock()

    def sample(self) -> float | None:
        """Cores used by other processes since the previous call (or since construction); None if unknown."""
        now, last = self._read(), self._last
        self._last = now
        if now is None or last is None or now[2] - last[2] < 0.2:
            return None
        others = (now[0] - last[0]) - (now[1] - last[1])
        return max(0.0, others / (now[2] - last[2]))
