"""Tiny configs overfit a fixed batch; MBN branches learn more under the stage-1 recipe than the paper's."""

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


# Final / first loss after 40 steps, measured with seeds 0-4 (network initialisation; same batch):
#   durn_us_tiny 0.35-0.47, durn_s_tiny 0.13-0.26, durn_u_tiny 0.11-0.20, durn_p_rgb_tiny 0.27-0.64,
#   owan_tiny (3 of OWAN's 10 groups) 0.27-0.29. Each bound is the largest of the five plus 0.15.
OVERFIT = [
    ("durn_us_tiny", "haze", 0.62),
    ("durn_s_tiny", "rain", 0.41),
    ("durn_u_tiny", "blur", 0.36),
    ("durn_p_rgb_tiny", "jpeg", 0.79),
    pytest.param("owan_tiny", "mixed", 0.44, marks=pytest.mark.slow),  # ~15 s; `pytest -m slow` (CI)
]


@pytest.mark.parametrize(("config", "factor", "bound"), OVERFIT)
def test_tiny_single_task_models_overfit_a_fixed_batch(config: str, factor: str, bound: float) -> None:
    size = 32
    torch.manual_seed(0)
    clean = _clean_batch(size)
    spec = "random" if factor == "mixed" else [factor]
    degraded, _ = degrade_batch(clean, spec, generator=torch.Generator().manual_seed(1))
    trainer = _trainer(config)
    ((first, last),) = _fit(trainer, {factor: (degraded.clamp(0, 1), clean)}, steps=40).values()
    assert last < bound * first, f"{config}: loss {first:.4f} -> {last:.4f}"


def _branch_gains(net_settings: dict, steps: int = 40, seed: int = 0) -> dict[str, float]:
    """PSNR gain (dB) of every MBN branch over its input on a fixed batch after ``steps`` cycles of training.

    ``seed`` sets the network's initialisation; the batch is the same for every seed.
    """
    torch.manual_seed(seed)
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


@pytest.mark.slow  # ~70 s: trains MBN twice; `pytest -m slow` (CI's second step)
def test_mbn_branches_learn_more_under_the_stage1_recipe_than_under_the_papers() -> None:
    """After 40 training cycles on a fixed batch, the stage-1 recipe's branches are closer to the clean image than
    the paper recipe's on blur, JPEG and haze, and under the paper's recipe the blur and JPEG branches do not learn.

    Under PyTorch's default initialisation a branch starts with a random residual, so its loss falls a lot just by
    unlearning it; the PSNR gain over the input measures whether it learned a correction. Gains (dB) measured with
    seeds 0-4 (network initialisation; same batch), min / max over the five:

    | recipe | haze | rain | JPEG | blur |
    |---|---|---|---|---|
    | stage 1 | +6.22 / +6.78 | +0.03 / +0.31 | +0.01 / +0.04 | -0.01 / +2.89 |
    | paper | -1.40 / +6.15 | -1.45 / +0.15 | -3.36 / -0.15 | -0.62 / -0.01 |
    | stage 1 minus paper | +0.52 / +7.77 | -0.01 / +1.55 | +0.17 / +3.37 | +0.34 / +3.02 |

    So per seed only these hold with a margin: haze learns under the stage-1 recipe (> 3 dB), the stage-1 recipe
    beats the paper's on haze, JPEG and blur (> 0.1 dB), and the paper's blur and JPEG branches do not improve
    (< 0.1 dB). Blur learning (> 0.5 dB) under the stage-1 recipe held in 4 of the 5 seeds, rain in none by
    more than 0.31 dB, so neither is asserted for one seed. The same contrast at the cpu budget on held-out images,
    two seeds per recipe: ``zoo bench recipe`` (results/cpu/recipe.md).
    """
    net = load_config("mbn_stage1").model.net
    assert (net.act, net.branch_init, net.residual_init) == ("leaky_relu", "kaiming", "zero")
    recipe = _branch_gains({})
    paper = _branch_gains(dict(act="relu", branch_init="default", residual_init="default"))
    assert recipe["haze"] > 3, recipe
    for factor in ("haze", "jpeg", "blur"):
        assert recipe[factor] > paper[factor] + 0.1, (factor, recipe, paper)
    assert paper["blur"] < 0.1 and paper["jpeg"] < 0.1, paper
