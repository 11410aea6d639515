"""Build an mmengine Runner for a zoo training config: runtime defaults, checks, DDP set-up, safe checkpoints.

Finding and reading configs (shipped names, small runs, the ``zoo::`` scope): :mod:`zoo.training.configs`.
"""

import difflib
import inspect
import os
import os.path as osp
import sys
from pathlib import Path
from typing import Any

import torch
from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader

from zoo.registry import OPTIMIZERS, RUNNERS
from zoo.registry.config_data import plain_config
from zoo.training.configs import CONFIG_DIR, list_configs, load_config, with_runtime_defaults
from zoo.training.safe_checkpoint import load_training_checkpoint, to_plain

__all__ = ["CONFIG_DIR", "ZooRunner", "build_runner", "check_config", "list_configs", "load_config"]


@CheckpointLoader.register_scheme(prefixes="", force=True)
def _load_local(filename: str, map_location: Any = None) -> Any:
    """Every local checkpoint (``load_from``, ``--resume``) is read with ``weights_only=True``, wherever it lies."""
    path = osp.realpath(osp.expanduser(filename))
    if not osp.isfile(path):
        raise FileNotFoundError(f"checkpoint {filename} does not exist")
    return load_training_checkpoint(path, map_location=map_location)


def _fsync(path: str, directory: bool = False) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@RUNNERS.register_module()
class ZooRunner(Runner):
    """mmengine Runner whose checkpoints are written atomically (temporary file, fsync, rename, fsync of the folder).

    A ``.part`` file left by an interrupted write is deleted when the next run in the same work dir starts, and a
    ``last_checkpoint`` pointer that a kill left empty or pointing at a missing file is set to the newest checkpoint.
    Checkpoints hold only tensors and plain containers (see :mod:`zoo.training.safe_checkpoint`), and the run's
    config as a plain dict (``meta["zoo_config"]``), so they load with ``torch.load(weights_only=True)``.
    """

    def call_hook(self, fn_name: str, **kwargs: Any) -> None:
        """Call the hooks; a checkpoint about to be saved is then turned into tensors and plain containers."""
        super().call_hook(fn_name, **kwargs)
        if fn_name == "before_save_checkpoint":
            checkpoint = kwargs["checkpoint"]
            checkpoint["meta"]["zoo_config"] = plain_config(self.cfg.to_dict())
            if self.cfg.filename:  # where custom_imports' modules are found again at export time
                checkpoint["meta"]["zoo_config_dir"] = str(Path(self.cfg.filename).resolve().parent)
            checkpoint.update(to_plain(checkpoint))

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, *args: Any, **kwargs: Any) -> None:
        """Save to ``filename + '.part'`` and rename, so an interrupted write keeps the previous checkpoint."""
        part = osp.join(out_dir, filename + ".part")
        super().save_checkpoint(out_dir, filename + ".part", *args, **kwargs)
        _fsync(part)
        os.replace(part, osp.join(out_dir, filename))
        _fsync(out_dir, directory=True)

    def _log_env(self, env_cfg: dict) -> None:
        """Log the environment as mmengine does, less what costs seconds and says nothing about a zoo run.

        mmengine's ``collect_env`` imports torchvision (about 2 s on two cores; a zoo run needs it only for the
        optional ``JPEG(backend="torchvision")``, which imports it itself) and asks ``gcc`` for its version (for
        compiled mmcv ops, which the zoo has none of).
        """
        import cv2
        import mmengine

        from zoo.hardware import cpu_supports_fast_bf16

        system = {
            "sys.platform": sys.platform,
            "Python": sys.version.replace("\n", ""),
            "CUDA available": torch.cuda.is_available(),
            "PyTorch": torch.__version__,
            "fast bf16 CPU (AMX or AVX512-BF16)": cpu_supports_fast_bf16(),
            "OpenCV": cv2.__version__,
            "MMEngine": mmengine.__version__,
        }
        runtime = {
            **env_cfg,
            **self._randomness_cfg,
            "seed": self._seed,
            "Distributed launcher": self._launcher,
            "Distributed training": self._distributed,
            "GPU number": self._world_size,
        }
        lines = ["-" * 60, "System environment:", *(f"    {k}: {v}" for k, v in system.items()), ""]
        lines += ["Runtime environment:", *(f"    {k}: {v}" for k, v in runtime.items()), "-" * 60]
        self.logger.info("\n" + "\n".join(lines) + "\n")
        if self.cfg._cfg_dict:
            self.logger.info(f"Config:\n{self.cfg.pretty_text}")

    def train(self) -> torch.nn.Module:
        """Delete partial checkpoints of an interrupted run, then train (resuming when asked)."""
        self._remove_partial_checkpoints()
        self._repair_last_checkpoint()
        return super().train()

    @master_only
    def _repair_last_checkpoint(self) -> None:
        """Point ``last_checkpoint`` at the newest ``iter_*.pth`` when it is empty or names a missing file.

        mmengine rewrites the pointer in place after each save, so a run killed at that moment leaves it empty, and
        ``--resume`` would then fail with "checkpoint does not exist".
        """
        pointer = Path(self.work_dir) / "last_checkpoint"
        if not pointer.is_file():
            return
        named = pointer.read_text().strip()
        if named and Path(named).is_file():
            return
        saved = sorted(Path(self.work_dir).glob("iter_*.pth"), key=lambda p: int(p.stem.removeprefix("iter_")))
        if saved:
            self.logger.warning(f"last_checkpoint named {named or 'nothing'!r}; resuming from {saved[-1].name}")
            pointer.write_text(str(saved[-1]))
        else:
            pointer.unlink()

    @master_only
    def _remove_partial_checkpoints(self) -> None:
        for part in sorted(Path(self.work_dir).glob("*.pth.part")):
            self.logger.warning(f"removing {part.name}, a checkpoint whose writing was interrupted")
            part.unlink(missing_ok=True)


