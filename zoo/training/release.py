"""Turn a training checkpoint into shipped weights: safetensors, sha256, metadata, manifest entry, scores."""

import json
import platform
import re
from pathlib import Path
from typing import Any

import torch
from mmengine.config import Config

from zoo.factors import FACTORS
from zoo.registry import create_model, get_model_info, save_release_weights
from zoo.registry.parts import check_parts, record_parts
from zoo.registry.pretrained import DEFAULTS_KEY
from zoo.training.cards import model_card
from zoo.training.configs import import_custom_modules
from zoo.training.safe_checkpoint import checkpoint_config, load_training_checkpoint
from zoo.training.trainer_model import settings_of_start

__all__ = ["check_release_name", "checkpoint_net_config", "evaluate_on_samples", "export_cascade", "export_release"]


def check_release_name(name: str) -> None:
    """Refuse a weights name that is not ``architecture.tag`` (it becomes a file name in the weights folder).

    Raises:
        ValueError: Naming the rule and an example.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*\.[A-Za-z0-9][A-Za-z0-9_-]*", name):
        raise ValueError(
            f"weights name {name!r} is not architecture.tag; use the architecture, a dot and a tag of letters, "
            "digits, '_' or '-', e.g. rmbn.mydata"
        )


def checkpoint_net_config(cfg: Config) -> tuple[str, dict[str, Any]]:
    """Architecture name and keyword arguments of the network inside a training config.

    A run that started from a release file (``model.init_checkpoint``) took that file's architecture (width,
    activation, branch switches, ...) on top of the config, as the trainer did; the file must still be readable.
    """
    model = cfg.get("model")
    net = model.get("net") if isinstance(model, dict) else None
    if not isinstance(net, dict) or not isinstance(net.get("type"), str):
        raise ValueError(
            "the training config has no model.net with a 'type' (a zoo network config); export checkpoints of "
            "RestorationTrainer runs made by `zoo train`"
        )
    net = dict(net.to_dict() if hasattr(net, "to_dict") else net)
    start = model.get("init_checkpoint")
    if start:
        if not Path(start).is_file():
            raise FileNotFoundError(
                f"this run started from model.init_checkpoint={start} and took its architecture from that file, "
                "which is not found here; export from the folder the training ran in, or restore the file"
            )
        net = settings_of_start(net, start)
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
        ``{factor: {"psnr": restored, "ssim": restored, "psnr_input": degraded, "ssim_input": degraded}}``, with a
        ``"mixed"`` row (1 to 4 random factors per image) for models that are not told the factor.
    """
    from zoo.data.metrics import psnr, ssim
    from zoo.data.metrics.protocols import metric_settings
    from zoo.training.data import ValidationPairs

    scores: dict[str, dict[str, float]] = {}
    model.eval()
    for factor in FACTORS if factor_given else (*FACTORS, "mixed"):
        pairs = ValidationPairs(factors=[factor], source="samples", crop=crop, count=count)
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
    make_default: bool = False,
) -> dict[str, Any]:
    """Write ``out_dir/<name>.safetensors`` and its entry in ``out_dir/manifest.json``.

    Args:
        checkpoint: An mmengine training checkpoint of ``RestorationTrainer`` (this project's own file).
        name: ``architecture.tag``; the architecture must match the checkpoint's network.
        out_dir: Weights folder: the user weights folder, or ``zoo/weights`` to ship inside the package.
        summary: One line for ``zoo list --pretrained``.
        training: What the weights were trained on, how long, on which hardware (stored verbatim).
        half: Store bf16 tensors (half the size; loaded into fp32 models).
        evaluate: Measure PSNR/SSIM per factor on the bundled-photo test set and store them.
        licence: Licence of the weights.
        make_default: Declare these weights the default of their architecture in the folder's manifest.

    Returns:
        The manifest entry.
    """
    check_release_name(name)
    ckpt = load_training_checkpoint(checkpoint)  # weights_only=True; the stored config is read as data
    config = checkpoint_config(ckpt, str(checkpoint))
    # parts the run registered from its own modules (custom_imports), found where the training config was
    import_custom_modules(config, (ckpt.get("meta") or {}).get("zoo_config_dir"), str(checkpoint))
    arch, net_config = checkpoint_net_config(Config(config))
    check_parts({"type": arch, **net_config}, None, str(checkpoint))
    if name.partition(".")[0] != arch:
        raise ValueError(f"checkpoint holds a {arch!r} network; cannot export it as {name!r}")
    weights = ckpt.get("state_dict")
    if not isinstance(weights, dict):
        raise ValueError(f"{checkpoint}: the checkpoint has no 'state_dict'; give a checkpoint written by `zoo train`")
    state = {k.removeprefix("net."): v for k, v in weights.items() if k.startswith("net.")}
    model = create_model(dict(type=arch, **net_config))
    model.load_state_dict(state, strict=True)
    if half:
        state = _rounded_to_bf16(state, model)
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
    parts = [part for part in record_parts({"type": arch, **net_config}) if not part["module"].startswith("zoo.")]
    if parts:  # parts registered outside the zoo: loading names the module to import when one is missing
        metadata["parts"] = parts
    if arch == "detector":
        from zoo.training.detector_release import finish_detector

        cfg = checkpoint_config(ckpt, str(checkpoint))
        metadata.update(finish_detector(model, cfg["val_dataloader"]["dataset"], evaluate))
        state["thresholds"] = model.thresholds.detach().clone()
    elif evaluate:
        metadata["evaluation"] = (
            "Fixed-seed synthetic pairs from the bundled photos (zoo/assets/clean; none used in training): "
            "5 images x 256x256 centre crops per factor, CPU recipes (exact PIL JPEG), "
            + ("factor given to the model." if arch in ("mbn", "mbn_minimal") else "factor not given.")
        )
        metadata["protocol"] = "standard"
        metadata["scores"] = evaluate_on_samples(model, factor_given=arch in ("mbn", "mbn_minimal"))
    return _write_release(name, state, net_config, metadata, Path(out_dir), make_default)


