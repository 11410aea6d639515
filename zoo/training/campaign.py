"""The training campaign of the default weights, as one resumable command.

``python -m zoo.training.campaign WORK_DIR --corpus FOLDER`` runs, in order, every stage that is not finished:

1. ``detector``: write detector samples once (``zoo.training.detector_data``, crop policy ``mixed``: 12,000 from
   the training photos, 1,000 from the validation photos) and train ``detector`` on them (1,500 iterations).
2. ``detector_ft``: write 6,000 more samples of which 60 % hold a single factor, and fine-tune the detector on all
   18,000 (samples with at most one factor twice as often) from the first run, 1,200 iterations (it made the
   ``detector.broad`` shipped before the next stage).
3. ``detector_distract``: write 6,000 more training samples and 1,000 validation samples of which half also carry
   damage outside the four factors (noise or WebP: ``zoo.data.degradations.other_damage``), labelled by
   their factors only, and fine-tune on all 24,000 (validation: the 2,000), 1,500 iterations; export
   ``detector.broad`` (thresholds from the validation samples, scores on the test sets), whose thresholds then keep
   noisy or WebP photos from getting steps.
4. ``stage1``: ``mbn_stage1_broad`` from the shipped ``mbn.synth4v3`` (its width and branches), 3,000 iterations,
   export ``mbn.broad``.
5. ``adaptive``: ``rmbn_adaptive`` from ``mbn.broad`` (each broad mixture through exactly its own steps), export
   ``rmbn.broad``. The run that made the shipped file went on to 1,500 iterations, but its validation PSNR fell after
   500 (24.77, 24.60 at 1,000, 24.53 at 1,500 dB), so the release is the 500-iteration checkpoint (the run's best).
6. ``stage1_wide``: ``mbn_stage1_broad`` at width 0.5 (one rain iteration) from scratch, bf16 autocast where the
   CPU supports it, 40,000 iterations, export ``mbn.wide``: the long run meant to get past the plateau of width 0.25
   (validation blur PSNR flat at 27.6 dB in ``stage1``). Started in session 8; it spans several sessions.
7. ``adaptive_safe``: ``rmbn_adaptive`` from the shipped ``rmbn.broad`` with ``model.false_steps=0.25``: each sample
   also runs, with probability 0.25 each, the steps of the factors it lacks (a detector's false alarms), and the loss
   of the final output teaches those steps to leave it alone (``rmbn.broad`` never saw a step without its factor).
   bf16 autocast where the CPU supports it, 1,500 iterations, export ``rmbn.broad2`` (the default since session 9).
   The run that made it went on to 2,500 iterations (``--iters adaptive_safe=3000``, stopped); its 2,000-iteration
   checkpoint scored as the 1,500 one on the validation photos (``zoo.benchmarks.false_steps``), so the release
   stays at 1,500.
8. ``adaptive_both`` and ``adaptive_paper_light`` (session 10): ``adaptive_safe`` from ``rmbn.broad2`` on a mixture
   of the broad and paper syntheses (2 : 1 and 5 : 1, the second at half the rate), 1,500 iterations each. Both
   lost on the broad cases of the validation photos and were not shipped (results/campaign/README.md).
9. ``adaptive_blur`` and ``adaptive_haze`` (session 11): one-step fine-tunes from ``rmbn.broad2``. Only the blur
   (or haze) step's input and output branches learn (``frozen_but``), so every other step stays bit-identical and
   the two runs can be combined branch by branch (``zoo.training.combine``). ``adaptive_blur``: broad and paper
   mixtures 2 : 1, false steps 0.25, to stop the blur step losing on the paper's blur; ``adaptive_haze``: broad
   mixtures, and half the images without haze also run the haze step (``false_steps={"haze": 0.5}``), to make a
   wrong haze step cheap. 1,500 iterations each, lr 5e-5.
10. ``detector_scenes`` (session 13): more scenes for the detector. The corpus gains GCompris' 88 training photos
   (``zoo.data.gcompris_photos``: monuments, animals, objects on white, deserts, underwater), where the earlier
   stages saw about fifty natural photos with few bright, flat scenes, and its thresholds are chosen on samples of
   the validation photos plus 1,000 of GCompris' 29 calibration photos (never trained on). 10,000 new training
   samples (40 % single factors, 30 % with noise or WebP on top; samples with at most one factor twice), fine-tuned
   from the ``detector.broad`` shipped before it, 2,000 iterations, lr 3e-4; export ``detector.broad``. Needs
   ``--calibration DIR`` (``python -m zoo.training.corpus CORPUS --debian U --gcompris G --calibration-out DIR``).
11. ``detector_bright`` (session 16): the detector's haze score follows a photo's brightness (bright, pale, flat
   scenes look hazy to it). 10,000 new samples as ``detector_scenes``' but 45 % with a distractor drawn from noise,
   WebP and bright, pale tones that keep the blacks (``zoo.data.degradations.other_damage.BRIGHT_DISTRACTORS``),
   fine-tuned from the shipped ``detector.broad``, 1,500 iterations, lr 3e-4, thresholds on ``detector_scenes``'
   validation samples; export ``detector.broad``. Needs ``--calibration DIR``.
12. ``detector_resample`` (session 17): the default's worst losses on enlarged photos were haze steps (a soft photo
   looks hazy to the detector). As ``detector_bright`` but the distractors are noise, WebP and enlarged photos
   (``RESAMPLE_DISTRACTORS``: the clean photo shrunk by 1.25-3 and enlarged back before the factors; its blur label
   unknown, left out of the loss, unless a blur factor was added on top).

Each stage trains in ``WORK_DIR/<stage>`` and resumes from its newest checkpoint when run again (checkpoints every
250 iterations and every 10 minutes, so a session that ends mid-stage loses little); exported files go to
``WORK_DIR/weights``. When the work dir is lost, start again from the last release file committed to the package.
``--status FILE`` writes the progress (iterations done, latest validation scores) as Markdown; the campaign's
record in the repository is ``results/campaign/progress.md``. Stages with no folder in the work dir keep their rows
from the existing FILE, so a new work dir adds to the record instead of erasing it.

The corpus folder is the training split (``python -m zoo.training.corpus FOLDER --debian UNPACKED``; from stage 10
on with ``--gcompris UNPACKED`` too).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoo.data.degradations.other_damage import BRIGHT_DISTRACTORS, RESAMPLE_DISTRACTORS

__all__ = ["STAGES", "Stage", "branch_prefixes", "frozen_but", "main", "status"]

_PACKAGE_WEIGHTS = Path(__file__).resolve().parents[1] / "weights"


@dataclass(frozen=True)
class Stage:
    """One stage: a shipped config, its overrides, where it starts, and the tag it exports."""

    name: str
    config: str
    export: str
    options: dict[str, Any] = field(default_factory=dict)
    start: str | None = None  # release file to start from: "package:TAG" or "stage:TAG" (an earlier export)
    iters: int = 1000
    load: str | None = None  # training checkpoint to take the weights from: "STAGE/iter_N.pth" in the work dir
    summary: str = ""  # the exported weights' one-line description (zoo list --pretrained)


# Settings the adaptive R-MBN fine-tunes share: batch 4 of 128x128 crops, synthesis in the main process, lr 2e-5,
# validation every 500 iterations and checkpoints every 250.
_ADAPTIVE_OPTIONS: dict[str, Any] = {
    "train_dataloader.batch_size": 4,
    "train_dataloader.num_workers": 0,
    "train_dataloader.persistent_workers": False,
    "train_dataloader.dataset.crop": 128,
    "optim_wrapper.optimizer.lr": 2e-5,
    "train_cfg.val_interval": 500,
    "default_hooks.checkpoint.interval": 250,
}


def frozen_but(factor: str) -> tuple[str, ...]:
    """Parameter prefixes of an R-MBN that a fine-tune of one step's branches freezes.

    The shared stem and the input and output branches of the other three factors: the other steps stay bit-identical,
    so fine-tunes of different steps from the same release can be combined branch by branch.
    """
    from zoo.factors import FACTORS

    return ("blocks.", *(prefix for other in FACTORS if other != factor for prefix in branch_prefixes(other)))


def branch_prefixes(factor: str) -> tuple[str, str]:
    """Parameter-name prefixes of one step's input and output branches in an R-MBN."""
    return f"heads.{factor}.", f"tails.{factor}."


