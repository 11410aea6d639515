"""Channels-last weights for CPU training, with dilated convolutions kept in the default order."""

import os
import subprocess
import sys

import torch
from torch import nn

from zoo.training.memory_format import to_channels_last


def test_dilated_convolutions_stay_contiguous() -> None:
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=2, dilation=2), nn.Conv2d(8, 8, 3, padding=1))
    params = list(model.parameters())
    assert to_channels_last(model) == ["0"]
    assert list(model.parameters()) == params
    assert model[0].weight.is_contiguous() and not model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert model[1].weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.rand(2, 3, 16, 16).contiguous(memory_format=torch.channels_last)
    inputs = []
    model[0].register_forward_hook(lambda m, args, out: inputs.append(args[0]))
    model(x)
    assert inputs[0].is_contiguous()


# In a child process: a regression could end it with a segmentation fault (see zoo.training.memory_format).
_BF16_BACKWARD = """
import torch
from torch import nn
from zoo.training.memory_format import to_channels_last

torch.set_num_threads(1)
torch.manual_seed(0)
reference = nn.Sequential(nn.Conv2d(24, 16, 3, padding=2, dilation=2), nn.Conv2d(16, 16, 3, padding=1, groups=16))
model = nn.Sequential(nn.Conv2d(24, 16, 3, padding=2, dilation=2), nn.Conv2d(16, 16, 3, padding=1, groups=16))
model.load_state_dict(reference.state_dict())
to_channels_last(model)
x = torch.rand(8, 24, 96, 96)
for net, batch in ((reference, x), (model, x.contiguous(memory_format=torch.channels_last))):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = net(batch)
    out.float().square().mean().backward()
for (name, a), b in zip(reference.named_parameters(), model.parameters()):
    assert torch.isfinite(b.grad).all(), name
    error = float((a.grad - b.grad).abs().max() / a.grad.abs().max())
    assert error < 0.02, (name, error)
print("ok")
"""


def test_bf16_backward_of_a_dilated_convolution_is_right() -> None:
    """bf16 gradients match the default order's within bf16 rounding (2 % of their scale), none NaN, no crash."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", _BF16_BACKWARD], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]

