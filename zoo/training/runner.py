"""Build an mmengine Runner for a zoo training config: defaults, config lookup, DDP set-up, safe checkpoints."""

import contextlib
import copy
import difflib
import inspect
import os
import os.path as osp
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
import yaml
from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.fileio.handlers import YamlHandler
from mmengine.fileio.io import file_handlers
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader

from zoo.registry import OPTIMIZERS, RUNNERS
from zoo.registry.config_data import plain_config
from zoo.training.safe_checkpoint import load_training_checkpoint, to_plain

__all__ = ["CONFIG_DIR", "ZooRunner", "build_runner", "check_config", "list_configs", "load_config"]

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"


@CheckpointLoader.register_scheme(prefixes="", force=True)
def _load_local(filename: str, map_location: Any = None) -> Any:
    """Every local checkpoint (``load_from``, ``--resume``) is read with ``weights_only=True``, wherever it lies."""
    path = osp.realpath(osp.expanduser(filename))
    if not osp.isfile(path):
        raise FileNotFoundError(f"checkpoint {filename} does not exist")
    return load_training_checkpoint(path, map_location=map_location)


class _SafeYamlLoader(yaml.SafeLoader):
    """YAML's safe loader plus tuples (which mmengine writes as ``!!python/tuple``); no other Python tags."""


_SafeYamlLoader.add_constructor(
    "tag:yaml.org,2002:python/tuple", lambda loader, node: tuple(loader.construct_sequence(node))
)


class _SafeYamlHandler(YamlHandler):
    def load_from_fileobj(self, file: Any, **kwargs: Any) -> Any:
        kwargs["Loader"] = _SafeYamlLoader
        return yaml.load(file, **kwargs)


@contextlib.contextmanager
def _safe_yaml() -> Iterator[None]:
    """Make mmengine parse YAML (configs and their ``_base_`` files) with the safe loader while inside.

    mmengine's own handler uses PyYAML's full ``Loader``, which runs ``!!python/object/apply`` tags.
    """
    saved = {fmt: file_handlers[fmt] for fmt in ("yaml", "yml")}
    file_handlers.update(dict.fromkeys(saved, _SafeYamlHandler()))
    try:
        yield
    finally:
        file_handlers.update(saved)


def list_configs() -> list[str]:
    """Names of the training configs shipped in the package."""
    return sorted(p.stem for p in CONFIG_DIR.glob("*.py") if not p.stem.startswith("_"))


def load_config(name_or_path: str, cfg_options: dict[str, Any] | None = None) -> Config:
    """Read a shipped config by name (``mbn_stage1``) or a ``.py``/``.yaml`` file, then apply overrides.

    ``.py`` configs are Python code and are executed; only use configs you trust. YAML configs are parsed with a
    safe loader.
    """
    path = Path(name_or_path)
    if not path.suffix:
        path = CONFIG_DIR / f"{name_or_path}.py"
        if not path.is_file():
            raise FileNotFoundError(f"unknown config {name_or_path!r}; shipped configs: {', '.join(list_configs())}")
    elif not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    with _safe_yaml():
        try:
            _check_yaml_top_level(path)
            cfg = Config.fromfile(str(path))
        except ValueError as err:  # mmengine refuses "pkg::file" _base_ paths with a ValueError or an assertion
            if str(err).startswith(str(path)) or "::" not in path.read_text(errors="replace"):
                raise
            raise ValueError(_package_base_message(path)) from err
        except yaml.YAMLError as err:
            raise ValueError(f"{path}: not a safe YAML config ({' '.join(str(err).split())})") from None
        except SyntaxError as err:
            raise ValueError(f"{path}: Python syntax error in the config ({' '.join(str(err).split())})") from None
        except ImportError as err:  # custom_imports naming a module that is not installed
            raise ValueError(
                f"{path}: a module the config imports (custom_imports) cannot be imported ({_first_line(err)}); "
                "install it, or fix or remove the name in custom_imports"
            ) from None
        except AssertionError as err:
            if "::" in path.read_text(errors="replace"):
                raise ValueError(_package_base_message(path)) from None
            raise ValueError(
                f"{path}: mmengine refused the config ({_first_line(err)}); check its _base_ and keys"
            ) from None
    if cfg_options:
        cfg.merge_from_dict(cfg_options, allow_list_keys=True)
    return cfg


