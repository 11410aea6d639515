"""A study's outputs: ``<study>.json`` (every cell), ``<study>.md`` (the tables) and ``<study>.png`` (bar plots).

A report of scores names its metric protocol (``zoo.data.metrics.protocols``) under its title, in words generated
from the protocol object, and its tables' captions carry the protocol's short label.

matplotlib is imported only inside :func:`write_plot`, never by ``import zoo`` or ``import zoo.benchmarks``.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoo.data.metrics.protocols import protocol_description

from .budgets import Budget
from .cells import hardware

__all__ = ["PlotPanel", "StudyReport", "Table", "fmt_pair", "write_plot", "write_record", "write_report"]


@dataclass
class Table:
    """One Markdown table: a caption, column headers and rows of already formatted strings."""

    caption: str
    headers: list[str]
    rows: list[list[str]]

    def markdown(self) -> str:
        """The table as GitHub Markdown, caption first."""
        lines = [f"**{self.caption}**", "", "| " + " | ".join(self.headers) + " |"]
        lines.append("|" + "|".join("---" for _ in self.headers) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


@dataclass
class PlotPanel:
    """One bar-chart panel: groups on the x axis, one bar per series in each group (None = no bar)."""

    title: str
    groups: list[str]
    series: dict[str, list[float | None]]
    ylabel: str = "PSNR (dB)"
    log: bool = False


@dataclass
class StudyReport:
    """What a study produced: tables, plot panels, notes, and every cell record.

    ``protocol`` names the metric protocol of its scores (None for a study without PSNR/SSIM, e.g. speed);
    ``hardware`` is the machine the cells ran on when it is not the current one (a report rebuilt from its JSON).
    """

    study: str
    title: str
    budget: Budget
    seed: int
    command: str
    tables: list[Table] = field(default_factory=list)
    panels: list[PlotPanel] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0
    computed: int = 0
    protocol: str | None = None
    hardware: dict[str, Any] | None = None

    @classmethod
    def of_store(
        cls,
        store: Any,
        study: str,
        title: str,
        budget: Budget,
        seed: int,
        command: str,
        protocol: str | None = None,
        **fields: Any,
    ) -> "StudyReport":
        """The report of a study run whose cells a :class:`~zoo.benchmarks.cells.CellStore` holds.

        Its cells are every record of ``store`` unless ``cells`` is given; the skipped and computed counts are the
        store's. ``fields`` are the other attributes (``tables``, ``panels``, ``notes``, ``cells``).
        """
        fields.setdefault("cells", store.records())
        counts = dict(skipped=len(store.skipped), computed=len(store.computed))
        return cls(study, title, budget, seed, command, protocol=protocol, **counts, **fields)

    def machine(self) -> dict[str, Any]:
        """The hardware record of the report: the given one, else the current machine's."""
        return self.hardware or hardware()

    def markdown(self) -> str:
        """The whole report as Markdown (title, settings, metric protocol, tables, notes)."""
        hw = self.machine()
        lines = [
            f"## {self.title}",
            "",
            f"Command: `{self.command}`  ",
            f"Budget: `{self.budget.name}`, seed {self.seed}; hardware: {hw['cpu']} ({hw['cpu_count']} cores, "
            f"{hw['torch_threads']} torch threads){', GPU ' + hw['gpu'] if hw['gpu'] else ''}; torch {hw['torch']}."
            + ("  " if self.protocol else ""),
        ]
        if self.protocol:
            lines.append(f"Scores: PSNR (dB) and SSIM under the {protocol_description(self.protocol)}.")
        lines.append("")
        for table in self.tables:
            lines += [table.markdown(), ""]
        if self.notes:
            lines += [f"- {note}" for note in self.notes] + [""]
        return "\n".join(lines)


def fmt_pair(psnr: float | None, ssim: float | None) -> str:
    """``"28.60 / 0.8698"``, or an em dash when the cell has no numbers."""
    if psnr is None or ssim is None or (isinstance(psnr, float) and math.isnan(psnr)):
        return "—"
    return f"{psnr:.2f} / {ssim:.4f}"


def write_plot(panels: list[PlotPanel], path: Path, title: str) -> None:
    """Grouped bar charts, one panel per row, saved as PNG.

    Bars start at zero (on a log axis, at the axis' bottom), so their lengths compare as the values do; a table
    beside the plot gives the numbers.

    Raises:
        RuntimeError: matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise RuntimeError("the study plots need matplotlib: pip install matplotlib") from err
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(max(6.0, 0.9 * max(len(p.groups) for p in panels) + 3), 3.2 * len(panels)),
        squeeze=False,
    )
    for ax, panel in zip(axes[:, 0], panels):
        names = list(panel.series)
        width = 0.8 / max(1, len(names))
        finite = [v for values in panel.series.values() for v in values if v is not None and math.isfinite(v)]
        for i, name in enumerate(names):
            points = [
                (g + (i - (len(names) - 1) / 2) * width, v)
                for g, v in enumerate(panel.series[name])
                if v is not None and math.isfinite(v)
            ]
            ax.bar([p[0] for p in points], [p[1] for p in points], width=width, label=name)
        if not panel.log:
            ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_xticks(range(len(panel.groups)))
        ax.set_xticklabels(
            panel.groups,
            rotation=30 if len(panel.groups) > 6 else 0,
            ha="right" if len(panel.groups) > 6 else "center",
            fontsize=8,
        )
        ax.set_ylabel(panel.ylabel)
        if panel.log and finite:
            ax.set_yscale("log")
        ax.set_title(panel.title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        if len(names) > 1:
            ax.legend(fontsize=7, ncol=min(4, len(names)))
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_record(out_dir: str | Path, name: str, record: dict[str, Any], command: str, text: str) -> None:
    """Write a study's ``NAME.json`` (its record plus the command that made it) and ``NAME.md`` (``text``); print it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps({**record, "command": command}, indent=1) + "\n")
    (out / f"{name}.md").write_text(text)
    print(text)


def write_report(report: StudyReport, out_dir: str | Path) -> dict[str, Path]:
    """Write ``<study>.json``, ``<study>.md`` and ``<study>.png`` into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {kind: out / f"{report.study}.{kind}" for kind in ("json", "md", "png")}
    summary = {
        "study": report.study,
        "title": report.title,
        "command": report.command,
        "budget": report.budget.as_dict(),
        "seed": report.seed,
        "protocol": report.protocol,
        "hardware": report.machine(),
        "tables": [{"caption": t.caption, "headers": t.headers, "rows": t.rows} for t in report.tables],
        "notes": report.notes,
        "cells": report.cells,
    }
    paths["json"].write_text(json.dumps(summary, indent=1) + "\n")
    paths["md"].write_text(report.markdown())
    if report.panels:
        write_plot(report.panels, paths["png"], report.title)
    else:
        paths.pop("png")
    return paths
