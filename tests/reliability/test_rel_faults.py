"""Faults: ``kill -9`` during ``zoo train`` then ``--resume``; a checkpoint write interrupted midway; tampered weights.

The training runs use the tiny ``durn_us_tiny`` config (16 iterations, a checkpoint every 4) on one CPU thread. The
uninterrupted run is the reference: after a kill and ``--resume`` the logged losses (``vis_data/scalars.json``) and
the final weights must be identical to it.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from zoo.cli.main import main

pytest.importorskip("mmengine.runner")

CONFIG = "durn_us_tiny"
ITERS = 16
OPTIONS = [
    f"train_cfg.max_iters={ITERS}",
    "train_cfg.val_interval=1000",
    "default_hooks.checkpoint.interval=4",
    "default_hooks.logger.interval=1",
]
TIMEOUT = 180  # seconds for one training subprocess (about 10 s on an idle core)


def _args(work_dir: Path, name: str, *extra: str) -> list[str]:
    return ["train", CONFIG, "--work-dir", str(work_dir), *extra, "--cfg-options", f"experiment_name={name}", *OPTIONS]


def _scalars(run_dir: Path) -> dict[int, dict[str, float]]:
    """Logged training scalars of one run by iteration (a line cut by the kill is skipped)."""
    records = {}
    for line in (run_dir / "vis_data" / "scalars.json").read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "loss" in record:
            records[record["iter"]] = {k: v for k, v in record.items() if k.startswith("loss") or k == "lr"}
    return records


def _runs(work_dir: Path) -> list[Path]:
    """The timestamped run folders of a work dir, oldest first."""
    return sorted(p.parent.parent for p in work_dir.glob("*/vis_data/scalars.json"))


def _weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, map_location="cpu", weights_only=True)["state_dict"]


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run: the reference."""
    work_dir = tmp_path_factory.mktemp("straight")
    assert main(_args(work_dir, "rel_straight")) == 0
    return work_dir


def _train_subprocess(work_dir: Path, name: str, prelude: str = "") -> subprocess.Popen:
    code = f"{prelude}\nimport sys\nfrom zoo.cli.main import main\nsys.exit(main({_args(work_dir, name)!r}))"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _resume_and_compare(work_dir: Path, straight: Path, name: str) -> int:
    """``--resume`` the killed run, then check losses and final weights against the straight run.

    Returns:
        The iteration training resumed from.
    """
    assert main(_args(work_dir, name, "--resume")) == 0
    killed, resumed = _runs(work_dir)
    after = _scalars(resumed)
    start = min(after) - 1
    assert start > 0 and start % 4 == 0, "resumed from a checkpoint, not from scratch"
    logged = _scalars(killed)
    print(f"{name}: last iteration logged before the kill {max(logged)}, resumed from iteration {start}")
    before = {i: r for i, r in logged.items() if i <= start}
    (reference_run,) = _runs(straight)
    reference = _scalars(reference_run)
    assert sorted({**before, **after}) == list(range(1, ITERS + 1))
    for iteration, record in {**before, **after}.items():
        assert record == reference[iteration], iteration  # bit-identical losses and learning rates
    a, b = _weights(straight / f"iter_{ITERS}.pth"), _weights(work_dir / f"iter_{ITERS}.pth")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    return start


@pytest.mark.slow  # ~11 s: a training subprocess killed, then resumed; `pytest -m slow` (CI's second step)
def test_kill_9_during_training_then_resume_matches(tmp_path: Path, straight: Path) -> None:
    work_dir = tmp_path / "killed"
    process = _train_subprocess(work_dir, "rel_killed")
    deadline = time.monotonic() + TIMEOUT
    while not (work_dir / "iter_8.pth").exists():
        assert process.poll() is None, f"training ended before it could be killed: {process.stderr.read()}"
        assert time.monotonic() < deadline, "no checkpoint in time"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(TIMEOUT) == -signal.SIGKILL
    assert not (work_dir / f"iter_{ITERS}.pth").exists(), "killed before the end"
    start = _resume_and_compare(work_dir, straight, "rel_killed_resume")
    assert start >= 4


# Runs in the training subprocess: at the second checkpoint, write half of the bytes, then kill -9 the process.
_KILL_MID_WRITE = """
import os, signal
from mmengine.fileio.backends.local_backend import LocalBackend
_put = LocalBackend.put
def put(self, obj, filepath):
    if str(filepath).endswith("iter_8.pth.part"):
        with open(filepath, "wb") as handle:
            handle.write(obj[: len(obj) // 2])
            handle.flush()
            os.fsync(handle.fileno())
        os.kill(os.getpid(), signal.SIGKILL)
    return _put(self, obj, filepath)
LocalBackend.put = put
"""