# Top-level config keys the Runner reads (Runner.__init__'s arguments, plus what it reads from ``cfg`` later).
_RUNNER_KEYS = set(inspect.signature(Runner.__init__).parameters) - {"self", "cfg"}
_RUNNER_KEYS |= {"model_wrapper_cfg", "runner_type", "compile", "find_unused_parameters", "custom_imports"}


def check_config(config: dict[str, Any]) -> None:
    """Refuse mistakes that mmengine would ignore silently or report obscurely.

    - A top-level key holding a dict (or a list of dicts) that the Runner does not read, e.g. ``trian_cfg``: mmengine
      ignores it and trains with the defaults. Scalars and lists of scalars (``factor``, ``max_iters``) are helper
      variables of the configs and are allowed.
    - An optimizer ``type`` that is not registered (mmengine says ``None is not a callable object``).

    Raises:
        ValueError: Naming the key and the closest valid names.
    """
    for key, value in config.items():
        nested = isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value))
        if nested and key not in _RUNNER_KEYS and not key.startswith("_"):
            close = difflib.get_close_matches(key, sorted(_RUNNER_KEYS), n=3, cutoff=0.6)
            hint = (
                f"; did you mean {' or '.join(close)}?"
                if close
                else f"; the Runner reads {', '.join(sorted(_RUNNER_KEYS))}"
            )
            raise ValueError(f"unknown top-level config key {key!r} (mmengine would ignore it){hint}")
    optimizer = (config.get("optim_wrapper") or {}).get("optimizer") or {}
    kind = optimizer.get("type") if isinstance(optimizer, dict) else None
    if isinstance(kind, str) and OPTIMIZERS.get(kind) is None:
        raise ValueError(
            f"unknown optimizer type {kind!r} in optim_wrapper.optimizer; use a torch.optim class name such as Adam"
        )


def build_runner(cfg: Config, work_dir: str | None = None, resume: bool = False, launcher: str = "none") -> Runner:
    """Complete a config with the zoo's runtime defaults and build its Runner.

    Args:
        cfg: Training config (see ``zoo/configs``).
        work_dir: Output folder; defaults to ``work_dirs/<config name>``.
        resume: Continue from the latest checkpoint in ``work_dir``.
        launcher: ``none`` (one process) or ``pytorch`` (under ``torchrun``; NCCL on GPUs, gloo on CPUs).
    """
    import zoo.training  # noqa: F401 - registers the training components

    config = with_runtime_defaults(cfg.to_dict())
    check_config(config)
    name = Path(cfg.filename).stem if cfg.filename else "config"
    config["work_dir"] = str(work_dir or config.get("work_dir") or Path("work_dirs") / name)
    config.setdefault("experiment_name", f"{name}_{Path(config['work_dir']).resolve().name}_{os.getpid()}")
    config["resume"] = bool(resume)
    config["launcher"] = launcher
    if launcher == "pytorch":
        import torch.distributed as dist

        if not dist.is_initialized():
            backend = "nccl" if torch.cuda.is_available() else "gloo"
            if backend == "nccl":
                torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
            dist.init_process_group(backend)
        if not torch.cuda.is_available():  # mmengine's default passes device_ids=[LOCAL_RANK], which needs CUDA
            config["model_wrapper_cfg"] = dict(type="MMDistributedDataParallel", device_ids=None)
    elif launcher != "none":
        raise ValueError(f"unknown launcher {launcher!r}; expected none or pytorch")
    os.makedirs(config["work_dir"], exist_ok=True)
    # Not reformatted by yapf for the log and the work dir's copy (about 0.2 s a time, four times a run): the text is
    # the same config, laid out one key per line.
    full = Config(config, cfg_text=cfg.text, filename=cfg.filename, format_python_code=False)
    return ZooRunner.from_cfg(full)
