"""A 3840x2160 photo restores tiled on CPU within 4 GiB peak RSS (measured in a fresh subprocess)."""

import json
import subprocess
import sys

SCRIPT = r"""
import json, resource, sys, time
import numpy as np
import torch
from torch import nn
import zoo

tile = None if sys.argv[1] == "none" else int(sys.argv[1])
torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 3, 3, padding=1))
image = np.random.default_rng(0).integers(0, 256, size=(2160, 3840, 3), dtype=np.uint8)
start = time.perf_counter()
out = zoo.restore(image, model=model, tile=tile, overlap=32)
assert out.shape == image.shape and out.dtype == np.uint8
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak_gib": peak_kib / 2**20, "seconds": time.perf_counter() - start}))
"""


def _peak(tile: str) -> dict[str, float]:
    env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, tile], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_4k_image_restores_tiled_under_4_gib() -> None:
    result = _peak("512")
    print(f"3840x2160, tile 512: peak RSS {result['peak_gib']:.2f} GiB in {result['seconds']:.1f} s")
    assert result["peak_gib"] < 4.0
