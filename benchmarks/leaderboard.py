"""The leaderboard: Table 3 (single factors) and Table 4 (pure, combined and random mixtures) with shipped weights.

Table 3, per factor: the dedicated DuRN model, MBN told the factor, the cascade of the dedicated models (J->H->B->R),
R-MBN, every classical method for that factor, and the identity (the degraded input). Table 4, per subset: R-MBN,
R-MBN* (fine-tuned on combined factors), OWAN (the mixed-degradation baseline) and the input.

Learned models are scored with their shipped weights (``zoo/weights/manifest.json``); a model without shipped
weights is not scored and its row says ``untrained``. Default test sets: the fixed-seed offline synthetic sets made
from the bundled photos (``zoo.data.datasets.table4_test_sets``); a real dataset folder can replace a factor's set.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset, Subset

from zoo.data.metrics.protocols import protocol_label
from zoo.factors import PAPER_TABLE_ORDER

from .budgets import Budget
from .cells import CellStore
from .evaluate import Restorer, evaluate
from .report import PlotPanel, StudyReport, Table, fmt_pair

__all__ = ["DEDICATED", "Entry", "parse_datasets", "resolve_entries", "run_leaderboard"]

COLUMNS = PAPER_TABLE_ORDER  # the paper's Table 3 column order
COLUMN_NAMES = {"blur": "motion blur", "haze": "haze", "rain": "rain-streak", "jpeg": "JPEG (q 15-50)"}
DEDICATED = {"jpeg": "durn_p_rgb", "haze": "durn_us", "blur": "durn_u", "rain": "durn_s"}  # cascade order J->H->B->R
DATASET_KINDS = {"gopro": "GoProPairs", "reside": "RESIDEPairs", "didmdn": "DIDMDNPairs", "jpeg": "JPEGFolder"}
UNTRAINED = "untrained (no shipped weights)"
# Rows of the generalisation tables: the input, the adaptive default, the paper's always-on chain, and the chain
# with the steps of the true factors (what a perfect detector would run).
PRESET_ENTRIES = ("identity", "rmbn@auto", "rmbn@all", "rmbn@oracle")


@dataclass
class Entry:
    """One model row: how to build it, which weights it uses, and how to call it."""

    row: str
    arch: str
    weights: str | None
    sha256: str | None
    build: Callable[[], torch.nn.Module] | None
    factor_given: bool = False
    oracle: bool = False

    @property
    def key(self) -> str:
        """Cell-key part naming the model and its exact weights (new weights -> new cells)."""
        return f"{self.arch}@{self.weights}-{self.sha256[:8]}" if self.weights and self.sha256 else f"{self.arch}@none"

    @property
    def untrained(self) -> bool:
        """A learned model without shipped weights."""
        return self.build is None


def _default_first(entry: Any) -> tuple[bool, str]:
    """Sort key: the architecture's declared default weights first, then the others by name."""
    from zoo.registry.pretrained import default_tags

    return entry.name != default_tags().get(entry.arch), entry.name


def _pretrained(arch: str, star: bool | None = None) -> Any:
    """The default (else first) shipped weights of ``arch``; for rmbn, ``star`` picks R-MBN* or R-MBN tags."""
    from zoo.registry.pretrained import pretrained_table

    for entry in sorted(pretrained_table().values(), key=_default_first):
        if entry.arch != arch:
            continue
        if star is not None and _is_star(entry) != star:
            continue
        return entry
    return None


def _is_star(entry: Any) -> bool:
    text = json.dumps(entry.metadata.get("training", {})).lower() + " " + entry.tag.lower()
    return "star" in entry.tag.lower() or "mixed" in entry.tag.lower() or "rmbn_star" in text


def _shipped(row: str, pretrained: Any, factor_given: bool = False) -> Entry:
    """The entry of one shipped weights file (a ``pretrained_table()`` value)."""
    from zoo.registry import create_model, pretrained_table

    def build() -> torch.nn.Module:
        return create_model(pretrained.name, pretrained=True)

    digest = pretrained.digest(pretrained_table())  # the file's sha256, or one derived from a cascade's steps
    return Entry(row, pretrained.arch, pretrained.name, digest, build, factor_given)


