"""Training configs: the shipped ones by name, user files, the ``zoo::`` package scope, small runs, runtime defaults.

- ``load_config("mbn_stage1")`` reads ``zoo/configs/mbn_stage1.py``; ``load_config("mbn_stage1_tiny")`` is that config
  with the small-run overlay (``zoo/configs/_small_run.py``) on top; ``load_config("my.py")`` reads a user file.
- A user config builds on a shipped one the mmengine way, with the package scope: ``_base_ = "zoo::mbn_stage1.py"``
  (also ``"zoo::configs/mbn_stage1.py"``), small runs included (``"zoo::mbn_stage1_tiny.py"``).
- A config's ``custom_imports`` may name modules that sit next to the config file: its folder is put on the import
  path, so ``zoo train my_config.py`` needs no ``PYTHONPATH``. The folder is recorded in the run's checkpoints, and
  ``zoo export-weights`` imports the same modules from there (:func:`import_custom_modules`).
- :func:`with_runtime_defaults` puts a config on top of ``zoo/configs/_runtime.py`` (hooks, logging, seed).

``.py`` configs are Python code and are executed; only use configs you trust. YAML configs are parsed safely.
"""

import contextlib
import importlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from mmengine.config import Config
from mmengine.fileio.handlers import YamlHandler
from mmengine.fileio.io import file_handlers

__all__ = [
    "CONFIG_DIR",
    "SCOPE",
    "import_custom_modules",
    "list_configs",
    "load_config",
    "shipped_config",
    "with_runtime_defaults",
]

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
SCOPE = "zoo"
SMALL_RUN = "_tiny"  # NAME + this suffix: the config NAME with the small-run overlay


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


def _small_runs() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The small-run overlay's common settings and its per-config table."""
    overlay = Config.fromfile(str(CONFIG_DIR / "_small_run.py")).to_dict()
    table = overlay.pop("small_runs")
    return {key: value for key, value in overlay.items() if not key.startswith("_")}, table


def list_configs() -> list[str]:
    """Names of the training configs shipped in the package, small runs (``*_tiny``) included."""
    files = {p.stem for p in CONFIG_DIR.glob("*.py") if not p.stem.startswith("_")}
    return sorted(files | {name + SMALL_RUN for name in _small_runs()[1]})


def shipped_config(name: str) -> Config:
    """A shipped config by name (``mbn_stage1``, ``mbn_stage1_tiny``), as ``zoo train NAME`` reads it.

    Raises:
        FileNotFoundError: No shipped config has that name; the message lists them.
    """
    path = CONFIG_DIR / f"{name}.py"
    if path.is_file() and not name.startswith("_"):
        with _safe_yaml():
            return Config.fromfile(str(path))
    common, table = _small_runs()
    base = name.removesuffix(SMALL_RUN)
    if name.endswith(SMALL_RUN) and base in table:
        cfg = shipped_config(base)
        cfg.merge_from_dict(common)
        cfg.merge_from_dict(table[base])
        text = f"# {base} with the small-run overlay (zoo/configs/_small_run.py)\n"
        return Config(cfg.to_dict(), cfg_text=text, filename=str(CONFIG_DIR / f"{name}.py"))
    raise FileNotFoundError(f"unknown config {name!r}; shipped configs: {', '.join(list_configs())}")


@contextlib.contextmanager
def _package_scope() -> Iterator[None]:
    """Resolve ``_base_ = "zoo::NAME.py"`` (or ``"zoo::configs/NAME.py"``) to the shipped config NAME while inside.

    mmengine looks for an installed OpenMMLab package's configs under ``.mim/configs``; the zoo's live in
    ``zoo/configs`` and its small runs are composed, so the scope is resolved here. A small run is written to a
    temporary file for mmengine to read. Other packages' scopes go to mmengine unchanged.
    """
    original = Config._get_cfg_path
    with tempfile.TemporaryDirectory(prefix="zoo_configs_") as folder:

        def resolve(cfg_path: str, filename: str) -> tuple[str, str | None]:
            scope, sep, rest = cfg_path.partition("::")
            if not sep:
                return original(cfg_path, filename)
            if scope != SCOPE:
                try:
                    return original(cfg_path, filename)
                except Exception as err:  # not installed, or not an OpenMMLab package mmengine knows
                    raise ValueError(_package_base_message(Path(filename))) from err
            name = rest.removeprefix("configs/").removesuffix(".py")
            path = CONFIG_DIR / f"{name}.py"
            if not path.is_file() or name.startswith("_"):
                path = Path(folder) / f"{name}.py"
                shipped_config(name).dump(str(path))
            return str(path), None

        Config._get_cfg_path = staticmethod(resolve)
        try:
            yield
        finally:
            Config._get_cfg_path = staticmethod(original)


