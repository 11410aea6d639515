import pytest
import pytorch_msssim
import torch
import torch.nn.functional as F

from zoo.data.losses import SSIML1Loss
from zoo.data.metrics import ssim_map
from zoo.registry import LOSSES


def images() -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.rand(2, 3, 24, 24)
    target = F.avg_pool2d(target, 3, stride=1, padding=1)  # some spatial structure
    pred = (target + 0.1 * torch.randn_like(target)).clamp(0, 1)
    return pred, target


def test_ssim_l1_value_matches_pytorch_msssim() -> None:
    pred, target = images()
    loss = LOSSES.build(dict(type="ssim_l1"))(pred, target)
    expected = 1.1 * (1 - pytorch_msssim.ssim(pred, target, data_range=1.0)) + 0.75 * (pred - target).abs().mean()
    assert float(loss) == pytest.approx(float(expected), abs=1e-5)
    assert float(LOSSES.build(dict(type="ssim_l1"))(target, target)) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("name, expected", [("l1", F.l1_loss), ("mse", F.mse_loss)])
def test_pixel_losses(name: str, expected) -> None:
    pred, target = images()
    assert torch.allclose(LOSSES.build(dict(type=name))(pred, target), expected(pred, target))


def test_zero_padding_gives_a_same_size_map_with_lower_border_scores() -> None:
    pred, target = images()
    same = ssim_map(pred, target, padding="zero")
    valid = ssim_map(pred, target, padding="valid")
    assert same.shape == pred.shape and valid.shape == (2, 3, 14, 14)
    assert torch.allclose(same[..., 5:-5, 5:-5], valid, atol=1e-6)
    assert float(SSIML1Loss(padding="zero")(pred, target)) != pytest.approx(float(SSIML1Loss()(pred, target)))


@pytest.mark.parametrize("name", ["ssim_l1", "ssim", "l1", "mse"])
def test_losses_are_differentiable(name: str) -> None:
    pred, target = images()
    pred = pred.clone().requires_grad_(True)
    loss = LOSSES.build(dict(type=name))(pred, target)
    loss.backward()
    assert pred.grad is not None and torch.isfinite(pred.grad).all() and pred.grad.abs().sum() > 0


def test_ssim_gradient_matches_finite_differences() -> None:
    pred = torch.rand(1, 1, 12, 12, dtype=torch.float64, requires_grad=True)
    target = torch.rand(1, 1, 12, 12, dtype=torch.float64)
    loss = SSIML1Loss()
    assert torch.autograd.gradcheck(lambda p: loss(p, target), (pred,), eps=1e-6, atol=1e-5)


def test_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="pred has shape"):
        SSIML1Loss()(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 15))
