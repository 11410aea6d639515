"""zoo.hardware: bf16 detection from CPU flags, physical cores from the affinity set, topology and cgroup quota."""

import os
import sys
from pathlib import Path

import pytest

from zoo import hardware

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
flags\t\t: fpu sse avx2 avx512f avx512bw {extra}
bugs\t\t: sysret_ss_attrs

processor\t: 1
flags\t\t: fpu sse avx2 avx512f avx512bw {extra}
"""


def _topology(root: Path, cpu: int, package: int, core: int) -> None:
    folder = root / f"devices/system/cpu/cpu{cpu}/topology"
    folder.mkdir(parents=True)
    (folder / "physical_package_id").write_text(f"{package}\n")
    (folder / "core_id").write_text(f"{core}\n")


def test_flags_are_read_from_the_first_processor() -> None:
    flags = hardware.parse_cpuinfo_flags(CPUINFO.format(extra="avx512_bf16"))
    assert {"avx2", "avx512f", "avx512_bf16"} <= flags
    assert "sysret_ss_attrs" not in flags
    assert hardware.parse_cpuinfo_flags("processor : 0\n") == frozenset()


@pytest.mark.parametrize(
    ("flags", "platform", "expected"),
    [
        ({"avx2", "avx512f", "avx512_bf16"}, "linux", True),
        ({"avx2", "amx_tile", "amx_bf16"}, "linux", True),
        ({"avx2", "avx512f", "avx512bw"}, "linux", False),  # AVX512 without bf16 dot products: bf16 is emulated
        ({"avx512_bf16"}, "darwin", False),
    ],
)
def test_fast_bf16_needs_amx_or_avx512_bf16_on_linux(
    monkeypatch: pytest.MonkeyPatch, flags: set[str], platform: str, expected: bool
) -> None:
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setattr(sys, "platform", platform)
    assert hardware.cpu_supports_fast_bf16.__wrapped__() is expected


def test_fast_bf16_is_cached_and_agrees_with_this_cpu() -> None:
    assert hardware.cpu_supports_fast_bf16() is hardware.cpu_supports_fast_bf16()
    has_flag = any(flag in hardware.cpu_flags() for flag in hardware.BF16_CPU_FLAGS)
    if not sys.platform.startswith("linux") or not has_flag:
        assert hardware.cpu_supports_fast_bf16() is False


def test_hyperthread_siblings_count_once(tmp_path: Path) -> None:
    for cpu, core in enumerate([0, 1, 0, 1]):  # 2 cores with 2 threads each
        _topology(tmp_path, cpu, package=0, core=core)
    assert hardware.count_physical_cores([0, 1, 2, 3], sys_root=tmp_path) == 2
    assert hardware.count_physical_cores([0, 2], sys_root=tmp_path) == 1


def test_cores_of_two_packages_are_distinct(tmp_path: Path) -> None:
    for cpu in range(4):
        _topology(tmp_path, cpu, package=cpu // 2, core=cpu % 2)
    assert hardware.count_physical_cores(range(4), sys_root=tmp_path) == 4


def test_missing_topology_counts_each_cpu(tmp_path: Path) -> None:
    assert hardware.count_physical_cores([0, 5, 7], sys_root=tmp_path) == 3


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "150000 100000\n"}, 2),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "100000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
)
def test_cgroup_quota(tmp_path: Path, files: dict[str, str], expected: int | None) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert hardware.cgroup_cpu_quota(tmp_path) == expected


def test_quota_caps_the_core_count(tmp_path: Path) -> None:
    for cpu in range(8):
        _topology(tmp_path, cpu, package=0, core=cpu)
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    (cgroup / "cpu.max").write_text("300000 100000\n")
    assert hardware.count_physical_cores(range(8), sys_root=tmp_path, cgroup_root=cgroup) == 3


def test_physical_cores_of_this_process_is_within_its_affinity() -> None:
    cores = hardware.physical_cores()
    assert cores >= 1
    if hasattr(os, "sched_getaffinity"):
        assert cores <= len(os.sched_getaffinity(0))