# The fine-tunes of a shipped adaptive R-MBN (from session 10 on): as above, six checkpoints kept, bf16 where fast.
_FINE_TUNE_OPTIONS: dict[str, Any] = {
    **_ADAPTIVE_OPTIONS,
    "default_hooks.checkpoint.max_keep_ckpts": 6,
    "optim_wrapper.bf16": "auto",
}

# Settings every detector stage shares: the shipped detector's size and crop policy, fp32, validation every 500.
_DETECTOR_OPTIONS: dict[str, Any] = {
    "train_cfg.val_interval": 500,
    "model.net.crop_policy": "mixed",
    "model.net.channels": (16, 24, 32, 48, 64),
    "optim_wrapper.bf16": False,
}
# The detector fine-tunes from session 13 on: their own training shards of the corpus with GCompris' photos, the
# thresholds chosen on the validation plus calibration samples. Stage -> (shard folder, seed, write_shards options
# beyond the shared mix).
_SCENES_SHARDS: dict[str, tuple[str, int, dict[str, Any]]] = {
    "detector_scenes": ("train_scenes", 21, {}),
    "detector_bright": ("train_bright", 51, {"distractor_share": 0.45, "distractor_kinds": BRIGHT_DISTRACTORS}),
    "detector_resample": ("train_resample", 71, {"distractor_share": 0.45, "distractor_kinds": RESAMPLE_DISTRACTORS}),
}
_SCENES_FINE_TUNE: dict[str, Any] = {**_DETECTOR_OPTIONS, "optim_wrapper.optimizer.lr": 3e-4}


