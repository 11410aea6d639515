"""Training hooks: math threads and channels-last weights (CPUTrainingHook), checkpoints by wall time (fake clock)."""

import os
import types
from pathlib import Path

import pytest
import torch
from mmengine.hooks import Hook

from zoo.training.hooks import CPUTrainingHook, TimedCheckpointHook
from zoo.training.threads import OtherProcessesLoad, math_threads

pytest.importorskip("mmengine.runner")


class _Killed(Exception):
    pass


class _KillAfter(Hook):
    """Ends the run with an exception after iteration ``count`` (1-based), as a kill would."""

    def __init__(self, count: int) -> None:
        self.count = count

    def after_train_iter(self, runner, *args, **kwargs) -> None:
        if runner.iter + 1 == self.count:
            raise _Killed


class _FakeClock(Hook):
    """A clock for TimedCheckpointHook that advances by ``minutes`` with every finished iteration."""

    def __init__(self, minutes: float) -> None:
        self.minutes, self.seconds = minutes, 0.0

    def __call__(self) -> float:
        return self.seconds

    def after_train_iter(self, runner, *args, **kwargs) -> None:
        self.seconds += 60.0 * self.minutes


class _StartIteration(Hook):
    """Records the iteration training starts from."""

    iteration = -1

    def before_train(self, runner) -> None:
        self.iteration = runner.iter


def _runner(work_dir: Path, max_iters: int, resume: bool = False, minutes_per_iter: float | None = None, **options):
    from zoo.training import build_runner, load_config

    settings = {
        "experiment_name": work_dir.name,
        "train_cfg.max_iters": max_iters,
        "train_cfg.val_interval": 100,
        "default_hooks.checkpoint.interval": 1000,
        "default_hooks.checkpoint.max_keep_ckpts": 2,
        **options,
    }
    runner = build_runner(load_config("mbn_stage1_tiny", settings), work_dir=str(work_dir), resume=resume)
    if minutes_per_iter is not None:
        clock = _FakeClock(minutes_per_iter)
        runner.register_hook(clock, priority="HIGHEST")  # ticks before the checkpoint hook looks at the time
        (hook,) = [h for h in runner.hooks if isinstance(h, TimedCheckpointHook)]
        hook.clock = clock
    return runner


def _checkpoints(work_dir: Path) -> list[str]:
    return sorted(p.name for p in work_dir.glob("iter_*.pth*"))


@pytest.mark.parametrize("bad", [0, -2, "two", True, 1.5])
def test_bad_thread_settings_are_refused(bad) -> None:
    with pytest.raises(ValueError, match="expected 'auto', None"):
        CPUTrainingHook(threads=bad)


@pytest.mark.parametrize(
    ("others", "cores", "expected"),
    [(None, 2, 2), (0.0, 2, 2), (0.4, 2, 2), (0.6, 2, 1), (1.4, 2, 1), (7.5, 2, 1), (1.2, 8, 7), (0.0, 1, 1)],
)
def test_math_threads_leave_the_busy_cores(others: float | None, cores: int, expected: int) -> None:
    assert math_threads(others, cores) == expected


def _stat(path: Path, user: int, system: int, idle: int, steal: int = 0) -> None:
    path.write_text(f"cpu  {user} 0 {system} {idle} 0 0 0 {steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n")


def test_load_of_other_processes_from_proc_stat(tmp_path: Path) -> None:
    stat, now, mine = tmp_path / "stat", [0.0], [0.0]
    ticks = os.sysconf("SC_CLK_TCK")
    _stat(stat, user=0, system=0, idle=0)
    load = OtherProcessesLoad(stat, clock=lambda: now[0], cpu_time=lambda: mine[0])
    # 10 s: all CPUs busy 25 s (2.5 cores, steal included), 9 s of them this process's own threads
    _stat(stat, user=20 * ticks, system=3 * ticks, idle=0, steal=2 * ticks)
    now[0], mine[0] = 10.0, 9.0
    assert load.sample() == pytest.approx(1.6)
    now[0] = 10.1  # too short to measure
    assert load.sample() is None
    assert OtherProcessesLoad(tmp_path / "missing").sample() is None


def _fake_runner(model: torch.nn.Module) -> types.SimpleNamespace:
    messages = []
    return types.SimpleNamespace(model=model, logger=types.SimpleNamespace(info=messages.append), messages=messages)


def test_hook_sets_threads_and_stores_weights_channels_last() -> None:
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.Conv2d(8, 8, 3))
    params = list(model.parameters())
    runner = _fake_runner(model)
    saved = torch.get_num_threads()
    try:
        CPUTrainingHook(threads=2).before_run(runner)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(saved)
    assert list(model.parameters()) == params  # same Parameter objects: an optimizer built before still holds them
    assert all(m.weight.is_contiguous(memory_format=torch.channels_last) for m in model)
    assert not model[0].weight.is_contiguous()
    assert "math threads: 2" in runner.messages[0] and "channels-last" in runner.messages[0]


class _ScriptedLoad:
    def __init__(self, values: list[float]) -> None:
        self.values = values

    def sample(self) -> float:
        return self.values.pop(0)


