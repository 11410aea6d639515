"""He initialisation of the MBN branches (``branch_init="kaiming"``): gradients reach the input branch."""

import pytest
import torch

from zoo.branches.coarse_to_fine import CoarseToFineHead, CoarseToFineTail
from zoo.registry import create_model
from zoo.training.trainer_model import RestorationTrainer


def _relative_gradients(branch_init: str) -> dict[str, float]:
    """|grad| / |weight| of the JPEG branch pair's first and last convs after one loss on a random batch."""
    torch.manual_seed(0)
    trainer = RestorationTrainer(
        net=dict(type="mbn", width=0.25, rain_iters=1, act="leaky_relu", branch_init=branch_init),
        loss=dict(type="ssim_l1"),
        mode="branch",
    )
    clean = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    degraded = (clean + 0.05 * torch.randn(clean.shape, generator=torch.Generator().manual_seed(2))).clamp(0, 1)
    sum(trainer._losses(degraded, clean, ["jpeg", "jpeg"]).values()).backward()
    net = trainer.net
    convs = {"head_first": net.heads["jpeg"].scale_conv1[2], "tail_last": net.tails["jpeg"].shared_conv2[1]}
    return {name: float(conv.weight.grad.norm() / conv.weight.detach().norm()) for name, conv in convs.items()}


def test_kaiming_init_keeps_the_gradient_of_the_input_branch_alive() -> None:
    default, kaiming = _relative_gradients("default"), _relative_gradients("kaiming")
    # PyTorch's default init: the gradient fades by orders of magnitude from the tail back to the input branch.
    assert default["head_first"] < 1e-3 * default["tail_last"]
    # He init: the input branch's first conv gets a gradient comparable to the tail's.
    assert kaiming["head_first"] > 1e-2 * kaiming["tail_last"]
    assert kaiming["head_first"] > 100 * default["head_first"]


def test_kaiming_init_statistics_and_untouched_output_convs() -> None:
    torch.manual_seed(0)
    head = CoarseToFineHead(channels=48, res_channels=32, hidden=16, act="relu", init="kaiming")
    conv = head.shared_conv1[0]  # 16 -> 16, 3x3: He std sqrt(2 / 144)
    assert float(conv.weight.detach().std()) == pytest.approx((2 / 144) ** 0.5, rel=0.15)
    assert torch.count_nonzero(conv.bias) == 0
    tail = CoarseToFineTail(channels=48, res_channels=32, hidden=16, init="kaiming", residual_init="zero")
    assert float(tail.expand1[0].weight.detach().std()) == pytest.approx((1 / 48) ** 0.5, rel=0.15)  # 1x1, gain 1
    assert all(torch.count_nonzero(c.weight) == 0 for c in tail.out_conv)
    image = torch.rand(1, 3, 32, 32)
    assert torch.equal(tail(torch.randn(1, 48, 8, 8), image, 2), image)


@pytest.mark.parametrize("name", ["mbn", "mbn_minimal"])
def test_branch_init_reaches_every_branch_but_not_the_stem_and_keeps_the_parameter_count(name: str) -> None:
    torch.manual_seed(0)
    default = create_model(name, width=0.25)
    torch.manual_seed(0)
    kaiming = create_model(name, width=0.25, branch_init="kaiming")
    assert sum(p.numel() for p in default.parameters()) == sum(p.numel() for p in kaiming.parameters())

    def zero_bias_branches(model: torch.nn.Module) -> set[str]:
        """Branches whose every conv bias but the output convs' is zero (He-initialised)."""
        found = set()
        for kind in ("heads", "tails"):
            for factor, branch in getattr(model, kind).items():
                convs = [m for n, m in branch.named_modules() if isinstance(m, torch.nn.Conv2d) and "out_conv" not in n]
                if all(torch.count_nonzero(c.bias) == 0 for c in convs):
                    found.add(f"{kind}.{factor}")
        return found

    branches = {f"{kind}.{f}" for kind in ("heads", "tails") for f in getattr(kaiming, kind)}
    assert zero_bias_branches(kaiming) == branches and not zero_bias_branches(default)
    stem = default.blocks.state_dict()  # built before the branches, from the same seed: untouched
    assert all(torch.equal(v, stem[k]) for k, v in kaiming.blocks.state_dict().items())


def test_unknown_branch_init_is_refused() -> None:
    with pytest.raises(ValueError, match="init must be one of default, kaiming"):
        CoarseToFineHead(init="xavier")
