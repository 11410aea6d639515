"""Does bf16 autocast keep the scores of the shipped weights? Measure it per tag and record it in the manifest.

For every shipped tag (or those named), this scores the weights on the card's test set
(:func:`zoo.training.release.evaluate_on_samples`: the same pairs, crop, count and metric protocol as the card) once
in fp32 and once under ``torch.autocast("cpu", dtype=torch.bfloat16)``, and stores the per-factor PSNR difference in
the manifest entry as ``metadata["bf16"]``; the model cards are regenerated from the manifest. ``dtype="auto"``
(:mod:`zoo.inference.precision`) uses bf16 for a tag only when every factor's ``|delta|`` is at most
``BF16_TOLERANCE_DB`` (0.05 dB).

Run (minutes per tag on one core)::

    OMP_NUM_THREADS=1 python benchmarks/speed/bf16_check.py [TAG ...] [--dry-run]

The fp32 scores are checked against the card's recorded scores first: a difference above 0.01 dB means the test set
or the code changed since the card was written, and the tag is skipped with a message (fix the card first).
"""

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from zoo.data.metrics.protocols import DETECTION_PROTOCOL
from zoo.hardware import cpu_flags
from zoo.inference.precision import BF16_TOLERANCE_DB
from zoo.registry import create_model, pretrained_table, weights_dir
from zoo.training.cards import write_cards
from zoo.training.release import evaluate_on_samples

CARD_AGREEMENT_DB = 0.01  # the fp32 re-run must reproduce the card's PSNR to this (it rounds to 4 decimals)


class _Bf16Autocast(nn.Module):
    """Runs the wrapped model under CPU bf16 autocast and hands back fp32 outputs, like ``zoo.restore`` does."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return self.net(x, **kwargs).float()


def check_tag(name: str) -> dict[str, Any]:
    """Score ``name`` in fp32 and bf16 on its card's test set; returns the record stored as ``metadata["bf16"]``.

    Raises:
        ValueError: The fp32 scores do not reproduce the card (the record would compare against other numbers).
    """
    entry = pretrained_table()[name]
    meta = entry.metadata
    factor_given = entry.arch in ("mbn", "mbn_minimal")
    protocol = meta.get("protocol", "standard")
    model = create_model(name, pretrained=True).eval()
    start = time.perf_counter()
    fp32 = evaluate_on_samples(model, factor_given=factor_given, protocol=protocol)
    card = meta.get("scores", {})
    off = {f: round(fp32[f]["psnr"] - card[f]["psnr"], 4) for f in fp32 if f in card}
    if any(abs(d) > CARD_AGREEMENT_DB for d in off.values()):
        raise ValueError(f"{name}: fp32 PSNR differs from the card by {off} dB; regenerate the card's scores first")
    bf16 = evaluate_on_samples(_Bf16Autocast(model), factor_given=factor_given, protocol=protocol)
    deltas = {f: round(bf16[f]["psnr"] - fp32[f]["psnr"], 4) for f in fp32}
    flags = sorted(f for f in ("amx_bf16", "avx512_bf16") if f in cpu_flags())
    return {
        "delta_psnr_db": deltas,
        "max_abs_delta_psnr_db": max(abs(d) for d in deltas.values()),
        "tolerance_db": BF16_TOLERANCE_DB,
        "keeps_scores": all(abs(d) <= BF16_TOLERANCE_DB for d in deltas.values()),
        "protocol": protocol,
        "test_set": "the card's (same pairs, crops and protocol as its measured scores)",
        "measured_with": f"torch {torch.__version__}, CPU autocast bf16 ({', '.join(flags) or 'no bf16 flags'})",
        "seconds": round(time.perf_counter() - start, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Check the named tags (default: all shipped), write the records into the manifest and regenerate the cards."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tags", nargs="*", help="shipped tags (default: all)")
    parser.add_argument("--dry-run", action="store_true", help="print the records, write nothing")
    args = parser.parse_args(argv)
    table = pretrained_table()  # detectors run in fp32 and have no PSNR to keep
    names = args.tags or sorted(n for n, entry in table.items() if entry.metadata.get("protocol") != DETECTION_PROTOCOL)
    manifest_path = weights_dir() / "manifest.json"
    failed = 0
    for name in names:
        try:
            record = check_tag(name)
        except (KeyError, ValueError) as err:
            print(f"{name}: skipped: {err}", file=sys.stderr)
            failed += 1
            continue
        print(name, json.dumps(record), flush=True)
        if args.dry_run:
            continue
        manifest = json.loads(manifest_path.read_text())  # re-read: other tags may have been written meanwhile
        manifest[name]["metadata"]["bf16"] = record
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    if not args.dry_run:
        write_cards(weights_dir())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
