"""FLOP counts of the shipped weights' networks, stored with the package so that ``zoo info`` need not count them.

Counting one forward on the meta device (:func:`zoo.cli.info.count_flops`) takes 2-5 s on a 2-core CPU, most of a
``zoo info`` call. The counts depend only on a network's architecture (its release metadata), the input size and,
for MBN, the factor, so ``zoo/weights/flops.json`` holds them for every shipped architecture at 1x3x256x256.
``zoo info`` looks a model up there by its architecture and counts only what is not listed (another ``--size``,
untrained networks, weights of your own). ``python -m zoo.cli.flops_table`` writes the file again after weights are
shipped or a network changes; ``tests/cli/test_flops_table.py`` checks that it lists every shipped architecture and
(slow run) that every count equals a fresh one.
"""

from __future__ import annotations

import argparse
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["TABLE", "TABLE_SIZE", "build_table", "listed_flops", "main"]

TABLE = Path(__file__).resolve().parents[1] / "weights" / "flops.json"
TABLE_SIZE = 256


def _key(architecture: dict[str, Any]) -> str:
    """One string per architecture, whatever the order of its settings."""
    return json.dumps(architecture, sort_keys=True)


def _shipped_architectures() -> dict[str, tuple[dict[str, Any], str]]:
    """``{key: (architecture, first tag with it)}`` over the shipped learned weights."""
    from zoo.registry import get_model_info, pretrained_table

    found: dict[str, tuple[dict[str, Any], str]] = {}
    for tag, entry in sorted(pretrained_table().items()):
        architecture = entry.metadata.get("architecture")
        if architecture and get_model_info(tag).learned:
            found.setdefault(_key(architecture), (architecture, tag))
    return found


def build_table() -> list[dict[str, Any]]:
    """Count the FLOPs of every shipped architecture (each MBN branch on its own) at the table's size.

    Networks that cannot run on the meta device (the detector reads pixel values to place its crops) are left out;
    ``zoo info`` says their count is not available, as before.
    """
    from zoo.cli.info import count_flops, needs_factor
    from zoo.registry import create_model, get_model_info

    rows = []
    for architecture, tag in _shipped_architectures().values():
        factors = get_model_info(tag).factors if needs_factor(create_model(tag)) else (None,)
        for factor in factors:
            try:
                flops = count_flops(tag, TABLE_SIZE, factor)
            except Exception:  # noqa: BLE001 - networks that cannot run on the meta device (the detector) are left out
                continue
            rows.append({"architecture": architecture, "size": TABLE_SIZE, "factor": factor, "flops": flops})
    return rows


@lru_cache(maxsize=2)
def _read(table: Path) -> dict[tuple[str, int, str | None], int]:
    """The table's counts by (architecture key, size, factor), read once per file."""
    if not table.is_file():
        return {}
    return {(_key(r["architecture"]), r["size"], r["factor"]): int(r["flops"]) for r in json.loads(table.read_text())}


def listed_flops(name: str, size: int, factor: str | None = None, table: Path = TABLE) -> int | None:
    """The stored FLOP count of weights ``name`` (``arch.tag``) at ``size``, or None when the table lacks it."""
    from zoo.registry import pretrained_table

    entry = pretrained_table().get(name)
    if entry is None or not entry.metadata.get("architecture"):
        return None
    return _read(table).get((_key(entry.metadata["architecture"]), size, factor))


def main(argv: list[str] | None = None) -> int:
    """``python -m zoo.cli.flops_table [--out FILE]``: write the table."""
    parser = argparse.ArgumentParser(prog="python -m zoo.cli.flops_table", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TABLE, help=f"where to write it (default {TABLE})")
    args = parser.parse_args(argv)
    rows = build_table()
    args.out.write_text("[\n" + ",\n".join(json.dumps(row, sort_keys=True) for row in rows) + "\n]\n")  # a row a line
    print(f"wrote {args.out}: {len(rows)} counts of {len({_key(r['architecture']) for r in rows})} architectures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
