"""What the CPU this process runs on can do: fast bf16 matrix units and the number of physical cores it may use.

Both answers are cached for the life of the process. Nothing here changes torch's settings; callers decide (training
uses bf16 autocast and one thread per physical core, inference picks its dtype from the same test).
"""

import functools
import math
import os
import sys
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "BF16_CPU_FLAGS",
    "cgroup_cpu_quota",
    "count_physical_cores",
    "cpu_flags",
    "cpu_supports_fast_bf16",
    "parse_cpuinfo_flags",
    "physical_cores",
]

# /proc/cpuinfo flags of the instructions that make bf16 convolutions and matrix products faster than fp32 on x86:
# AMX tiles (Intel Sapphire Rapids and later) and AVX512-BF16 dot products (Intel Cooper Lake, AMD Zen 4 and later).
BF16_CPU_FLAGS = ("amx_bf16", "avx512_bf16")


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The CPU feature flags listed in ``/proc/cpuinfo`` (empty where that file does not exist, e.g. macOS)."""
    try:
        return parse_cpuinfo_flags(Path("/proc/cpuinfo").read_text())
    except OSError:
        return frozenset()


def parse_cpuinfo_flags(text: str) -> frozenset[str]:
    """The ``flags`` of the first processor in a ``/proc/cpuinfo`` text (x86; ARM calls them ``Features``)."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


@functools.cache
def cpu_supports_fast_bf16() -> bool:
    """True when bf16 arithmetic on this CPU is faster than fp32: AMX-BF16 or AVX512-BF16, and torch can use it.

    Linux only (the flags come from ``/proc/cpuinfo``); False elsewhere, including Apple and ARM CPUs, where torch's
    CPU bf16 kernels emulate bf16 and run slower than fp32.
    """
    if not sys.platform.startswith("linux") or not any(flag in cpu_flags() for flag in BF16_CPU_FLAGS):
        return False
    import torch

    # The convolutions and matrix products run in oneDNN, which finds the instructions itself; torch's own
    # elementwise kernels need at least a vectorised (AVX2) build, which every x86 wheel has unless
    # ATEN_CPU_CAPABILITY=default forces the scalar one.
    return torch.backends.mkldnn.is_available() and torch.backends.cpu.get_cpu_capability() != "DEFAULT"


@functools.cache
def physical_cores() -> int:
    """Physical cores this process may run on, at least 1.

    On Linux: the CPUs of its affinity set (``taskset``, cpusets), hyperthread siblings counted once, capped by a
    cgroup CPU quota (containers). Elsewhere: the number of logical CPUs.
    """
    try:
        cpus = os.sched_getaffinity(0)
    except AttributeError:  # macOS and Windows: no affinity or topology to read, so logical CPUs
        return max(1, os.cpu_count() or 1)
    return count_physical_cores(cpus)


def count_physical_cores(cpus: Iterable[int], sys_root: Path = Path("/sys"), cgroup_root: Path | None = None) -> int:
    """Distinct (package, core) pairs among ``cpus`` in ``sys_root``'s CPU topology, capped by the cgroup quota.

    A CPU without topology files counts as a core of its own. ``cgroup_root`` defaults to ``sys_root/fs/cgroup``.
    """
    cores = set()
    for cpu in cpus:
        topology = sys_root / f"devices/system/cpu/cpu{cpu}/topology"
        try:
            cores.add((topology.joinpath("physical_package_id").read_text(), topology.joinpath("core_id").read_text()))
        except OSError:
            cores.add(("cpu", str(cpu)))
    count = max(1, len(cores))
    quota = cgroup_cpu_quota(cgroup_root or sys_root / "fs/cgroup")
    return max(1, min(count, quota)) if quota else count


def cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """CPUs allowed by the cgroup's CPU quota (v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``), rounded up; None if none."""
    try:  # cgroup v2
        limit, period = root.joinpath("cpu.max").read_text().split()[:2]
        return None if limit == "max" else math.ceil(int(limit) / int(period))
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        limit = int(root.joinpath("cpu/cpu.cfs_quota_us").read_text())
        period = int(root.joinpath("cpu/cpu.cfs_period_us").read_text())
        return None if limit <= 0 or period <= 0 else math.ceil(limit / period)
    except (OSError, ValueError):
        return None
