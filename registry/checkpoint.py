"""Loading and saving weights safely: safetensors with sha256 checks, ``weights_only`` pickles for foreign files."""

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch

from .config_data import ConfigCodeError, check_stored_config

__all__ = [
    "ChecksumError",
    "load_state_dict",
    "load_torch_file",
    "read_release_metadata",
    "save_release_weights",
    "sha256_file",
    "weights_only_reason",
]


class ChecksumError(RuntimeError):
    """A weights file does not have the sha256 its metadata promises."""


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _unwrap(obj: Any, path: Path) -> dict[str, torch.Tensor]:
    """Return the tensor dict inside common checkpoint wrappers (``state_dict``, ``model``, ``params``)."""
    if isinstance(obj, dict):
        for key in ("state_dict", "model", "params", "params_ema"):
            if key in obj and isinstance(obj[key], dict):
                return _unwrap(obj[key], path)
        if all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj
    raise ValueError(f"{path}: not a state dict (expected a mapping of parameter names to tensors)")


def load_state_dict(path: str | Path, expected_sha256: str | None = None) -> dict[str, torch.Tensor]:
    """Load weights on the CPU without executing code from the file.

    ``.safetensors`` files are read with safetensors; anything else with ``torch.load(weights_only=True)``, which
    refuses pickled code. When ``expected_sha256`` is given, the file is hashed first and a mismatch raises.

    Args:
        path: Weights file.
        expected_sha256: Hex digest the file must have, or None to skip the check.

    Returns:
        A flat ``name -> tensor`` dict.

    Raises:
        FileNotFoundError: The file does not exist.
        ChecksumError: The digest differs from ``expected_sha256``.
        ValueError: The file holds no state dict.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"weights file not found: {path}")
    if expected_sha256 is not None:
        actual = sha256_file(path)
        if actual != expected_sha256:
            raise ChecksumError(
                f"{path}: sha256 {actual} does not match the expected {expected_sha256}; the file is corrupted or "
                "was replaced. Reinstall the package (or re-export the weights) instead of using it."
            )
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            return load_file(str(path), device="cpu")
        except Exception as err:  # safetensors raises its own SafetensorError (and OSError) for broken files
            raise ValueError(f"{path}: {_broken_safetensors(err)}") from None
    return _unwrap(load_torch_file(path), path)


def _broken_safetensors(err: Exception) -> str:
    detail = " ".join(str(err).split()) or type(err).__name__
    return f"not a readable safetensors file ({detail}); it is truncated or corrupt: export or copy it again"


def load_torch_file(path: str | Path, map_location: Any = "cpu") -> Any:
    """``torch.load(weights_only=True)`` of a file, refusing pickled code and config text that is code.

    Only tensors, numbers, strings and plain containers unpickle; a config stored in the file (``meta.cfg``) must be
    plain data (see :mod:`zoo.registry.config_data`), since other tools would execute it.

    Raises:
        FileNotFoundError: No such file.
        ValueError: One line naming the file and why it was refused.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: checkpoint does not exist")
    try:
        obj = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # unpickling errors come in many types
        raise ValueError(
            f"{path}: cannot be read as a weights-only torch checkpoint ({weights_only_reason(err)})"
        ) from None
    try:
        check_stored_config(obj, str(path))
    except ConfigCodeError as err:
        raise ValueError(
            f"{err}; refused. Save the tensors alone (torch.save(checkpoint['state_dict'], path)) or as safetensors"
        ) from None
    return obj


def read_release_metadata(path: str | Path) -> dict[str, Any]:
    """The zoo metadata of a release ``.safetensors`` file (architecture, training, ...); ``{}`` for other files.

    Reads only the file's header, so it is cheap and runs no code from the file.
    """
    path = Path(path)
    if path.suffix != ".safetensors" or not path.is_file():
        return {}
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            text = (handle.metadata() or {}).get("zoo")
        return json.loads(text) if text else {}
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: the zoo metadata in its header is not valid JSON ({err.msg})") from None
    except Exception as err:  # SafetensorError for truncated or corrupt files
        raise ValueError(f"{path}: {_broken_safetensors(err)}") from None


def weights_only_reason(err: Exception) -> str:
    """One line saying why ``torch.load(weights_only=True)`` refused a file (torch's own message spans many lines)."""
    text = str(err)
    marker = "WeightsUnpickler error:"
    if marker in text:
        detail = " ".join(text.split(marker, 1)[1].split("Check the documentation", 1)[0].split())
        detail = detail.split(" was not an allowed global")[0]
        return f"refused: it holds Python objects, not only tensors ({detail or 'unsupported pickle content'})"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def save_release_weights(state_dict: dict[str, torch.Tensor], path: str | Path, metadata: dict[str, Any]) -> str:
    """Write release weights as safetensors (contiguous CPU tensors) and return their sha256.

    The file is written to a temporary name and renamed, so an interrupted write never leaves a half file. Its
    permissions follow the umask, like any file the user creates (safetensors itself creates files as 0600).

    Args:
        state_dict: Tensors to save.
        path: Destination ``.safetensors`` file.
        metadata: JSON-serialisable metadata, stored in the safetensors header under ``"zoo"``.
    """
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
    tmp = path.with_name(path.name + ".tmp")
    save_file(tensors, str(tmp), metadata={"zoo": json.dumps(metadata, sort_keys=True)})
    os.chmod(tmp, 0o666 & ~current_umask())
    tmp.replace(path)
    return sha256_file(path)


def current_umask() -> int:
    """The process's umask (read from ``/proc`` where possible, since setting it to read it is not thread-safe)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
