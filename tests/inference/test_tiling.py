"""Tiled inference: blending weights, alignment, and tiled == untiled for models whose receptive field fits."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from zoo.inference.tiling import blend_weights, pad_to_multiple, tile_starts, tiled_forward


class LocalConv(nn.Module):
    """Two 3x3 convolutions (receptive-field radius 2) with a stride-2 pooling pair in between when ``pooled``."""

    def __init__(self, pooled: bool = False) -> None:
        super().__init__()
        self.pooled = pooled
        self.a = nn.Conv2d(3, 6, 3, padding=1)
        self.b = nn.Conv2d(6, 3, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.a(x))
        if self.pooled:
            h = F.interpolate(F.avg_pool2d(h, 2), scale_factor=2, mode="nearest")
        return x + 0.5 * torch.tanh(self.b(h))


class GlobalMean(nn.Module):
    """Subtracts the whole-input mean: the kind of global statistic that breaks tile invariance."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x - x.mean(dim=(2, 3), keepdim=True) + 0.5


def _as_fn(model: nn.Module):
    def fn(tile: torch.Tensor) -> dict[str, torch.Tensor]:
        with torch.no_grad():
            return {"restored": model(tile)}

    return fn


def test_tile_starts_cover_the_axis_and_end_at_the_edge() -> None:
    assert tile_starts(100, 128, 96) == [0]
    starts = tile_starts(300, 64, 48)
    assert starts[0] == 0 and starts[-1] == 300 - 64
    assert all(b - a <= 48 for a, b in zip(starts, starts[1:], strict=False))


def test_blend_weights_are_zero_at_shared_borders_and_one_at_image_borders() -> None:
    w = blend_weights(64, 16, lead=True, trail=True)
    assert torch.all(w[:4] == 0) and torch.all(w[-4:] == 0)
    assert torch.all(w[12:-12] == 1)
    assert torch.all(torch.diff(w[:16]) >= 0)
    edge = blend_weights(64, 16, lead=False, trail=True)
    assert edge[0] == 1 and edge[-1] == 0


def test_pad_to_multiple_reflects_and_reports_size() -> None:
    x = torch.rand(1, 3, 10, 13)
    padded, size = pad_to_multiple(x, 8)
    assert padded.shape[-2:] == (16, 16) and size == (10, 13)
    assert torch.equal(padded[..., :10, :13], x)


@pytest.mark.parametrize(("pooled", "multiple"), [(False, 1), (True, 2)])
@pytest.mark.parametrize(("height", "width"), [(100, 130), (67, 211)])
def test_tiled_equals_untiled_when_receptive_field_fits_in_overlap(
    pooled: bool, multiple: int, height: int, width: int
) -> None:
    model = LocalConv(pooled=pooled).eval()
    x = torch.rand(1, 3, height, width)
    whole = tiled_forward(_as_fn(model), x, tile=None, multiple=multiple)["restored"]
    tiled = tiled_forward(_as_fn(model), x, tile=48, overlap=16, multiple=multiple)["restored"]
    assert tiled.shape == x.shape
    assert (tiled - whole).abs().max().item() < 1e-5


def test_too_small_overlap_shows_seams_so_the_comparison_can_fail() -> None:
    model = LocalConv().eval()
    x = torch.rand(1, 3, 96, 96)
    whole = tiled_forward(_as_fn(model), x, tile=None)["restored"]
    tiled = tiled_forward(_as_fn(model), x, tile=40, overlap=0)["restored"]
    assert (tiled - whole).abs().max().item() > 1e-3


def test_global_statistics_are_not_tile_invariant() -> None:
    x = torch.rand(1, 3, 96, 96)
    x[..., :48] *= 0.2  # a dark half: tiles see different means than the whole image
    whole = tiled_forward(_as_fn(GlobalMean()), x, tile=None)["restored"]
    tiled = tiled_forward(_as_fn(GlobalMean()), x, tile=48, overlap=16)["restored"]
    assert (tiled - whole).abs().max().item() > 0.05


def test_every_output_of_the_tile_function_is_blended() -> None:
    x = torch.rand(2, 3, 70, 90)

    def fn(tile: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"restored": tile, "step": 1 - tile}

    out = tiled_forward(fn, x, tile=32, overlap=8, multiple=4)
    assert set(out) == {"restored", "step"}
    assert torch.allclose(out["restored"], x, atol=1e-6) and torch.allclose(out["step"], 1 - x, atol=1e-6)


def test_tile_not_larger_than_overlap_is_an_error() -> None:
    with pytest.raises(ValueError, match="larger than the overlap"):
        tiled_forward(_as_fn(GlobalMean()), torch.rand(1, 3, 64, 64), tile=16, overlap=16)
