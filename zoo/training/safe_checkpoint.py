"""Training checkpoints that load with ``torch.load(weights_only=True)``: tensors and plain containers only.

mmengine's checkpoints pickle Python objects besides the tensors: the message hub's ``HistoryBuffer`` logs, numpy
arrays and numpy scalars. Loading them needs full unpickling, which runs whatever code a file carries. So the zoo's
runner writes those objects as plain data (:func:`to_plain`, a dict tagged with ``__zoo__`` holding tensors and
numbers) and turns them back when it loads a checkpoint (:func:`from_plain`), and every checkpoint is read with
``weights_only=True``. The round trip is exact (float64 and int64 tensors), so ``--resume`` stays bit-identical.

The run's config is stored as a plain dict (``meta["zoo_config"]``); the Python text mmengine stores beside it
(``meta["cfg"]``) is only ever parsed as data (:mod:`zoo.registry.config_data`), never executed.
"""

from pathlib import Path
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from zoo.registry.checkpoint import load_torch_file
from zoo.registry.config_data import parse_config_text, plain_config

__all__ = ["checkpoint_config", "from_plain", "load_training_checkpoint", "save_training_checkpoint", "to_plain"]

_TAG = "__zoo__"


def to_plain(value: Any) -> Any:
    """A copy of checkpoint content in which history buffers and numpy values are tagged dicts of tensors/numbers."""
    if isinstance(value, HistoryBuffer):
        return {
            _TAG: "history_buffer",
            "max_length": int(value.max_length),
            "log": torch.from_numpy(np.array(value._log_history)),
            "count": torch.from_numpy(np.array(value._count_history)),
        }
    if isinstance(value, np.ndarray):
        return {_TAG: "ndarray", "data": torch.from_numpy(np.array(value))}
    if isinstance(value, np.generic):
        return {_TAG: "numpy_scalar", "dtype": value.dtype.str, "value": value.item()}
    if isinstance(value, dict):
        converted = {key: to_plain(item) for key, item in value.items()}
        return type(value)(converted) if type(value) is not dict and _rebuildable(value) else converted
    if isinstance(value, (list, tuple)):
        items = [to_plain(item) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    return value


def _rebuildable(value: dict) -> bool:
    """OrderedDict and Counter unpickle with weights_only; other dict subclasses are stored as plain dicts."""
    import collections

    return type(value) in (collections.OrderedDict, collections.Counter)


def from_plain(value: Any) -> Any:
    """Inverse of :func:`to_plain`."""
    if isinstance(value, dict):
        kind = value.get(_TAG)
        if kind == "history_buffer":
            buffer = HistoryBuffer(max_length=value["max_length"])
            buffer._log_history = value["log"].numpy().copy()
            buffer._count_history = value["count"].numpy().copy()
            return buffer
        if kind == "ndarray":
            return value["data"].numpy().copy()
        if kind == "numpy_scalar":
            return np.dtype(value["dtype"]).type(value["value"])
        converted = {key: from_plain(item) for key, item in value.items()}
        return type(value)(converted) if type(value) is not dict else converted
    if isinstance(value, list):
        return [from_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(from_plain(item) for item in value)
    return value


def save_training_checkpoint(checkpoint: dict[str, Any], path: str | Path) -> None:
    """Write a training checkpoint that :func:`load_training_checkpoint` reads back (its folder made as needed)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save(to_plain(checkpoint), path)


def load_training_checkpoint(path: str | Path, map_location: Any = "cpu") -> dict[str, Any]:
    """Read a training checkpoint with ``weights_only=True`` and rebuild its message-hub objects.

    The Python config text mmengine would execute on resume (``meta["config"]``) is dropped; ``meta["cfg"]`` stays
    as text (it was checked to be plain data).

    Raises:
        ValueError: One line naming the file and why it cannot be loaded safely.
    """
    obj = load_torch_file(path, map_location=map_location)
    if not isinstance(obj, dict):
        raise ValueError(
            f"{path}: not a training checkpoint (it holds a {type(obj).__name__}, not a dict with 'state_dict'); "
            "give a checkpoint written by `zoo train` (work_dirs/<config>/iter_N.pth)"
        )
    checkpoint = from_plain(obj)
    meta = checkpoint.get("meta")
    if isinstance(meta, dict):
        meta.pop("config", None)
    return checkpoint


def checkpoint_config(checkpoint: dict[str, Any], where: str) -> dict[str, Any]:
    """The run's config stored in a training checkpoint, as a plain dict (never by executing anything).

    Uses ``meta["zoo_config"]`` (written by the zoo's runner) and otherwise parses ``meta["cfg"]`` as data.

    Raises:
        ValueError: The checkpoint stores no config, or its config text holds code.
    """
    meta = checkpoint.get("meta")
    if not isinstance(meta, dict):
        raise ValueError(f"{where}: the checkpoint has no 'meta' with the run's config; give a `zoo train` checkpoint")
    stored = meta.get("zoo_config")
    if isinstance(stored, dict):
        return plain_config(stored)
    text = meta.get("cfg")
    if not isinstance(text, str):
        raise ValueError(f"{where}: the checkpoint stores no config (meta.cfg); give a `zoo train` checkpoint")
    return parse_config_text(text, where)
