"""Loading and saving weights safely: safetensors with sha256 checks, ``weights_only`` pickles for foreign files."""

import hashlib
import json
from pathlib import Path
from typing import Any

import torch

__all__ = [
    "ChecksumError",
    "load_state_dict",
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

        return load_file(str(path), device="cpu")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # unpickling errors come in many types
        raise ValueError(
            f"{path}: cannot be read as a weights-only torch checkpoint ({weights_only_reason(err)})"
        ) from err
    return _unwrap(obj, path)


def read_release_metadata(path: str | Path) -> dict[str, Any]:
    """The zoo metadata of a release ``.safetensors`` file (architecture, training, ...); ``{}`` for other files.

    Reads only the file's header, so it is cheap and runs no code from the file.
    """
    path = Path(path)
    if path.suffix != ".safetensors" or not path.is_file():
        return {}
    from safetensors import safe_open

    with safe_open(str(path), framework="pt", device="cpu") as handle:
        text = (handle.metadata() or {}).get("zoo")
    return json.loads(text) if text else {}


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

    The file is written to a temporary name and renamed, so an interrupted write never leaves a half file.

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
    tmp.replace(path)
    return sha256_file(path)