def _package_base_message(path: Path) -> str:
    return (
        f"{path}: a _base_ written as 'package::file' needs an installed package of mmengine configs, and zoo's "
        f"configs are plain files; write the file's path instead, e.g. _base_ = '{CONFIG_DIR / 'durn_us_tiny.py'}'"
    )


def _first_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return (text[:200] + "…" if len(text) > 200 else text) or type(err).__name__


def _check_yaml_top_level(path: Path) -> None:
    """A YAML config must be a mapping of keys (mmengine fails obscurely on a list or a scalar)."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return
    data = yaml.load(path.read_text(), Loader=_SafeYamlLoader)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ValueError(
            f"{path}: the top level of a YAML config must be a mapping of keys (train_cfg: ..., model: ...), but "
            f"this one is {kind}; write it as key: value lines"
        )


def _defaults(cfg: Config) -> dict[str, Any]:
    hooks = dict(
        timer=dict(type="IterTimerHook"),
        logger=dict(type="LoggerHook", interval=10),
        param_scheduler=dict(type="ParamSchedulerHook"),
        checkpoint=dict(
            type="TimedCheckpointHook",
            by_epoch=False,
            interval=1000,
            interval_minutes=10,
            max_keep_ckpts=3,
            save_best="restore/psnr",
            rule="greater",
        ),
        sampler_seed=dict(type="DistSamplerSeedHook"),
        cpu=dict(type="CPUTrainingHook", threads="auto", channels_last="auto"),
    )
    backends = [dict(type="LocalVisBackend")]
    try:
        import tensorboard  # noqa: F401

        backends.append(dict(type="TensorboardVisBackend"))
    except ImportError:
        pass
    return dict(
        default_scope="zoo",
        default_hooks=hooks,
        log_processor=dict(by_epoch=False, window_size=10),
        env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend="nccl" if torch.cuda.is_available() else "gloo")),
        randomness=dict(seed=0),
        visualizer=dict(type="Visualizer", vis_backends=backends),
        val_cfg=dict(type="ValLoop"),
    )


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not value.get("_delete_", False):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


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

    A ``.part`` file left by an interrupted write is deleted when the next run in the same work dir starts.
    Checkpoints hold only tensors and plain containers (see :mod:`zoo.training.safe_checkpoint`), and the run's
    config as a plain dict (``meta["zoo_config"]``), so they load with ``torch.load(weights_only=True)``.
    """

    def call_hook(self, fn_name: str, **kwargs: Any) -> None:
        """Call the hooks; a checkpoint about to be saved is then turned into tensors and plain containers."""
        super().call_hook(fn_name, **kwargs)
        if fn_name == "before_save_checkpoint":
            checkpoint = kwargs["checkpoint"]
            checkpoint["meta"]["zoo_config"] = plain_config(self.cfg.to_dict())
            checkpoint.update(to_plain(checkpoint))

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, *args: Any, **kwargs: Any) -> None:
        """Save to ``filename + '.part'`` and rename, so an interrupted write keeps the previous checkpoint."""
        part = osp.join(out_dir, filename + ".part")
        super().save_checkpoint(out_dir, filename + ".part", *args, **kwargs)
        _fsync(part)
        os.replace(part, osp.join(out_dir, filename))
        _fsync(out_dir, directory=True)

    def train(self) -> torch.nn.Module:
        """Delete partial checkpoints of an interrupted run, then train (resuming when asked)."""
        self._remove_partial_checkpoints()
        return super().train()

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

    config = _merge(_defaults(cfg), cfg.to_dict())
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
    full = Config(config, filename=cfg.filename)
    return ZooRunner.from_cfg(full)
