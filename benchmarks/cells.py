"""One JSON file per finished table cell, so an interrupted study resumes and skips what is done.

A cell record holds its study, key, config, budget, seed, hardware, start time, duration and result. Records are
written atomically (temporary file, then rename) right after the cell finishes; a cell whose file exists is never
recomputed, provided it was made with the same budget, seed and settings (protocol, training images, test sets);
otherwise the store refuses to mix them.
"""

import json
import os
import platform
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from .budgets import Budget

__all__ = ["CellStore", "hardware"]


@cache
def hardware() -> dict[str, Any]:
    """The machine the cells run on: CPU model and cores, torch threads and version, GPU name if any."""
    import torch

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info: dict[str, Any] = {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
    return info


def _file_name(key: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.+=-]+", "_", key)
    return f"{safe}.json"


class CellStore:
    """The finished cells of one study run, as ``<out>/cells/<key>.json``.

    Args:
        out_dir: The study's output folder.
        study: Study name (``leaderboard``, ``ablation``, ...).
        budget: The budget every cell runs at.
        seed: The seed every cell runs with.
        settings: Further settings every cell of the folder must share (metric protocol, training images, ...).
        deadline: ``time.monotonic()`` value after which no new cell is started (``run`` returns None for it).
        log: Progress printer (``print`` by default; pass ``lambda *_: None`` to silence).
    """

    def __init__(
        self,
        out_dir: str | Path,
        study: str,
        budget: Budget,
        seed: int,
        settings: dict[str, Any] | None = None,
        log: Callable[[str], None] = print,
        deadline: float | None = None,
    ) -> None:
        self.root = Path(out_dir) / "cells"
        self.root.mkdir(parents=True, exist_ok=True)
        self.study, self.budget, self.seed, self.log = study, budget, int(seed), log
        self.settings = json.loads(json.dumps(settings or {}, default=_jsonable))
        self.deadline = deadline
        self.skipped: list[str] = []
        self.not_run: list[str] = []
        self.computed: list[str] = []

    def path(self, key: str) -> Path:
        """File of a cell."""
        return self.root / _file_name(key)

    def get(self, key: str) -> dict[str, Any] | None:
        """The record of a finished cell, or None; raises when it was made at another budget, seed or settings."""
        path = self.path(key)
        if not path.is_file():
            return None
        record = json.loads(path.read_text())
        budget = json.loads(json.dumps(self.budget.as_dict()))
        if record.get("budget") != budget or record.get("seed") != self.seed:
            made = record.get("budget", {})
            same_name = made.get("name") == budget["name"]
            changed = sorted(k for k in budget if made.get(k) != budget[k]) if same_name else []
            detail = f" (its settings {', '.join(changed)} differ from the current ones)" if changed else ""
            raise ValueError(
                f"{path} was made with budget {made.get('name')!r}{detail} and seed {record.get('seed')}, "
                f"not {self.budget.name!r} and {self.seed}; use another --out folder"
            )
        if record.get("settings", {}) != self.settings:
            raise ValueError(
                f"{path} was made with settings {record.get('settings')}, not {self.settings}; use another --out folder"
            )
        return record

    def run(self, key: str, config: dict[str, Any], compute: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        """Return the cell's record, computing and saving it first unless it is already finished.

        Returns None, computing nothing, for an unfinished cell once the store's deadline has passed.

        Args:
            key: Unique name of the cell within the study.
            config: What the cell measures (model, factor, training settings, ...), stored verbatim.
            compute: Produces the cell's result (a JSON-serialisable dict).
        """
        done = self.get(key)
        if done is not None:
            self.skipped.append(key)
            self.log(f"[{self.study}] skip {key} (done)")
            return done
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.not_run.append(key)
            self.log(f"[{self.study}] not run {key} (time limit; run the command again to continue)")
            return None
        self.log(f"[{self.study}] run  {key}")
        started = datetime.now(UTC).isoformat(timespec="seconds")
        tic = time.perf_counter()
        result = compute()
        record = {
            "study": self.study,
            "key": key,
            "config": config,
            "budget": self.budget.as_dict(),
            "seed": self.seed,
            "settings": self.settings,
            "hardware": hardware(),
            "started": started,
            "seconds": round(time.perf_counter() - tic, 3),
            "result": result,
        }
        path = self.path(key)
        part = path.with_suffix(".json.part")
        part.write_text(json.dumps(record, indent=1, default=_jsonable) + "\n")
        os.replace(part, path)
        self.computed.append(key)
        self.log(f"[{self.study}] done {key} in {record['seconds']:.1f} s")
        return record

    def records(self) -> list[dict[str, Any]]:
        """Every finished record of this store, sorted by key."""
        out = []
        for path in sorted(self.root.glob("*.json")):
            out.append(json.loads(path.read_text()))
        return sorted(out, key=lambda r: r["key"])


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple | set):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in a cell record")