def _rounded_to_bf16(state: dict[str, torch.Tensor], model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """bf16 copies of the floating-point tensors; ``model`` gets the rounded values, so scores measure what ships."""
    state = {k: v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in state.items()}
    model.load_state_dict(state)
    return state


def _write_release(
    name: str,
    state: dict[str, torch.Tensor],
    config: dict[str, Any],
    metadata: dict[str, Any],
    out_dir: Path,
    make_default: bool = False,
    components: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Write the weights file (none for ``components``: weights made of other entries), manifest entry and card."""
    if components:
        entry = {"components": components, "config": config, "metadata": metadata}
    else:
        file = f"{name}.safetensors"
        digest = save_release_weights(state, out_dir / file, metadata)
        entry = {"file": file, "sha256": digest, "config": config, "metadata": metadata}
    add_manifest_entry(out_dir, name, entry, make_default)
    return entry


def add_manifest_entry(out_dir: Path, name: str, entry: dict[str, Any], make_default: bool = False) -> None:
    """Add or replace ``name`` in ``out_dir/manifest.json`` (optionally as its default); write its card."""
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    defaults = manifest.pop(DEFAULTS_KEY, {})
    manifest[name] = entry
    if make_default:
        defaults[name.partition(".")[0]] = name
    head = {DEFAULTS_KEY: dict(sorted(defaults.items()))} if defaults else {}
    manifest_path.write_text(json.dumps(head | dict(sorted(manifest.items())), indent=2) + "\n")
    (out_dir / f"{name}.md").write_text(model_card(name, entry))


def export_cascade(name: str, steps: list[tuple[str, str]], out_dir: str | Path, half: bool = False) -> dict[str, Any]:
    """Ship a ``cascade.<tag>`` assembled from already shipped dedicated weights.

    Args:
        name: ``cascade.<tag>``.
        steps: ``(factor, "architecture.tag")`` in order, e.g. ``[("jpeg", "durn_p_rgb.wheels"), ...]``.
        out_dir: Weights folder holding the dedicated tags' manifest (``zoo/weights``).
        half: Store bf16 tensors (in a file of its own); by default the entry refers to the dedicated tags' files
            (``components``) instead of repeating their weights.
    """
    from zoo.registry import load_state_dict

    out_dir = Path(out_dir)
    manifest_path = out_dir / "manifest.json"
    table = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    missing = [tag for _, tag in steps if tag not in table]
    if missing:
        raise KeyError(f"cascade steps need exported weights; not in {manifest_path}: {', '.join(missing)}")
    config = {"steps": [[f, {"type": t.partition(".")[0], **table[t]["config"]}] for f, t in steps]}
    models = []
    for (_, net_cfg), (_, tag) in zip(config["steps"], steps):
        step_model = create_model(net_cfg)
        weights = load_state_dict(out_dir / table[tag]["file"], expected_sha256=table[tag]["sha256"])
        step_model.load_state_dict({k: v.float() for k, v in weights.items()})
        models.append(step_model)
    model = create_model(dict(type="cascade", steps=[(f, m) for (f, _), m in zip(steps, models)]))
    state = model.state_dict()
    if half:
        state = _rounded_to_bf16(state, model)
    metadata = {
        "summary": "Cascade of the shipped dedicated models " + " -> ".join(f"{f}:{t}" for f, t in steps),
        "architecture": {"type": "cascade", **config},
        "parameters": sum(p.numel() for p in model.parameters()),
        "training": {"steps": {f: table[t]["metadata"].get("training", {}) for f, t in steps}},
        "dtype": "bf16" if half else "fp32",
        "licence": "MIT",
        "paper": get_model_info("cascade").paper,
        "protocol": "standard",
        "evaluation": "Fixed-seed synthetic pairs from the bundled photos (zoo/assets/clean; none used in training): "
        "5 images x 256x256 centre crops per factor, CPU recipes (exact PIL JPEG), factor not given.",
        "scores": evaluate_on_samples(model, factor_given=False),
    }
    components = None if half else {f"models.{i}": tag for i, (_, tag) in enumerate(steps)}
    return _write_release(name, state, config, metadata, out_dir, components=components)
