"""Each tiny config's model overfits a fixed batch, and under the zoo's stage-1 recipe every MBN branch learns."""

import pytest
import torch
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


def _trainer(config: str) -> RestorationTrainer:
    cfg: Config = load_config(config)
    model = dict(cfg.model.to_dict())
    model.pop("type")
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


def test_every_mbn_branch_learns_under_the_stage1_recipe() -> None:
    """Under the stage-1 recipe (LeakyReLU in the coarse-to-fine branches) every branch's loss falls and its output
    moves away from its input.

    The collapse of the coarse-to-fine JPEG and blur branches to the identity was seen with ReLU at full size on a
    GPU (spec: architecture.md section 11). At this tiny width on a CPU, ReLU does not collapse either (measured:
    the same loss ratios), so this test guards the recipe; it does not show that ReLU fails.
    """
    torch.manual_seed(0)
    assert load_config("mbn_stage1_tiny").model.net.act == "leaky_relu"
    trainer = _trainer("mbn_stage1_tiny")
    clean = _clean_batch(48)
    batches = {}
    for i, factor in enumerate(FACTORS):
        degraded, _ = degrade_batch(clean, [factor], generator=torch.Generator().manual_seed(10 + i))
        batches[factor] = (degraded.clamp(0, 1), clean)
    losses = _fit(trainer, batches, steps=40)
    trainer.eval()
    with torch.no_grad():
        for factor, (degraded, _) in batches.items():
            first, last = losses[factor]
            assert last < 0.9 * first, f"{factor}: loss {first:.4f} -> {last:.4f}"
            moved = (trainer.net(degraded, factor=factor) - degraded).abs().mean()
            assert moved > 1e-3, f"{factor} branch output equals its input (collapsed)"
