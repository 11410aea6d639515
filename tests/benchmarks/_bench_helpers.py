"""Helpers of the benchmark tests: run ``zoo bench`` in-process and read its outputs."""

import json
from pathlib import Path

from zoo.cli.main import main


def bench(capsys, study: str, out: Path, *extra: str) -> str:
    """Run ``zoo bench STUDY --budget smoke`` and return its stdout."""
    assert main(["bench", study, "--budget", "smoke", "--seed", "0", "--out", str(out), *extra]) == 0
    return capsys.readouterr().out


def outputs(out: Path, study: str) -> dict:
    """Check the JSON/Markdown/PNG trio exists and return the parsed JSON."""
    for suffix in ("json", "md", "png"):
        path = out / f"{study}.{suffix}"
        assert path.is_file() and path.stat().st_size > 0, path
    assert (out / f"{study}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((out / f"{study}.json").read_text())
    for cell in summary["cells"]:
        assert {"config", "budget", "seed", "hardware", "seconds", "started", "result"} <= set(cell)
        assert cell["budget"]["name"] == "smoke" and cell["seed"] == 0
        assert cell["hardware"]["cpu"] and cell["hardware"]["torch"]
    return summary


def counts(stdout: str, study: str) -> tuple[int, int]:
    """(computed, skipped) from the last line ``<study>: N cells computed, M skipped``."""
    line = next(line for line in stdout.splitlines()[::-1] if line.startswith(f"{study}: "))
    words = line.split()
    return int(words[1]), int(words[4])
