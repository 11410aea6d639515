"""Memory estimate before a forward pass, and automatic tiling above the budget (zoo.inference.memory)."""

import math
import warnings

import numpy as np
import pytest
import torch
from torch import nn

import zoo
from zoo.inference.memory import (
    CHECK_ABOVE_PIXELS,
    GIB,
    MEASURE_MARGIN,
    ForwardCost,
    auto_tile,
    measure_forward_cost,
    plan_tile,
)


def _local_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 3, 3, padding=1)).eval()


def test_measured_cost_matches_the_tensors_the_model_keeps_alive() -> None:
    # conv1's output (16 float32 channels) and ReLU's output are alive together: 2 x 64 bytes per pixel at the peak;
    # conv2's 3-channel output comes after conv1's is freed. The input was made outside and is not counted.
    cost = measure_forward_cost(_local_model(), {})
    assert cost.per_pixel == pytest.approx(2 * 16 * 4 * MEASURE_MARGIN, rel=0.02)
    assert cost.fixed < 1024


def test_cost_is_measured_once_per_model_and_call() -> None:
    model = _local_model()
    calls = []
    model.register_forward_hook(lambda *args: calls.append(1))
    first = measure_forward_cost(model, {})
    assert measure_forward_cost(model, {}) is first and len(calls) == 2  # two probe sizes, then cached


def test_plan_tile_fits_the_budget() -> None:
    cost = ForwardCost(fixed=1e6, per_pixel=800.0)
    assert plan_tile(cost, 1, 1000, 1000, budget=2 * GIB, multiple=16, overlap=32) is None
    tile = plan_tile(cost, 1, 9000, 9000, budget=2 * GIB, multiple=16, overlap=32)
    assert tile is not None and tile % 16 == 0
    assert cost.bytes_for(tile, tile) <= 2 * GIB < cost.bytes_for(tile + 16, tile + 16)
    with pytest.raises(MemoryError, match="64x64 tiles"):
        plan_tile(cost, 1, 9000, 9000, budget=2e6, multiple=16, overlap=32)


def _never(*args: object) -> ForwardCost:
    raise AssertionError("measured although the image is small and no budget was given")


def _fixed_cost(per_pixel: float):
    return lambda *args: ForwardCost(fixed=0.0, per_pixel=per_pixel)


def test_small_images_are_not_measured_without_a_budget() -> None:
    side = math.isqrt(CHECK_ABOVE_PIXELS)
    x = torch.empty(1, 3, side, side, device="meta")
    kwargs = dict(name="m", multiple=1, overlap=32, device=torch.device("cpu"), max_memory=None, measure=_never)
    assert auto_tile(nn.Identity(), {}, x, **kwargs) is None


def test_a_9000_pixel_square_is_tiled_with_a_message() -> None:
    x = torch.empty(1, 3, 9000, 9000, device="meta")  # only the shape is read
    with pytest.warns(UserWarning, match=r"9000x9000 image needs about 67\.9 GiB.*budget of 8 GiB.*tiles") as caught:
        tile = auto_tile(
            nn.Identity(), {}, x, name="m", multiple=16, overlap=32, device=torch.device("cpu"), max_memory=None,
            measure=_fixed_cost(900.0),
        )  # fmt: skip
    assert tile is not None and f"{tile}x{tile} tiles" in str(caught[0].message)
    assert 900.0 * tile * tile <= 8 * GIB


def test_models_that_cannot_tile_are_refused_up_front() -> None:
    x = torch.empty(1, 3, 4000, 4000, device="meta")
    with pytest.raises(ValueError, match="cannot be tiled.*--max-memory"):
        auto_tile(
            nn.Identity(), {}, x, name="m", multiple=1, overlap=32, device=torch.device("cpu"), max_memory=1.0,
            tiling="unsupported", measure=_fixed_cost(900.0),
        )  # fmt: skip


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "8"])
def test_the_budget_must_be_a_positive_number(bad: object) -> None:
    x = torch.empty(1, 3, 8, 8, device="meta")
    with pytest.raises(ValueError, match="max_memory must be a positive number of GiB"):
        auto_tile(
            nn.Identity(), {}, x, name="m", multiple=1, overlap=0, device=torch.device("cpu"), max_memory=bad,
            measure=_never,
        )  # fmt: skip


def test_restore_tiles_automatically_and_matches_the_whole_image_pass() -> None:
    model = _local_model()
    image = np.random.default_rng(0).random((96, 128, 3)).astype(np.float32)
    whole = zoo.restore(image, model=model)
    budget = 40 * 40 * 192 / GIB  # room for a 40x40 tile of this model (192 bytes per pixel), not the whole image
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tiled = zoo.restore(image, model=model, max_memory=budget, overlap=8)
    assert any("tiles" in str(w.message) for w in caught), [str(w.message) for w in caught]
    np.testing.assert_allclose(tiled, whole, atol=1e-5)  # receptive field 2 px <= overlap / 4: no seams