def _learned(row: str, arch: str, star: bool | None = None, factor_given: bool = False) -> Entry:
    entry = _pretrained(arch, star)
    if entry is None:
        return Entry(row, arch, None, None, None, factor_given)
    return _shipped(row, entry, factor_given)


def _further_tags(arch: str, row: str, factor_given: bool = False) -> list[Entry]:
    """One entry per shipped tag of ``arch`` after the first (which :func:`_learned` takes), as ``"<row>: <tag>"``."""
    from zoo.registry.pretrained import pretrained_table

    tags = [e for e in sorted(pretrained_table().values(), key=_default_first) if e.arch == arch]
    return [_shipped(f"{row}: {e.name}", e, factor_given) for e in tags[1:]]


def _cascade(dedicated: dict[str, Entry]) -> Entry:
    """The shipped cascade weights if any, else the cascade of the shipped dedicated models, else untrained."""
    from zoo.registry import create_model

    shipped = _learned("cascade J→H→B→R", "cascade")
    if not shipped.untrained:
        return shipped
    if any(e.untrained for e in dedicated.values()):
        return Entry("cascade J→H→B→R", "cascade", None, None, None)
    names = [dedicated[f].weights for f in DEDICATED]
    shas = "".join((dedicated[f].sha256 or "")[:2] for f in DEDICATED)

    def build() -> torch.nn.Module:
        return create_model(
            dict(type="cascade", steps=[(f, create_model(dedicated[f].weights, pretrained=True)) for f in DEDICATED])
        ).eval()

    return Entry("cascade J→H→B→R", "cascade", "+".join(n for n in names if n), shas + "0" * 8, build)


def _knowledge_label(info: Any) -> str:
    """What a classical method is given or assumes beyond the image, as a row-label suffix.

    " (oracle kernel)" for the true kernel, " (knows the kernel family)" for a search of the synthesis's own
    kernels (``ModelInfo.knows``), "" otherwise.
    """
    if info.oracle:
        return " (oracle kernel)"
    return f" (knows the {info.knows})" if info.knows else ""


def resolve_entries() -> dict[str, Any]:
    """Every model of both tables with its shipped weights (or marked untrained)."""
    from zoo.registry import create_model, get_model_info, list_models

    dedicated = {f: _learned(f"dedicated ({arch})", arch) for f, arch in DEDICATED.items()}
    classical: dict[str, list[Entry]] = {f: [] for f in COLUMNS}
    for name in list_models():
        info = get_model_info(name)
        if info.learned or name == "identity":
            continue
        entry = Entry(name + _knowledge_label(info), name, "classical", "0" * 64, None)
        entry.build = lambda name=name: create_model(name).eval()
        entry.oracle = info.oracle
        for factor in info.factors:
            if factor in classical:
                classical[factor].append(entry)
    identity = Entry("identity (degraded input)", "identity", "none", "0" * 64, lambda: create_model("identity"))
    return {
        "dedicated": dedicated,
        "mbn": _learned("MBN (factor given)", "mbn", factor_given=True),
        "mbn_more": _further_tags("mbn", "MBN (factor given)", factor_given=True),
        "cascade": _cascade(dedicated),
        "rmbn": _learned("R-MBN", "rmbn", star=False),
        "rmbn_star": _learned("R-MBN*", "rmbn", star=True),
        "owan": _learned("OWAN (Suganuma et al.)", "owan"),
        "classical": classical,
        "identity": identity,
    }


def parse_datasets(specs: list[str]) -> dict[str, tuple[str, str]]:
    """``["blur=gopro:/data/GoPro/test"]`` -> ``{"blur": ("gopro", "/data/GoPro/test")}``."""
    out: dict[str, tuple[str, str]] = {}
    for spec in specs:
        factor, sep, rest = spec.partition("=")
        kind, sep2, path = rest.partition(":")
        if not sep or not sep2 or factor not in COLUMNS or kind not in DATASET_KINDS or not path:
            raise ValueError(
                f"--dataset {spec!r}: expected FACTOR=KIND:PATH with FACTOR in {', '.join(COLUMNS)} and KIND in "
                f"{', '.join(DATASET_KINDS)}"
            )
        if not Path(path).is_dir():
            raise FileNotFoundError(f"--dataset {spec!r}: folder {path} does not exist")
        out[factor] = (kind, path)
    return out