def _scenes_stage(name: str, iters: int, leaves_alone: str) -> Stage:
    """A detector stage of ``_SCENES_SHARDS``: fine-tuned from the shipped detector, exported as ``detector.broad``."""
    return Stage(
        name,
        "detector",
        "detector.broad",
        _SCENES_FINE_TUNE,
        start="package:detector.broad",
        iters=iters,
        summary="Factor detector: per factor (rain, blur, JPEG, haze) the probability that it matters; picks R-MBN's "
        f"steps (steps=auto); trained to leave {leaves_alone} alone",
    )


STAGES: tuple[Stage, ...] = (
    Stage(
        "detector",
        "detector",
        "",
        {**_DETECTOR_OPTIONS, "train_dataloader.batch_size": 32},
        iters=1500,
    ),
    Stage(
        "detector_ft",
        "detector",
        "",
        {**_DETECTOR_OPTIONS, "optim_wrapper.optimizer.lr": 5e-4},
        iters=1200,
        load="detector/iter_1500.pth",
    ),
    Stage(
        "detector_distract",
        "detector",
        "detector.broad",
        {**_DETECTOR_OPTIONS, "optim_wrapper.optimizer.lr": 3e-4},
        iters=1500,
        load="detector_ft/iter_1200.pth",
        summary="Factor detector: per factor (rain, blur, JPEG, haze) the probability that it matters; picks R-MBN's "
        "steps (steps=auto); trained to leave noise and WebP alone",
    ),
    Stage(
        "stage1",
        "mbn_stage1_broad",
        "mbn.broad",
        {
            "train_dataloader.batch_size": 8,
            "train_dataloader.num_workers": 0,
            "train_dataloader.persistent_workers": False,
            "train_dataloader.dataset.crop": 128,
            "optim_wrapper.optimizer.lr": 2e-4,
            "train_cfg.val_interval": 1000,
            "default_hooks.checkpoint.interval": 250,
            "default_hooks.checkpoint.max_keep_ckpts": 3,
            "optim_wrapper.bf16": False,  # bf16 autocast gave NaN gradients on this network (see results/campaign)
        },
        start="package:mbn.synth4v3",
        iters=3000,
        summary="MBN stage 1 on the broad synthesis (factor given): each branch trained on wide ranges of its factor",
    ),
    Stage(
        "adaptive",
        "rmbn_adaptive",
        "rmbn.broad",
        {**_ADAPTIVE_OPTIONS, "default_hooks.checkpoint.max_keep_ckpts": 3, "optim_wrapper.bf16": False},
        start="stage:mbn.broad",
        iters=500,  # validation PSNR fell after 500 (24.77, 24.60 at 1,000, 24.53 at 1,500): the release is at 500
        summary="Adaptive R-MBN on broad mixtures: runs the steps the detector finds (zoo restore's default)",
    ),
    Stage(
        "stage1_wide",
        "mbn_stage1_broad",
        "mbn.wide",
        {
            "model.net.width": 0.5,
            "model.net.rain_iters": 1,
            "train_dataloader.batch_size": 8,
            "train_dataloader.num_workers": 0,
            "train_dataloader.persistent_workers": False,
            "train_dataloader.dataset.crop": 128,
            "optim_wrapper.optimizer.lr": 2e-4,
            "train_cfg.val_interval": 2000,
            "default_hooks.checkpoint.interval": 500,
            "default_hooks.checkpoint.max_keep_ckpts": 3,
            "optim_wrapper.bf16": "auto",  # with 2 threads: 2.9x the images/s of fp32 on 1 thread at this width
        },
        iters=40000,
        summary="MBN stage 1 at width 0.5 on the broad synthesis, from scratch (factor given)",
    ),
    Stage(
        "adaptive_safe",
        "rmbn_adaptive",
        "rmbn.broad2",
        {
            **_ADAPTIVE_OPTIONS,
            "model.false_steps": 0.25,
            "default_hooks.checkpoint.max_keep_ckpts": 6,
            "optim_wrapper.bf16": "auto",
        },
        start="package:rmbn.broad",
        iters=1500,
        summary="Adaptive R-MBN on broad mixtures, also trained to leave images alone when a step runs on an image "
        "without its factor (a detector's false alarm)",
    ),
    Stage(
        "adaptive_both",
        "rmbn_adaptive",
        "rmbn.both",
        {
            **_FINE_TUNE_OPTIONS,
            "model.false_steps": 0.25,
            # a batch in three draws its mixture from the paper's recipes: the broad steps lose on the paper's blur
            "model.data_preprocessor.preset": {"_delete_": True, "broad": 2.0, "paper": 1.0},
        },
        start="package:rmbn.broad2",
        iters=1500,
        summary="Adaptive R-MBN on broad and paper mixtures (two batches in three broad), trained to leave images "
        "alone when a step runs by mistake",
    ),
    Stage(
        "adaptive_paper_light",
        "rmbn_adaptive",
        "rmbn.broad3",
        {
            **_FINE_TUNE_OPTIONS,
            "model.false_steps": 0.25,
            # adaptive_both lost 0.15 dB on the broad cases: one batch in six from the paper, at half the rate
            "model.data_preprocessor.preset": {"_delete_": True, "broad": 5.0, "paper": 1.0},
            "optim_wrapper.optimizer.lr": 1e-5,
        },
        start="package:rmbn.broad2",
        iters=1500,
        summary="Adaptive R-MBN on broad mixtures with one batch in six from the paper's recipes, trained to leave "
        "images alone when a step runs by mistake",
    ),
    Stage(
        "adaptive_blur",
        "rmbn_adaptive",
        "rmbn.blur_ft",
        {
            **_FINE_TUNE_OPTIONS,
            "model.false_steps": 0.25,
            # only the blur step's own branches learn: the stem and the other steps stay bit-identical, so the
            # rain, JPEG and haze steps cannot lose what they had (both mixture fine-tunes lost on broad haze)
            "model.frozen": frozen_but("blur"),
            "model.data_preprocessor.preset": {"_delete_": True, "broad": 2.0, "paper": 1.0},
            "optim_wrapper.optimizer.lr": 5e-5,
        },
        start="package:rmbn.broad2",
        iters=1500,
        summary="Adaptive R-MBN whose blur step alone was fine-tuned on broad and paper mixtures (two batches in "
        "three broad); its other steps are rmbn.broad2's",
    ),
    Stage(
        "adaptive_haze",
        "rmbn_adaptive",
        "rmbn.haze_ft",
        {
            **_FINE_TUNE_OPTIONS,
            # a wrong haze step costs 4-6 dB (results/campaign/false_steps_*.md), which keeps the detector's haze
            # threshold so high that few hazy photos get the step: half the images without haze also run it here
            "model.false_steps": {"haze": 0.5},
            "model.frozen": frozen_but("haze"),
            "optim_wrapper.optimizer.lr": 5e-5,
        },
        start="package:rmbn.broad2",
        iters=1500,
        summary="Adaptive R-MBN whose haze step alone was fine-tuned on broad mixtures, half the images without haze "
        "also running it; its other steps are rmbn.broad2's",
    ),
    _scenes_stage("detector_scenes", 2000, "noise, WebP and bright, flat scenes"),
    _scenes_stage("detector_bright", 1500, "noise, WebP and bright, pale or flat scenes"),
    _scenes_stage("detector_resample", 1500, "noise, WebP, bright, flat scenes and enlarged photos"),
)