def test_auto_threads_follow_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    from zoo.hardware import physical_cores

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores = physical_cores()
    hook = CPUTrainingHook(probe_seconds=0, recheck_minutes=2)
    hook.load, now = _ScriptedLoad([float(cores), 0.0]), [0.0]
    hook.clock = lambda: now[0]
    runner = _fake_runner(torch.nn.Conv2d(3, 3, 1))
    saved = torch.get_num_threads()
    try:
        hook.before_run(runner)
        assert torch.get_num_threads() == 1  # every core busy with other processes
        now[0] = 100.0
        hook.after_train_iter(runner, 0)
        assert torch.get_num_threads() == 1 and len(hook.load.values) == 1  # not measured again before 2 minutes
        now[0] = 121.0
        hook.after_train_iter(runner, 1)
        assert torch.get_num_threads() == cores  # the others are gone
    finally:
        torch.set_num_threads(saved)
    assert f"{cores} physical cores" in runner.messages[0]


def test_auto_threads_keep_omp_num_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    hook = CPUTrainingHook(probe_seconds=0)
    hook.load = _ScriptedLoad([])  # never asked
    runner = _fake_runner(torch.nn.Conv2d(3, 3, 1))
    hook.before_run(runner)
    hook.clock = lambda: 1e9
    hook.after_train_iter(runner, 0)
    assert "from OMP_NUM_THREADS" in runner.messages[0]


def test_hook_can_leave_threads_and_layout_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    model = torch.nn.Conv2d(3, 8, 3)
    runner = _fake_runner(model)
    CPUTrainingHook(threads=None, channels_last=False).before_run(runner)
    assert model.weight.is_contiguous() and calls == []
    assert "torch's own setting" in runner.messages[0]


def test_train_threads_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zoo.cli.main import main

    calls = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    args = ["train", "mbn_stage1_tiny", "--cfg-options", "train_cfg.max_iters=1", "train_cfg.val_interval=100"]
    assert main([*args, "experiment_name=a", "--work-dir", str(tmp_path / "a"), "--threads", "1"]) == 0
    assert calls == [1]
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert main([*args, "experiment_name=b", "--work-dir", str(tmp_path / "b")]) == 0
    assert calls == [1]  # OMP_NUM_THREADS is obeyed: torch's setting is left alone


def test_checkpoints_by_wall_time_keep_the_newest(tmp_path: Path) -> None:
    work_dir = tmp_path / "timed"
    _runner(work_dir, max_iters=8, minutes_per_iter=5).train()
    # saved after iterations 2, 4, 6 (10 fake minutes apart) and 8 (the last); the two newest are kept
    assert _checkpoints(work_dir) == ["iter_6.pth", "iter_8.pth"]
    assert (work_dir / "last_checkpoint").read_text().strip().endswith("iter_8.pth")


def test_time_rule_off_saves_by_iteration_only(tmp_path: Path) -> None:
    work_dir = tmp_path / "off"
    _runner(work_dir, max_iters=6, minutes_per_iter=5, **{"default_hooks.checkpoint.interval_minutes": None}).train()
    assert _checkpoints(work_dir) == ["iter_6.pth"]


@pytest.mark.slow  # ~15 s; `pytest -m slow` (CI's second step)
def test_killed_run_resumes_from_the_newest_timed_checkpoint(tmp_path: Path) -> None:
    straight = tmp_path / "straight"
    _runner(straight, max_iters=8).train()

    killed = tmp_path / "killed"
    runner = _runner(killed, max_iters=8, minutes_per_iter=4)  # saves after iterations 3 and 6
    runner.register_hook(_KillAfter(7), priority="LOWEST")
    with pytest.raises(_Killed):
        runner.train()
    assert _checkpoints(killed) == ["iter_3.pth", "iter_6.pth"]  # killed 4 fake minutes after the last save

    resumed = _runner(killed, max_iters=8, resume=True)
    start = _StartIteration()
    resumed.register_hook(start)
    resumed.train()
    assert start.iteration == 6
    assert _checkpoints(killed) == ["iter_6.pth", "iter_8.pth"]
    a = torch.load(straight / "iter_8.pth", map_location="cpu", weights_only=True)["state_dict"]
    b = torch.load(killed / "iter_8.pth", map_location="cpu", weights_only=True)["state_dict"]
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_negative_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="interval_minutes=-1"):
        TimedCheckpointHook(interval_minutes=-1)


def test_a_last_checkpoint_pointer_left_empty_by_a_kill_is_repaired(tmp_path) -> None:
    import logging
    from types import SimpleNamespace

    from zoo.training.runner import ZooRunner

    runner = SimpleNamespace(work_dir=str(tmp_path), logger=logging.getLogger("test"))
    pointer = tmp_path / "last_checkpoint"
    for name in ("iter_4.pth", "iter_12.pth"):
        (tmp_path / name).write_bytes(b"x")
    pointer.write_text("")  # mmengine truncates, then writes: a kill in between leaves it empty
    ZooRunner._repair_last_checkpoint(runner)
    assert pointer.read_text() == str(tmp_path / "iter_12.pth")  # the newest by number, not by name
    pointer.write_text(str(tmp_path / "iter_16.pth"))  # a file that was never written
    ZooRunner._repair_last_checkpoint(runner)
    assert pointer.read_text() == str(tmp_path / "iter_12.pth")
    pointer.write_text(str(tmp_path / "iter_4.pth"))  # valid: left as it is
    ZooRunner._repair_last_checkpoint(runner)
    assert pointer.read_text() == str(tmp_path / "iter_4.pth")
    for name in ("iter_4.pth", "iter_12.pth"):
        (tmp_path / name).unlink()
    pointer.write_text("")
    ZooRunner._repair_last_checkpoint(runner)
    assert not pointer.exists()  # nothing to resume from: a fresh start