def _real_dataset(kind: str, path: str, budget: Budget) -> Dataset:
    """A real test set: whole images at the gpu budget, else the first ``board_count`` centre crops."""
    from zoo.data import datasets

    crop = None if budget.name == "gpu" else budget.board_crop
    extra = {"quality_range": (10, 10)} if kind == "jpeg" else {}
    dataset = getattr(datasets, DATASET_KINDS[kind])(path, crop=crop, augment=False, random_crop=False, **extra)
    if budget.name != "gpu":
        dataset = Subset(dataset, range(min(len(dataset), budget.board_count)))
    return dataset


def _restorer(model: torch.nn.Module, entry: Entry) -> Restorer:
    if entry.factor_given:
        return lambda x, factor, params: model(x, factor=factor)
    if entry.oracle:
        from zoo.data.kernels import motion_blur_kernel

        def oracle(x: torch.Tensor, factor: str, params: dict[str, Any]) -> torch.Tensor:
            if "blur" not in params:
                raise ValueError(f"{entry.arch} needs the true blur kernel, which this test set does not record")
            return model(x, kernel=motion_blur_kernel(**params["blur"]))

        return oracle
    return lambda x, factor, params: model(x)


class _Scorer:
    """Scores (entry, test set) cells through the store, building each model once."""

    def __init__(self, store: CellStore, protocol: str) -> None:
        self.store, self.protocol = store, protocol
        self.models: dict[str, torch.nn.Module] = {}
        self.used: list[str] = []

    def score(self, table: str, subset: str, entry: Entry, dataset: Dataset, source: str) -> dict | None:
        if entry.untrained:
            return None
        key = f"{table}_{subset}_{entry.key}"
        self.used.append(key)
        config = {
            "table": table,
            "subset": subset,
            "row": entry.row,
            "model": entry.arch,
            "weights": entry.weights,
            "sha256": entry.sha256,
            "factor_given": entry.factor_given,
            "test_set": source,
            "protocol": self.protocol,
        }

        def compute() -> dict:
            if entry.key not in self.models:
                self.models[entry.key] = entry.build().eval()
            return evaluate(_restorer(self.models[entry.key], entry), dataset, self.protocol)

        return self.store.run(key, config, compute)["result"]