def _start_file(stage: Stage, work: Path) -> Path | None:
    if stage.start is None:
        return None
    where, _, tag = stage.start.partition(":")
    return (_PACKAGE_WEIGHTS if where == "package" else work / "weights") / f"{tag}.safetensors"


def _iteration(folder: Path) -> int:
    """Iteration of the newest checkpoint in a stage folder (0 when there is none)."""
    pointer = folder / "last_checkpoint"
    if not pointer.is_file():
        return 0
    name = Path(pointer.read_text().strip()).name
    return int(name.removeprefix("iter_").removesuffix(".pth")) if name.startswith("iter_") else 0


def _detector_data(work: Path, corpus: str, stage: str = "detector", calibration: str | None = None) -> Path:
    """Write (or complete) the sample shards a detector stage reads; returns their folder.

    The stages of ``_SCENES_SHARDS`` read their own training shards (the corpus with GCompris' photos) and share their
    validation ones (validation photos plus calibration photos); the three earlier stages share theirs.
    """
    from zoo.training.detector_data import write_shards

    data = work / "detector_data"
    if stage in _SCENES_SHARDS:
        if calibration is None:
            raise ValueError(
                f"stage {stage} chooses its thresholds on GCompris' calibration photos too: pass --calibration "
                "DIR (python -m zoo.training.corpus CORPUS --debian U --gcompris G --calibration-out DIR)"
            )
        mix = {"crop_policy": "mixed", "single_share": 0.4, "distractor_share": 0.3}
        folder, seed, own = _SCENES_SHARDS[stage]
        write_shards(data / folder, corpus, 10000, seed, **{**mix, **own})
        write_shards(data / "val", "validation", 1000, 1, crop_policy="mixed")
        write_shards(data / "val_calibration", calibration, 1000, 22, **mix)
        _link_shards(data / "val_scenes", {"v": data / "val", "c": data / "val_calibration"})
        return data
    write_shards(data / "train", corpus, 12000, 0, crop_policy="mixed")
    write_shards(data / "val", "validation", 1000, 1, crop_policy="mixed")
    write_shards(data / "train_single", corpus, 6000, 7, crop_policy="mixed", single_share=0.6)
    mix = {"crop_policy": "mixed", "distractor_share": 0.5}
    write_shards(data / "train_distract", corpus, 6000, 11, single_share=0.6, **mix)
    write_shards(data / "val_distract", "validation", 1000, 12, **mix)
    _link_shards(data / "train_all", {"m": data / "train", "s": data / "train_single"})
    _link_shards(
        data / "train_distract_all", {"m": data / "train", "s": data / "train_single", "d": data / "train_distract"}
    )
    _link_shards(data / "val_all", {"v": data / "val", "d": data / "val_distract"})
    return data


