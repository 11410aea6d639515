"""``dtype="auto"``: run in bf16 where that is both faster and known to keep the model's scores, else in fp32.

The rule, in order:

1. On CUDA: bf16 autocast for learned models that support it (and a GPU with bf16), else fp32.
2. On a CPU without fast bf16 instructions (AMX or AVX512-BF16, see :func:`zoo.hardware.cpu_supports_fast_bf16`):
   fp32, because bf16 would be emulated and slower.
3. Shipped weights whose manifest entry records a bf16 check (``metadata["bf16"]``, written by
   ``benchmarks/speed/bf16_check.py``) with every factor's PSNR within :data:`BF16_TOLERANCE_DB` of fp32 on the
   card's test set: bf16 autocast.
4. Everything else (no record, a failed check, the user's own weights, ``checkpoint=``, a module or config passed
   in): fp32. Ask for ``dtype="bf16"`` explicitly to use bf16 there.
"""

from dataclasses import dataclass
from typing import Any

import torch

__all__ = ["BF16_TOLERANCE_DB", "DTYPE_CHOICES", "Precision", "bf16_record", "resolve_precision"]

BF16_TOLERANCE_DB = 0.05  # largest |PSNR(bf16) - PSNR(fp32)| per factor for bf16 to count as keeping the scores
DTYPE_CHOICES = ("auto", "fp32", "bf16", "fp16")


@dataclass(frozen=True)
class Precision:
    """The precision a restorer runs in and why.

    Attributes:
        dtype: ``"fp32"``, ``"bf16"`` or ``"fp16"``.
        reason: One line for the user, e.g. ``"auto: this CPU has AVX512-BF16 and rmbn.synth4's card records ..."``.
    """

    dtype: str
    reason: str


def bf16_record(shipped_tag: str | None) -> dict[str, Any] | None:
    """The bf16 check stored in the shipped manifest for ``shipped_tag`` (None: not shipped, or never checked)."""
    if shipped_tag is None:
        return None
    from zoo.registry import pretrained_table

    entry = pretrained_table().get(shipped_tag)
    record = entry.metadata.get("bf16") if entry is not None else None
    return record if isinstance(record, dict) else None


def _keeps_scores(record: dict[str, Any]) -> bool:
    deltas = record.get("delta_psnr_db")
    if not isinstance(deltas, dict) or not deltas:
        return False
    return all(abs(float(delta)) <= BF16_TOLERANCE_DB for delta in deltas.values())


def resolve_precision(
    dtype: str, device: torch.device, shipped_tag: str | None, learned: bool = True, supports_bf16: bool = True
) -> Precision:
    """Turn ``dtype`` (one of :data:`DTYPE_CHOICES`) into the precision to run in.

    Args:
        dtype: ``"auto"`` or an explicit precision (returned as is).
        device: Where the model runs.
        shipped_tag: ``architecture.tag`` when the weights are the package's own, loaded by name without
            ``checkpoint=``; None for anything else (the user's weights, a config, a module).
        learned: False for classical methods (always fp32 under ``"auto"``).
        supports_bf16: The model's ``ModelInfo.supports_bf16``.

    Raises:
        ValueError: An unknown ``dtype``.
    """
    if dtype not in DTYPE_CHOICES:
        raise ValueError(f"dtype {dtype!r} is not supported; use one of {', '.join(DTYPE_CHOICES)}")
    if dtype != "auto":
        return Precision(dtype, "asked for")
    if not learned:
        return Precision("fp32", "auto: a classical method, not a network")
    if not supports_bf16:
        return Precision("fp32", "auto: the model is not expected to work in bf16 (ModelInfo.supports_bf16)")
    if device.type == "cuda":
        if torch.cuda.is_bf16_supported():
            return Precision("bf16", "auto: bf16 autocast on CUDA")
        return Precision("fp32", "auto: this GPU has no bf16")
    from zoo.hardware import cpu_supports_fast_bf16

    if not cpu_supports_fast_bf16():
        return Precision("fp32", "auto: this CPU has no fast bf16 (AMX or AVX512-BF16)")
    record = bf16_record(shipped_tag)
    if record is None:
        what = f"{shipped_tag}'s card records" if shipped_tag else "only shipped weights have"
        return Precision("fp32", f"auto: {what} no bf16 check; dtype bf16 to try it")
    worst = max((abs(float(d)) for d in record.get("delta_psnr_db", {}).values()), default=float("inf"))
    if not _keeps_scores(record):
        return Precision(
            "fp32", f"auto: bf16 moves {shipped_tag}'s PSNR by up to {worst:.2f} dB (> {BF16_TOLERANCE_DB} dB)"
        )
    return Precision("bf16", f"auto: fast bf16 CPU; {shipped_tag}'s PSNR within {worst:.3f} dB of fp32 in bf16")
