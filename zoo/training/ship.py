"""Ship weights exported elsewhere (a campaign's or a user weights folder) inside the package, as they are.

``python -m zoo.training.ship FOLDER TAG [TAG ...] [--default]`` copies each ``TAG.safetensors`` and its manifest entry
from ``FOLDER`` (written by ``zoo export-weights`` or ``python -m zoo.training.campaign``) into ``zoo/weights``,
after checking the file against the sha256 of its entry, and writes the tag's model card. ``--default`` makes each
tag the default of its architecture. A tag with an architecture no shipped weights had before also needs its FLOP
count in ``zoo/weights/flops.json`` (``python -m zoo.cli.flops_table``; ``zoo info`` counts it itself until then, and
``tests/cli/test_flops_table.py`` fails). For development of the project only: the installed package is never
written at run time.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from zoo.registry import sha256_file
from zoo.training.release import add_manifest_entry

__all__ = ["ship"]

PACKAGE_WEIGHTS = Path(__file__).resolve().parents[1] / "weights"


def ship(source: str | Path, tags: list[str], make_default: bool = False, into: Path = PACKAGE_WEIGHTS) -> list[Path]:
    """Copy release files and their manifest entries from ``source`` into ``into``; returns the copied files.

    Raises:
        KeyError: A tag is not in the source manifest.
        ValueError: A file's sha256 is not that of its entry.
    """
    source = Path(source)
    incoming = json.loads((source / "manifest.json").read_text()) if (source / "manifest.json").is_file() else {}
    copied = []
    for tag in tags:
        if tag not in incoming:
            raise KeyError(f"{tag!r} is not in {source / 'manifest.json'}; it has {', '.join(sorted(incoming))}")
        entry = incoming[tag]
        file = source / entry["file"]
        digest = sha256_file(file)
        if digest != entry["sha256"]:
            raise ValueError(f"{file}: sha256 {digest} is not the manifest's {entry['sha256']}")
        copied.append(Path(shutil.copyfile(file, into / entry["file"])))
        add_manifest_entry(into, tag, entry, make_default)
    return copied


def main(argv: list[str] | None = None) -> int:
    """Command line of :func:`ship`."""
    parser = argparse.ArgumentParser(prog="python -m zoo.training.ship", description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="weights folder holding the release files and their manifest.json")
    parser.add_argument("tags", nargs="+", help="architecture.tag names to ship")
    parser.add_argument("--default", action="store_true", help="make each tag its architecture's default")
    args = parser.parse_args(argv)
    for path in ship(args.folder, args.tags, args.default):
        print(f"shipped {path}")
    print("new architectures also need: python -m zoo.cli.flops_table (the FLOP counts zoo info prints)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