def _link_shards(folder: Path, sources: dict[str, Path]) -> None:
    """A folder of links to the shards of several folders (``shard_<key><number>.npz``), for one dataset."""
    folder.mkdir(exist_ok=True)
    for key, source in sources.items():
        for shard in sorted(source.glob("shard_*.npz")):
            link = folder / f"shard_{key}{shard.name.removeprefix('shard_')}"
            if not link.exists():
                link.symlink_to(shard.resolve())


def stage_options(stage: Stage, work: Path, corpus: str, iters: int) -> dict[str, Any]:
    """The ``--cfg-options`` of a stage (dotted keys; a dict value with ``_delete_`` replaces the config's)."""
    options: dict[str, Any] = {**stage.options, "train_cfg.max_iters": iters}
    if stage.config == "detector":
        data = work / "detector_data"
        train, val = {"folder": str(data / "train")}, data / "val"
        if stage.name == "detector_ft":
            train = {"folder": str(data / "train_all"), "repeat_few_factors": 2}
        if stage.name == "detector_distract":
            train, val = {"folder": str(data / "train_distract_all"), "repeat_few_factors": 2}, data / "val_all"
        if stage.name in _SCENES_SHARDS:
            folder = data / _SCENES_SHARDS[stage.name][0]
            train, val = {"folder": str(folder), "repeat_few_factors": 2}, data / "val_scenes"
        options["train_dataloader.dataset"] = {"_delete_": True, "type": "DetectorShards", **train}
        options["val_dataloader.dataset"] = {"_delete_": True, "type": "DetectorShards", "folder": str(val)}
        options["param_scheduler"] = [dict(type="CosineAnnealingLR", by_epoch=False, T_max=iters, eta_min=1e-5)]
    else:
        options["train_dataloader.dataset.source"] = corpus
    start = _start_file(stage, work)
    if start is not None:
        options["model.init_checkpoint"] = str(start)
    if stage.load is not None:
        options["load_from"] = str(work / stage.load)
    return options