@contextlib.contextmanager
def _importable_from(folder: Path) -> Iterator[None]:
    """Put ``folder`` first on the import path while inside (and keep it there if a module was imported from it)."""
    entry = str(folder)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    except BaseException:
        if added:
            sys.path.remove(entry)
        raise


def load_config(name_or_path: str, cfg_options: dict[str, Any] | None = None) -> Config:
    """Read a shipped config by name (``mbn_stage1``, ``mbn_stage1_tiny``) or a ``.py``/``.yaml`` file, then overrides.

    A file's folder is put on the import path, so its ``custom_imports`` may name modules next to it. ``.py``
    configs are Python code and are executed; only use configs you trust. YAML configs are parsed safely.

    Raises:
        FileNotFoundError: No such shipped config or file.
        ValueError: The config cannot be read (the message names the file and the fix).
    """
    path = Path(name_or_path)
    if not path.suffix:
        cfg = shipped_config(name_or_path)
    elif not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    else:
        cfg = _read_file(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options, allow_list_keys=True)
    return cfg


def _read_file(path: Path) -> Config:
    with _safe_yaml(), _package_scope(), _importable_from(path.resolve().parent):
        try:
            _check_yaml_top_level(path)
            return Config.fromfile(str(path))
        except FileNotFoundError as err:
            if "unknown config" in str(err):
                raise FileNotFoundError(f"{path}: _base_ names a zoo:: config that does not ship: {err}") from None
            raise
        except ValueError as err:  # mmengine refuses other packages' "pkg::file" _base_ paths
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
                "install it, put it next to the config, or fix or remove the name in custom_imports"
            ) from None
        except AssertionError as err:
            if "::" in path.read_text(errors="replace"):
                raise ValueError(_package_base_message(path)) from None
            raise ValueError(
                f"{path}: mmengine refused the config ({_first_line(err)}); check its _base_ and keys"
            ) from None


def _package_base_message(path: Path) -> str:
    return (
        f"{path}: a _base_ written as 'package::file' works for the zoo's own configs ('{SCOPE}::mbn_stage1.py') and "
        f"for installed OpenMMLab packages; write the zoo:: name or the file's path instead"
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


def with_runtime_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` on top of ``zoo/configs/_runtime.py`` (mmengine's merge: dicts key by key, lists replaced)."""
    runtime = Config.fromfile(str(CONFIG_DIR / "_runtime.py")).to_dict()
    try:
        import torch

        if torch.cuda.is_available():
            runtime["env_cfg"]["dist_cfg"]["backend"] = "nccl"
        import tensorboard  # noqa: F401

        runtime["visualizer"]["vis_backends"].append(dict(type="TensorboardVisBackend"))
    except ImportError:
        pass
    merged = Config(runtime)
    merged.merge_from_dict(config)
    return merged.to_dict()


def import_custom_modules(config: dict[str, Any], folder: str | None, where: str) -> None:
    """Import the modules a run's config names in ``custom_imports``, from ``folder`` (the config's) when needed.

    Raises:
        ValueError: A module is not importable; the message names it and says where it was found at training time.
    """
    imports = (config.get("custom_imports") or {}).get("imports") or []
    for module in [imports] if isinstance(imports, str) else imports:
        try:
            if folder and Path(folder).is_dir():
                with _importable_from(Path(folder)):
                    importlib.import_module(module)
            else:
                importlib.import_module(module)
        except ImportError as err:
            place = f" (the training config was in {folder})" if folder else ""
            raise ValueError(
                f"{where}: the run registered parts from {module!r} (custom_imports), which cannot be imported here "
                f"({_first_line(err)}); install it, or put {module.replace('.', '/')}.py back in the config's "
                f"folder{place}"
            ) from None