def run_leaderboard(
    budget: Budget,
    seed: int,
    out: Path,
    protocol: str,
    command: str,
    datasets: dict[str, tuple[str, str]] | None = None,
) -> StudyReport:
    """Score every model of Tables 3 and 4 and lay the results out in the paper's shapes."""
    from zoo.data.datasets import TABLE4_SUBSETS, table4_test_sets

    datasets = datasets or {}
    store = CellStore(out, "leaderboard", budget, seed, {"protocol": protocol, "datasets": datasets})
    scorer = _Scorer(store, protocol)
    entries = resolve_entries()
    root = out / "testsets" / f"table4_c{budget.board_crop}_n{budget.board_count}_s{seed}"
    synthetic = table4_test_sets(root, "samples", seed=seed, crop=budget.board_crop, count=budget.board_count)
    sources = {
        f: (f"{datasets[f][0]}:{datasets[f][1]}" if f in datasets else f"synthetic {f} ({root / f})") for f in COLUMNS
    }
    tests = {f: _real_dataset(*datasets[f], budget) if f in datasets else synthetic[f] for f in COLUMNS}

    # ---------------------------------------------------------------- Table 3
    t3_rows: list[tuple[str, dict[str, Entry | None]]] = [
        ("dedicated DuRN", {f: entries["dedicated"][f] for f in COLUMNS}),
        ("MBN (factor given)", {f: entries["mbn"] for f in COLUMNS}),
        *[(e.row, {f: e for f in COLUMNS}) for e in entries["mbn_more"]],
        ("cascade J→H→B→R", {f: entries["cascade"] for f in COLUMNS}),
        ("R-MBN", {f: entries["rmbn"] for f in COLUMNS}),
    ]
    classical_names = sorted({e.row for es in entries["classical"].values() for e in es})
    for name in classical_names:
        t3_rows.append(
            (
                f"classical: {name}",
                {f: next((e for e in entries["classical"][f] if e.row == name), None) for f in COLUMNS},
            )
        )
    t3_rows.append(("identity (degraded input)", {f: entries["identity"] for f in COLUMNS}))
    t3: dict[str, dict[str, dict | None]] = {}
    for row, by_factor in t3_rows:
        t3[row] = {}
        for f in COLUMNS:
            entry = by_factor[f]
            if entry is None or (entry.oracle and f in datasets):
                t3[row][f] = None
                continue
            t3[row][f] = scorer.score("t3", f, entry, tests[f], sources[f])

    def t3_cell(row: str, f: str) -> str:
        entry = dict(t3_rows)[row][f]
        if entry is None:
            return "n/a (no true kernel)" if f in datasets and "oracle" in row else ""
        if entry.untrained:
            return "untrained"
        r = t3[row][f]
        return fmt_pair(r["psnr"], r["ssim"])

    def weights_of(row: str) -> str:
        names = {e.weights for e in dict(t3_rows)[row].values() if e is not None}
        names.discard(None)
        if not names:
            return f"**{UNTRAINED}**"
        return ", ".join(sorted(n for n in names if n not in ("classical", "none"))) or "—"

    t3_table = Table(
        f"Table 3 shape: single factors (PSNR / SSIM, {protocol_label(protocol)})",
        ["model", *[COLUMN_NAMES[f] for f in COLUMNS], "weights"],
        [[row, *[t3_cell(row, f) for f in COLUMNS], weights_of(row)] for row, _ in t3_rows],
    )

    # ---------------------------------------------------------------- Table 4
    t4_models = [entries["rmbn"], entries["rmbn_star"], entries["owan"], entries["identity"]]
    t4: dict[str, dict[str, dict | None]] = {}
    for subset in TABLE4_SUBSETS:
        t4[subset] = {
            e.row: scorer.score("t4", subset, e, synthetic[subset], f"synthetic {subset} ({root / subset})")
            for e in t4_models
        }
    mark = lambda on: "✓" if on else "✗"  # noqa: E731
    t4_rows = []
    for subset, spec in TABLE4_SUBSETS.items():
        factors = set(spec) if isinstance(spec, list) else set()
        flags = [mark(f in factors) for f in ("rain", "blur", "haze", "jpeg")] if spec != "random" else ["random"] * 4
        cells = []
        for e in t4_models:
            r = t4[subset][e.row]
            cells.append("untrained" if e.untrained else fmt_pair(r["psnr"], r["ssim"]))
        t4_rows.append([subset, *flags, *cells])
    t4_table = Table(
        f"Table 4 shape: pure and combined factors (PSNR / SSIM, {protocol_label(protocol)}; synthesis order haze, "
        "rain, blur, JPEG)",
        ["subset", "rain", "blur", "haze", "JPEG", *[e.row for e in t4_models]],
        t4_rows,
    )
    weights_table = Table(
        "Weights used",
        ["model", "weights", "training (from the manifest)"],
        [[e.row, e.weights or f"**{UNTRAINED}**", _training_summary(e)] for e in _learned_entries(entries)],
    )

    panels = [
        PlotPanel(
            "Table 3: PSNR per factor",
            [COLUMN_NAMES[f] for f in COLUMNS],
            {
                row: [t3[row][f]["psnr"] if t3[row][f] else None for f in COLUMNS]
                for row, _ in t3_rows
                if not row.startswith("classical") and any(t3[row][f] for f in COLUMNS)
            },
        ),
        PlotPanel(
            "Table 4: PSNR per subset",
            list(TABLE4_SUBSETS),
            {
                e.row: [t4[s][e.row]["psnr"] if t4[s][e.row] else None for s in TABLE4_SUBSETS]
                for e in t4_models
                if not e.untrained
            },
        ),
    ]
    # ------------------------------------------------------ generalisation (paper and broad test sets)
    from .presets import available, run_presets, summary_table

    shipped = [e for e in PRESET_ENTRIES if available(e)]
    general = run_presets(budget, seed, out / "presets", protocol, command, shipped)
    general_tables = [summary_table(general.cells, p, shipped, protocol) for p in ("paper", "broad")]

    title = f"Leaderboard (Tables 3 and 4, and the paper and broad test sets) at the {budget.name} budget"
    report = StudyReport.of_store(
        store, "leaderboard", title, budget, seed, command, protocol,
        tables=[t3_table, t4_table, *general_tables, weights_table],
        panels=panels,
        cells=[r for r in store.records() if r["key"] in set(scorer.used)] + general.cells,
    )
    synthetic_note = (
        f"Test sets: {budget.board_count} fixed-seed synthetic images per subset, "
        f"{budget.board_crop}x{budget.board_crop} "
        f"centre crops of the bundled photos (astronaut, chelsea, coffee, grace_hopper, rocket), seed {seed} + subset "
        "index, written once as 8-bit PNG; the paper uses GoPro, SOTS, DID-MDN, LIVE1 (Table 3) and RESIDE-beta OTS "
        "(Table 4), so the numbers are not comparable to the paper's, only the orderings."
    )
    report.notes.append(synthetic_note)
    for f, (kind, path) in datasets.items():
        report.notes.append(f"{COLUMN_NAMES[f]} of Table 3 scored on the real dataset {kind}:{path}.")
    report.notes += _claims(t3, t4)
    return report