def run_stage(stage: Stage, work: Path, corpus: str, iters: int, calibration: str | None = None) -> Path | None:
    """Train (or resume) one stage and export its release file, if it has one; returns the release file.

    ``calibration``: the folder of GCompris' calibration photos, for the stages of ``_SCENES_SHARDS``.
    """
    from zoo.training import build_runner, load_config
    from zoo.training.release import export_release

    folder = work / stage.name
    if stage.config == "detector":
        _detector_data(work, corpus, stage.name, calibration)
    done = _iteration(folder)
    if done < iters:
        print(f"[campaign] {stage.name}: {stage.config} from iteration {done} to {iters}", flush=True)
        cfg = load_config(stage.config, stage_options(stage, work, corpus, iters))
        build_runner(cfg, work_dir=str(folder), resume=done > 0).train()
    if not stage.export:
        return None
    release = work / "weights" / f"{stage.export}.safetensors"
    data = "broad synthesis made on the fly"
    if stage.config == "detector":
        data = "broad synthesis written once as sample shards (zoo.training.detector_data), crop policy mixed"
    training = {
        "data": f"the train split (zoo.data.splits) in {corpus}, {data}",
        "recipe": f"python -m zoo.training.campaign (stage {stage.name}: config {stage.config}, {iters} iterations)",
    }
    export_release(
        folder / f"iter_{iters}.pth",
        stage.export,
        work / "weights",
        stage.summary or f"campaign stage {stage.name}",
        training,
    )
    print(f"[campaign] {stage.name}: exported {release}", flush=True)
    return release


