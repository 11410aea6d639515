"""Turn a training checkpoint into shipped weights: safetensors, sha256, metadata, manifest entry, scores."""

import json
import platform
from pathlib import Path
from typing import Any

import torch
from mmengine.config import Config

from zoo.registry import create_model, get_model_info, save_release_weights

__all__ = ["checkpoint_net_config", "evaluate_on_samples", "export_release"]

FACTORS = ("rain", "blur", "jpeg", "haze")


def checkpoint_net_config(cfg: Config) -> tuple[str, dict[str, Any]]:
    """Architecture name and keyword arguments of the network inside a training config."""
    net = dict(cfg.model.net.to_dict() if hasattr(cfg.model.net, "to_dict") else cfg.model.net)
    return net.pop("type"), net


def evaluate_on_samples(
    model: torch.nn.Module, factor_given: bool, crop: int = 256, count: int = 5, protocol: str = "standard"
) -> dict[str, dict[str, float]]:
    """PSNR/SSIM per factor on the fixed-seed synthetic set made from the bundled photos (centre crops).

    Args:
        model: A zoo model; called as ``model(x, factor=f)`` when ``factor_given`` else ``model(x)``.
        factor_given: Tell the model the factor (MBN) or not (R-MBN, cascade, dedicated models).
        crop: Centre-crop size.
        count: Images per factor.
        protocol: Metric protocol name (``zoo.data.metrics.protocols``).

    Returns:
        ``{factor: {"psnr": restored, "ssim": restored, "psnr_input": degraded, "ssim_input": degraded}}``.
    """
    from zoo.data.metrics import psnr, ssim
    from zoo.data.metrics.protocols import metric_settings
    from zoo.training.data import ValidationPairs

    scores: dict[str, dict[str, float]] = {}
    model.eval()
    for factor in FACTORS:
        pairs = ValidationPairs(factors=[factor], crop=crop, count=count)
        settings = metric_settings(protocol, factor)
        totals = {"psnr": 0.0, "ssim": 0.0, "psnr_input": 0.0, "ssim_input": 0.0}
        for index in range(len(pairs)):
            item = pairs[index]
            x, gt = item["inputs"][None], item["data_samples"]["gt"]
            with torch.inference_mode():
                y = (model(x, factor=factor) if factor_given else model(x))[0].clamp(0, 1)
            totals["psnr"] += float(psnr(y, gt, **settings.psnr_kwargs()))
            totals["ssim"] += float(ssim(y, gt, **settings.ssim_kwargs()))
            totals["psnr_input"] += float(psnr(x[0], gt, **settings.psnr_kwargs()))
            totals["ssim_input"] += float(ssim(x[0], gt, **settings.ssim_kwargs()))
        scores[factor] = {k: round(v / len(pairs), 4) for k, v in totals.items()}
    return scores


def export_release(
    checkpoint: str | Path,
    name: str,
    out_dir: str | Path,
    summary: str,
    training: dict[str, Any],
    half: bool = False,
    evaluate: bool = True,
    licence: str = "MIT",
) -> dict[str, Any]:
    """Write ``out_dir/<name>.safetensors`` and its entry in ``out_dir/manifest.json``.

    Args:
        checkpoint: An mmengine training checkpoint of ``RestorationTrainer`` (this project's own file).
        name: ``architecture.tag``; the architecture must match the checkpoint's network.
        out_dir: Weights folder (``zoo/weights`` to ship inside the package).
        summary: One line for ``zoo list --pretrained``.
        training: What the weights were trained on, how long, on which hardware (stored verbatim).
        half: Store bf16 tensors (half the size; loaded into fp32 models).
        evaluate: Measure PSNR/SSIM per factor on the bundled-photo test set and store them.
        licence: Licence of the weights.

    Returns:
        The manifest entry.
    """
    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=False)  # own training state (see module doc)
    arch, net_config = checkpoint_net_config(Config.fromstring(ckpt["meta"]["cfg"], ".py"))
    if name.partition(".")[0] != arch:
        raise ValueError(f"checkpoint holds a {arch!r} network; cannot export it as {name!r}")
    state = {k.removeprefix("net."): v for k, v in ckpt["state_dict"].items() if k.startswith("net.")}
    model = create_model(dict(type=arch, **net_config))
    model.load_state_dict(state, strict=True)
    if half:
        state = {k: v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in state.items()}
    info = get_model_info(arch)
    metadata: dict[str, Any] = {
        "summary": summary,
        "architecture": {"type": arch, **net_config},
        "parameters": sum(p.numel() for p in model.parameters()),
        "training": {
            **training,
            "iterations": ckpt["meta"].get("iter"),
            "torch": torch.__version__,
            "machine": platform.machine(),
        },
        "dtype": "bf16" if half else "fp32",
        "licence": licence,
        "paper": info.paper,
    }
    if evaluate:
        if half:
            model.load_state_dict({k: v.float() for k, v in state.items()})
        metadata["protocol"] = "standard"
        metadata["scores"] = evaluate_on_samples(model, factor_given=arch in ("mbn", "mbn_minimal"))
    out_dir = Path(out_dir)
    file = f"{name}.safetensors"
    digest = save_release_weights(state, out_dir / file, metadata)
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    entry = {"file": file, "sha256": digest, "config": net_config, "metadata": metadata}
    manifest[name] = entry
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n")
    return entry