def _learned_entries(entries: dict[str, Any]) -> list[Entry]:
    return [
        *entries["dedicated"].values(),
        entries["mbn"],
        *entries["mbn_more"],
        entries["cascade"],
        entries["rmbn"],
        entries["rmbn_star"],
        entries["owan"],
    ]


def _training_summary(entry: Entry) -> str:
    from zoo.registry.pretrained import pretrained_table

    if entry.untrained:
        return "—"
    if entry.weights not in pretrained_table():
        return "composed of the dedicated models above"
    meta = pretrained_table()[entry.weights].metadata
    training = meta.get("training", {})
    parts = [meta.get("summary", "")]
    for key in ("recipe", "budget", "iterations", "hardware"):
        if key in training:
            parts.append(f"{key}: {training[key]}")
    return "; ".join(str(p) for p in parts if p).replace("|", "/")


def _claims(t3: dict[str, dict[str, dict | None]], t4: dict[str, dict[str, dict | None]]) -> list[str]:
    """The paper's claims on Tables 3 and 4, checked on these numbers (PSNR, dB)."""
    notes = []

    def psnr(row: str, f: str) -> float | None:
        cell = t3.get(row, {}).get(f)
        return cell["psnr"] if cell else None

    def compare(a: str, b: str, claim: str, holds: Callable[[float], bool], rule: str) -> None:
        diffs = {f: psnr(a, f) - psnr(b, f) for f in COLUMNS if psnr(a, f) is not None and psnr(b, f) is not None}
        if not diffs:
            notes.append(f"Claim '{claim}': not checked ({a} or {b} has no shipped weights).")
            return
        detail = ", ".join(f"{f} {d:+.2f} dB" for f, d in diffs.items())
        ok = [f for f, d in diffs.items() if holds(d)]
        verdict = "holds" if len(ok) == len(diffs) else ("holds partly" if ok else "does NOT hold")
        notes.append(f"Claim '{claim}' ({rule}): {verdict} at this budget; {a} minus {b}: {detail}.")

    compare(
        "MBN (factor given)",
        "dedicated DuRN",
        "MBN close to dedicated models",
        lambda d: d >= -1.0,
        "within 1 dB or better",
    )
    compare("R-MBN", "MBN (factor given)", "R-MBN close to MBN", lambda d: d >= -0.5, "within 0.5 dB or better")
    compare("cascade J→H→B→R", "R-MBN", "cascade far below R-MBN", lambda d: d <= -2.0, "at least 2 dB lower")
    combined = [s for s in t4 if "+" in s or s == "random"]
    star, plain, owan = "R-MBN*", "R-MBN", "OWAN (Suganuma et al.)"
    if all(t4[s].get(star) and t4[s].get(plain) for s in combined):
        wins = sum(t4[s][star]["psnr"] > t4[s][plain]["psnr"] for s in combined)
        notes.append(f"Table 4: R-MBN* above R-MBN on {wins} of {len(combined)} combined subsets (paper: all).")
    if all(t4[s].get(star) and t4[s].get(owan) for s in combined):
        wins = sum(t4[s][star]["psnr"] > t4[s][owan]["psnr"] for s in combined)
        notes.append(f"Table 4: R-MBN* above OWAN on {wins} of {len(combined)} combined subsets (paper: all).")
    return notes