def status(work: Path, previous: str = "") -> str:
    """Markdown table of each stage: iterations done, the newest validation scores, the exported file.

    Args:
        work: The campaign folder.
        previous: An earlier table (the committed record): a stage without a folder in ``work`` keeps its row from
            it, so a lost or new work dir does not erase what earlier sessions recorded.
    """
    kept = {
        line.split("|")[1].strip(): line
        for line in previous.splitlines()
        if line.startswith("| ") and line.count("|") == 6
    }
    lines = ["| stage | config | iterations | latest validation | exported |", "|---|---|---:|---|---|"]
    for stage in STAGES:
        folder = work / stage.name
        if not folder.is_dir() and stage.name in kept:
            lines.append(kept[stage.name])
            continue
        scores = _latest_validation(folder)
        exported = stage.export and (work / "weights" / f"{stage.export}.safetensors").is_file()
        lines.append(
            f"| {stage.name} | {stage.config} | {_iteration(folder)} | {scores or '-'} | "
            f"{stage.export if exported else '-'} |"
        )
    return "\n".join(lines) + "\n"


def _latest_validation(folder: Path) -> str:
    """The last validation scores of a stage: PSNR per factor, or the detector's AUC per factor.

    Read from mmengine's ``vis_data/scalars.json`` in the stage folder.
    """
    latest: dict[str, Any] = {}
    for path in sorted(folder.glob("*/vis_data/scalars.json")):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if any(k.startswith(("restore/", "detect/")) for k in record):
                latest = record
    keep = {k.partition("/")[2]: v for k, v in latest.items() if "psnr" in k or "auc" in k}
    return ", ".join(f"{k} {v:.4g}" for k, v in keep.items())


def main(argv: list[str] | None = None) -> int:
    """Run the unfinished stages (or only some), or write the status."""
    parser = argparse.ArgumentParser(prog="python -m zoo.training.campaign", description=__doc__.splitlines()[0])
    parser.add_argument("work_dir", help="campaign folder (outside the repository)")
    parser.add_argument("--corpus", help="training photos (the train split), needed to train")
    parser.add_argument(
        "--calibration",
        help="GCompris' calibration photos (python -m zoo.training.corpus --calibration-out), for "
        f"{', '.join(list(_SCENES_SHARDS)[:-1])} and {list(_SCENES_SHARDS)[-1]}",
    )
    parser.add_argument("--only", nargs="+", choices=[s.name for s in STAGES], help="run only these stages")
    parser.add_argument("--iters", nargs="+", default=[], metavar="STAGE=N", help="iterations of a stage")
    parser.add_argument("--status", metavar="FILE", help="write the progress table to FILE and exit")
    args = parser.parse_args(argv)
    work = Path(args.work_dir)
    if args.status:
        record = Path(args.status)
        table = status(work, record.read_text() if record.is_file() else "")
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(table)
        print(table)
        return 0
    if not args.corpus:
        parser.error("--corpus FOLDER is needed to train (python -m zoo.training.corpus FOLDER --debian UNPACKED)")
    iters = {s.name: s.iters for s in STAGES} | {k: int(v) for k, _, v in (i.partition("=") for i in args.iters)}
    for stage in STAGES:
        if args.only and stage.name not in args.only:
            continue
        run_stage(stage, work, args.corpus, iters[stage.name], args.calibration)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
