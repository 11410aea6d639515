"""The optional full-resolution skip of the coarse-to-fine branch pair (``skip=True`` on head and tail)."""

import pytest
import torch

from zoo.branches.coarse_to_fine import CoarseToFineHead, CoarseToFineTail
from zoo.registry import create_model
from zoo.training.trainer_model import RestorationTrainer

SKIP = dict(input_branches=dict(jpeg=dict(skip=True)), output_branches=dict(jpeg=dict(skip=True)))


def _first_stage_gradient(skip: bool) -> float:
    """|grad| / |weight| of the JPEG head's last full-resolution conv under PyTorch's default init."""
    torch.manual_seed(0)
    net = dict(type="mbn", width=0.25, rain_iters=1, **(SKIP if skip else {}))
    trainer = RestorationTrainer(net=net, loss=dict(type="ssim_l1"), mode="branch")
    clean = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    degraded = (clean + 0.05 * torch.randn(clean.shape, generator=torch.Generator().manual_seed(2))).clamp(0, 1)
    sum(trainer._losses(degraded, clean, ["jpeg", "jpeg"]).values()).backward()
    conv = trainer.net.heads["jpeg"].shared_conv1[1]
    return float(conv.weight.grad.norm() / conv.weight.detach().norm())


def test_skip_adds_no_parameters_and_loads_weights_trained_without_it() -> None:
    plain = create_model("mbn", width=0.25, rain_iters=1)
    skip = create_model("mbn", width=0.25, rain_iters=1, **SKIP)
    assert plain.state_dict().keys() == skip.state_dict().keys()
    skip.load_state_dict(plain.state_dict())
    image = torch.rand(1, 3, 48, 48)
    with torch.no_grad():
        assert torch.equal(plain(image, factor="blur"), skip(image, factor="blur"))  # only the JPEG pair changes
        assert not torch.allclose(plain(image, factor="jpeg"), skip(image, factor="jpeg"))


def test_skip_gives_the_full_resolution_stage_a_short_gradient_path() -> None:
    # Without the skip, the head's full-resolution stage is reached only through the 1/4-resolution stem.
    assert _first_stage_gradient(True) > 1e3 * _first_stage_gradient(False)


def test_skip_starts_at_the_identity_with_zero_residual_convs() -> None:
    net = create_model("mbn", width=0.25, rain_iters=1, residual_init="zero", branch_init="kaiming", **SKIP)
    image = torch.rand(2, 3, 64, 80)
    with torch.no_grad():
        assert torch.equal(net(image, factor="jpeg"), image)


def test_skip_must_be_set_on_both_branches_and_given_exactly_when_built() -> None:
    with pytest.raises(ValueError, match="skip must be set on both branches"):
        create_model("mbn", width=0.25, input_branches=dict(jpeg=dict(skip=True)))
    with pytest.raises(ValueError, match="no skip"):
        CoarseToFineTail(channels=24, res_channels=16, hidden=8, reference_compat=True, skip=True)
    head = CoarseToFineHead(channels=24, res_channels=16, hidden=8, skip=True)
    tail = CoarseToFineTail(channels=24, res_channels=16, hidden=8)
    x, _, features = head(torch.rand(1, 3, 32, 32), 0)
    assert features.shape == (1, 8, 32, 32)
    with pytest.raises(ValueError, match="built with skip=False; got a skip"):
        tail(x, torch.rand(1, 3, 32, 32), 0, features)
