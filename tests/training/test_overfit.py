"""Each tiny config's model overfits a fixed batch, and under the zoo's stage-1 recipe every MBN branch learns."""

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from zoo.data.degradations import degrade_batch
from zoo.data.images import load_sample
from zoo.training import load_config
from zoo.training.trainer_model import RestorationTrainer

FACTORS = ("haze", "rain", "jpeg", "blur")


def _clean_batch(size: int, count: int = 2) -> torch.Tensor:
    image = torch.from_numpy(load_sample("astronaut")).permute(2, 0, 1)
    crops = [image[:, 100 + 40 * i : 100 + 40 * i + size, 150 : 150 + size] for i in range(count)]
    return torch.stack(crops).float()


def _trainer(config: str, **net_settings: str) -> RestorationTrainer:
    """The config's training model, with ``net_settings`` overriding its network's settings."""
    cfg: Config = load_config(config)
    model = dict(cfg.model.to_dict())
    model.pop("type")
    model["net"] = {**model["net"], **net_settings}
    return RestorationTrainer(**model)


def _fit(
    trainer: RestorationTrainer, batches: dict[str, tuple[torch.Tensor, torch.Tensor]], steps: int, lr: float = 1e-3
) -> dict[str, tuple[float, float]]:
    optimizer = torch.optim.Adam([p for p in trainer.parameters() if p.requires_grad], lr=lr)
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for _ in range(steps):
        for factor, (degraded, clean) in batches.items():
            losses = trainer._losses(degraded, clean, [factor] * degraded.shape[0])
            loss = sum(losses.values())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            first.setdefault(factor, loss.item())
            last[factor] = loss.item()
    return {factor: (first[factor], last[factor]) for factor in first}


@pytest.mark.parametrize(
    ("config", "factor", "size"),
    [
        ("durn_us_tiny", "haze", 32),
        ("durn_s_tiny", "rain", 32),
        ("durn_u_tiny", "blur", 32),
        ("durn_p_rgb_tiny", "jpeg", 32),
        ("owan_tiny", "mixed", 32),
    ],
)
def test_tiny_single_task_models_overfit_a_fixed_batch(config: str, factor: str, size: int) -> None:
    torch.manual_seed(0)
    clean = _clean_batch(size)
    spec = "random" if factor == "mixed" else [factor]
    degraded, _ = degrade_batch(clean, spec, generator=torch.Generator().manual_seed(1))
    trainer = _trainer(config)
    ((first, last),) = _fit(trainer, {factor: (degraded.clamp(0, 1), clean)}, steps=40).values()
    assert last < 0.6 * first, f"{config}: loss {first:.4f} -> {last:.4f}"


def _branch_gains(net_settings: dict, steps: int = 40) -> dict[str, float]:
    """PSNR gain (dB) of every MBN branch over its input on a fixed batch after ``steps`` cycles of training."""
    torch.manual_seed(0)
    trainer = _trainer("mbn_stage1_tiny", **net_settings)
    clean = _clean_batch(48)
    batches = {}
    for i, factor in enumerate(FACTORS):
        degraded, _ = degrade_batch(clean, [factor], generator=torch.Generator().manual_seed(10 + i))
        batches[factor] = (degraded.clamp(0, 1), clean)
    _fit(trainer, batches, steps=steps)
    trainer.eval()
    gains = {}
    with torch.no_grad():
        for factor, (degraded, target) in batches.items():
            restored = trainer.net(degraded, factor=factor).clamp(0, 1)
            gains[factor] = float(10 * torch.log10(F.mse_loss(degraded, target) / F.mse_loss(restored, target)))
    return gains


def test_every_mbn_branch_learns_under_the_stage1_recipe_and_not_under_the_papers() -> None:
    """After 40 training cycles on a fixed batch, every branch's output is closer to the clean image than its input
    under the stage-1 recipe; under the paper's recipe the coarse-to-fine branches are not.

    Under PyTorch's default initialisation a branch starts with a random residual, so its loss falls a lot just by
    unlearning it; the PSNR gain over the input measures whether it learned a correction. Measured here (seed 0):
    paper recipe haze +1.24, rain +0.03, JPEG -0.64, blur -0.01 dB; stage-1 recipe +6.31, +0.13, +0.04, +2.73 dB.
    The same contrast at the cpu budget on held-out images: ``zoo bench recipe`` (results/cpu/recipe.md).
    """
    net = load_config("mbn_stage1").model.net
    assert (net.act, net.branch_init, net.residual_init) == ("leaky_relu", "kaiming", "zero")
    recipe = _branch_gains({})
    assert all(gain > 0 for gain in recipe.values()), recipe
    assert recipe["blur"] > 0.5 and recipe["haze"] > 3, recipe
    paper = _branch_gains(dict(act="relu", branch_init="default", residual_init="default"))
    assert paper["blur"] < 0.1 and paper["jpeg"] < 0, paper