@pytest.mark.slow  # ~15 s: a training subprocess killed mid-write, then resumed; `pytest -m slow` (CI's second step)
def test_kill_9_midway_through_a_checkpoint_write(tmp_path: Path, straight: Path) -> None:
    work_dir = tmp_path / "killed_mid_write"
    process = _train_subprocess(work_dir, "rel_mid_write", _KILL_MID_WRITE)
    assert process.wait(TIMEOUT) == -signal.SIGKILL, process.stderr.read()
    part = work_dir / "iter_8.pth.part"
    assert part.is_file() and not (work_dir / "iter_8.pth").exists()
    assert part.stat().st_size < (work_dir / "iter_4.pth").stat().st_size
    assert (work_dir / "last_checkpoint").read_text().strip().endswith("iter_4.pth")
    assert _weights(work_dir / "iter_4.pth").keys() == _weights(straight / f"iter_{ITERS}.pth").keys()  # loadable
    assert _resume_and_compare(work_dir, straight, "rel_mid_write_resume") == 4
    assert not part.exists(), "the partial checkpoint is removed when training starts again"


def test_failed_checkpoint_write_keeps_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """torch.save raising midway (disk full): a one-line error, the previous checkpoint intact and still 'last'."""
    calls = []
    real_save = torch.save

    def failing_save(obj: object, f: object, *args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            real_save(obj, f, *args, **kwargs)
            raise OSError(28, "No space left on device (simulated)")
        real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", failing_save)
    work_dir = tmp_path / "disk_full"
    args = ["train", CONFIG, "--work-dir", str(work_dir), "--cfg-options", "experiment_name=rel_disk_full"]
    assert (
        main([*args, "train_cfg.max_iters=8", "train_cfg.val_interval=1000", "default_hooks.checkpoint.interval=4"])
        == 1
    )
    err = capsys.readouterr().err
    assert "zoo train: error: [Errno 28] No space left on device (simulated)" in err and "Traceback" not in err
    assert not (work_dir / "iter_8.pth").exists()
    assert (work_dir / "last_checkpoint").read_text().strip().endswith("iter_4.pth")
    assert "state_dict" in torch.load(work_dir / "iter_4.pth", map_location="cpu", weights_only=True)


# --- shipped weights: sha256 ---------------------------------------------------------------------------------------


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A weights folder with one tag, ``durn_us.reltest``, written by the release code."""
    from zoo.inference import loading
    from zoo.registry import create_model, save_release_weights
    from zoo.registry import pretrained as pretrained_module

    folder = tmp_path / "weights"
    digest = save_release_weights(create_model("durn_us", width=0.25).state_dict(), folder / "w.safetensors", {})
    manifest = {"durn_us.reltest": {"file": "w.safetensors", "sha256": digest, "config": {"width": 0.25}}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(pretrained_module, "weights_dir", lambda: folder)
    pretrained_module.pretrained_table.cache_clear()
    loading._load_named.cache_clear()
    yield folder
    pretrained_module.pretrained_table.cache_clear()
    loading._load_named.cache_clear()


@pytest.mark.parametrize("damage", ["flip_last_byte", "flip_one_weight", "truncate", "replace"])
def test_tampered_weights_fail_the_sha256_check(
    shipped: Path, damage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zoo
    from zoo.registry import ChecksumError, create_model, save_release_weights

    assert create_model("durn_us.reltest", pretrained=True) is not None  # intact: loads
    path = shipped / "w.safetensors"
    data = bytearray(path.read_bytes())
    if damage == "flip_last_byte":
        data[-1] ^= 0xFF
    elif damage == "flip_one_weight":
        data[len(data) // 2] ^= 0x01  # one bit of one float: a file that still parses
    elif damage == "truncate":
        data = data[: len(data) // 2]
    if damage == "replace":  # other, well-formed weights of the same architecture
        torch.manual_seed(1)
        save_release_weights(create_model("durn_us", width=0.25).state_dict(), path, {})
    else:
        path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="does not match the expected"):
        create_model("durn_us.reltest", pretrained=True)
    with pytest.raises(ChecksumError):
        zoo.restore(np.zeros((8, 8, 3), np.uint8), model="durn_us.reltest")
    image = tmp_path / "in.png"
    from PIL import Image

    Image.new("RGB", (8, 8)).save(image)
    assert main(["restore", str(image), "-m", "durn_us.reltest", "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("zoo restore: error: ") and "\n" not in err and "sha256" in err and "corrupted" in err
    assert not (tmp_path / "out").exists()
