"""Two CPU processes under torchrun with gloo: DDP training keeps both ranks' weights identical."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = """
import sys, torch
from zoo.training import build_runner, load_config
cfg = load_config("durn_p_rgb_tiny", {"train_cfg.max_iters": 3, "train_cfg.val_interval": 100,
                                       "default_hooks.checkpoint.interval": 3, "experiment_name": "ddp"})
runner = build_runner(cfg, work_dir=sys.argv[1], launcher="pytorch")
runner.train()
import torch.distributed as dist
state = runner.model.module.state_dict()
torch.save(state, f"{sys.argv[1]}/rank{dist.get_rank()}.pt")
print("world", dist.get_world_size())
"""


@pytest.mark.slow  # ~20 s (two processes); `pytest -m slow` (CI's second step)
def test_two_rank_gloo_training_stays_in_sync(tmp_path: Path) -> None:
    script = tmp_path / "ddp_train.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--master_port=29531",
        str(script),
        str(tmp_path / "work"),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=280)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count("world 2") == 2
    rank0 = torch.load(tmp_path / "work" / "rank0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "work" / "rank1.pt", weights_only=True)
    assert rank0.keys() == rank1.keys() and len(rank0) > 0
    for key, value in rank0.items():
        assert torch.equal(value, rank1[key]), f"ranks disagree on {key}"
    assert (tmp_path / "work" / "iter_3.pth").is_file()
