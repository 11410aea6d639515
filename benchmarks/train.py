"""Training runs of the studies, through ``zoo.training`` (mmengine Runner), resumable from their work folders.

Each run overrides a shipped config (``mbn_stage1`` for multi-task training from scratch, ``rmbn_stage2`` for the
recurrent fine-tuning) with the budget's width, iterations, batch and crops. A run interrupted part-way resumes
from its latest checkpoint (``iter_N.pth``) when the study is started again.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from zoo.factors import cycle_indices

from .budgets import Budget
from .cells import CellStore

__all__ = [
    "finetune_options",
    "stage1_options",
    "study_inputs",
    "train_network",
    "training_images",
    "training_store",
]


def training_images(budget: Budget, data_dir: Path, source: str | None = None) -> str:
    """The ``source`` of the training datasets: ``samples``, ``dead_leaves``, a folder, or the built corpus.

    ``corpus`` builds the wheel-photo corpus of the shipped weights once into ``data_dir/corpus`` (needs
    scikit-image and scikit-learn); its photos are disjoint from the bundled test photos.
    """
    source = source or budget.train_source
    if source != "corpus":
        return source
    folder = data_dir / "corpus"
    if not (folder / ".complete").is_file():
        from zoo.data.corpus import build_wheel_corpus

        build_wheel_corpus(folder)
        (folder / ".complete").write_text("ok\n")
    return str(folder)


def training_store(
    out: Path,
    study: str,
    budget: Budget,
    seed: int,
    protocol: str,
    train_source: str | None,
    deadline: float | None = None,
) -> CellStore:
    """The cell store of a study that trains networks.

    Its cells must share the metric protocol and the training images, recorded as asked for (``--train-source`` or
    the budget's), so that a folder's cells do not depend on where the corpus was built.
    """
    settings = {"protocol": protocol, "train_source": train_source or budget.train_source}
    return CellStore(out, study, budget, seed, settings, deadline=deadline)


def _common(budget: Budget, factors: Sequence[str], source: str, seed: int, iters: int, lr: float) -> dict[str, Any]:
    checkpoint_every = max(1, iters // 4)
    return {
        "train_dataloader.batch_size": budget.batch,
        "train_dataloader.num_workers": 0,
        "train_dataloader.persistent_workers": False,
        "train_dataloader.dataset.factors": list(factors),
        "train_dataloader.dataset.source": source,
        "train_dataloader.dataset.crop": {"rain": budget.rain_crop, "default": budget.crop},
        "train_dataloader.dataset.seed": seed,
        "train_dataloader.batch_sampler.cycle": cycle_indices(factors),
        # Validation inside the run is not used by the studies (they score on their own test sets): keep it tiny.
        "val_dataloader.dataset.factors": list(factors),
        "val_dataloader.dataset.crop": 64,
        "val_dataloader.dataset.count": 1,
        "train_cfg.max_iters": iters,
        "train_cfg.val_interval": iters + 1,
        "optim_wrapper.optimizer.lr": lr,
        "optim_wrapper.clip_grad": {"max_norm": 1.0},
        # The studies' cells were measured in fp32 with torch's default threads and memory order: keep them so that
        # a cell computed again reproduces its record (zoo train now picks bf16, threads and channels-last itself).
        "optim_wrapper.bf16": False,
        "default_hooks.cpu.threads": None,
        "default_hooks.cpu.channels_last": False,
        "default_hooks.checkpoint.interval": checkpoint_every,
        "default_hooks.checkpoint.max_keep_ckpts": 1,
        "default_hooks.checkpoint.save_best": None,
        "default_hooks.logger.interval": max(1, iters // 10),
        "randomness.seed": seed,
        "log_level": "WARNING",
    }


def stage1_options(
    budget: Budget, net: dict[str, Any], factors: Sequence[str], source: str, seed: int
) -> dict[str, Any]:
    """Overrides of ``mbn_stage1``: multi-task branch training from scratch at the budget.

    The learning rate drops x0.1 at 2/3 and 8/9 of the run (the paper's two drops at plateaus).
    """
    iters = budget.train_iters if net.get("type") == "mbn_minimal" else budget.stage1_iters
    options = _common(budget, factors, source, seed, iters, budget.lr)
    options["model.net"] = dict(net, _delete_=True)  # the study's network replaces the config's entirely
    milestones = sorted({max(1, iters * 2 // 3), max(1, iters * 8 // 9)})
    options["param_scheduler"] = [
        dict(type="MultiStepLR", by_epoch=False, milestones=milestones, gamma=0.1, end=iters),
    ]
    return options


def finetune_options(
    budget: Budget, net: dict[str, Any], factors: Sequence[str], source: str, seed: int, init: Path
) -> dict[str, Any]:
    """Overrides of ``rmbn_stage2``: recurrent fine-tuning from a stage-1 network's weights ``init``."""
    options = _common(budget, factors, source, seed, budget.finetune_iters, budget.finetune_lr)
    options["model.net"] = dict(net, _delete_=True)
    options["model.init_checkpoint"] = str(init)
    options["param_scheduler"] = [dict(type="ConstantLR", by_epoch=False, factor=1.0, end=budget.finetune_iters)]
    return options


def train_network(config: str, options: dict[str, Any], work_dir: Path) -> torch.nn.Module:
    """Train (or finish training) a network and return it in eval mode.

    Args:
        config: Shipped config name (``mbn_stage1``, ``rmbn_stage2``).
        options: ``--cfg-options``-style overrides (dotted keys).
        work_dir: Checkpoint folder; an existing checkpoint there is resumed.
    """
    from zoo.training import build_runner, load_config

    cfg = load_config(config, options)
    work_dir.mkdir(parents=True, exist_ok=True)
    resume = (work_dir / "last_checkpoint").is_file()
    runner = build_runner(cfg, work_dir=str(work_dir), resume=resume)
    runner.train()
    model = runner.model.module if hasattr(runner.model, "module") else runner.model
    net = model.net.eval()
    for param in net.parameters():
        param.requires_grad_(False)
    return net


def study_inputs(
    out: Path, study: str, budget: Budget, seed: int, protocol: str, train_source: str | None, factors: Sequence[str]
) -> tuple[str, CellStore, dict[str, Any]]:
    """What a training study starts from: its training images, its cell store and one test set per factor."""
    from .evaluate import factor_test_sets

    source = training_images(budget, out / "data", train_source)
    store = training_store(out, study, budget, seed, protocol, train_source)
    return source, store, factor_test_sets(out / "testsets", factors, budget, seed)
