"""The authors' R-MBN, loaded from a checkout of their repository that the user supplies, for side-by-side timing.

Nothing of the authors' code is in this project: :func:`load_reference_network` imports ``pietorch/M_DuRN.py`` (and
the two modules it needs) from the folder given by ``--reference PATH`` or the ``ZOO_REFERENCE_CODE`` environment
variable, a checkout of https://github.com/6272code/6272-code (the same repository ``zoo convert-reference`` reads
checkpoints from).

Two things are adapted at run time, the network source is not changed:

- ``pietorch/__init__.py`` is not executed (it imports the test scripts' plotting and dataset helpers); the package is
  set up with its folder as the search path, and ``visdom`` (imported by ``pietorch/utils.py`` for live plots, never
  used by the network) is replaced by an empty module when it is not installed.
- The rain branch allocates its ConvLSTM state with ``.cuda()``; :class:`ReferenceRMBN` runs the network with
  ``Tensor.cuda`` returning the tensor itself, so the state stays on the CPU with the input.

:class:`ReferenceRMBN` is the reference R-MBN pass of the authors' ``test_RMBN.py``: J -> H -> B -> R, each step's
full-resolution output clamped to [0, 1] and a bicubic pyramid (1/2, 1/4) rebuilt from it for the next step.
"""

import contextlib
import importlib
import importlib.util
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["ENV_VAR", "ORDER", "ReferenceRMBN", "find_checkout", "load_reference_network"]

ENV_VAR = "ZOO_REFERENCE_CODE"
ORDER = ("jpeg", "haze", "blur", "rain")


def find_checkout(path: str | Path | None = None) -> Path | None:
    """The checkout to use: ``path``, else ``$ZOO_REFERENCE_CODE``, else None.

    Raises:
        FileNotFoundError: A path was given but holds no ``pietorch/M_DuRN.py``.
    """
    given = path if path is not None else os.environ.get(ENV_VAR)
    if not given:
        return None
    root = Path(given).expanduser()
    if not (root / "pietorch" / "M_DuRN.py").is_file():
        raise FileNotFoundError(
            f"{root} is not a checkout of the authors' code (no pietorch/M_DuRN.py); clone "
            "https://github.com/6272code/6272-code and pass its folder"
        )
    return root


def load_reference_network(checkout: str | Path, rain_iters: int = 4) -> nn.Module:
    """The authors' ``EnDNet`` (MBN = R-MBN network) with its default random initialisation, in eval mode.

    Args:
        checkout: Folder of a checkout of the authors' repository.
        rain_iters: Iterations of the rain branch (4 in the released network).
    """
    root = Path(checkout)
    if "pietorch" not in sys.modules:
        package = types.ModuleType("pietorch")
        package.__path__ = [str(root / "pietorch")]
        sys.modules["pietorch"] = package
    if importlib.util.find_spec("visdom") is None and "visdom" not in sys.modules:
        stub = types.ModuleType("visdom")
        stub.Visdom = object
        sys.modules["visdom"] = stub
    endnet = importlib.import_module("pietorch.M_DuRN").EnDNet
    return endnet(img_dim=3, rain_iter=rain_iters).eval()


@contextlib.contextmanager
def _cuda_is_identity() -> Iterator[None]:
    saved = torch.Tensor.cuda
    torch.Tensor.cuda = lambda self, *args, **kwargs: self  # the ConvLSTM state stays where the input is
    try:
        yield
    finally:
        torch.Tensor.cuda = saved


def _pyramid(fine: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    mid = F.interpolate(fine, scale_factor=0.5, mode="bicubic")
    return F.interpolate(mid, scale_factor=0.5, mode="bicubic"), mid, fine


class ReferenceRMBN(nn.Module):
    """The authors' R-MBN pass around their network: ``forward(x)`` runs J -> H -> B -> R on (B, 3, H, W) in [0, 1].

    H and W must be multiples of 16 (as the authors' test scripts crop them).
    """

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The restored image, clamped to [0, 1]."""
        coarse, mid, fine = _pyramid(x)
        with _cuda_is_identity():
            for factor in ORDER:
                out = self.network(coarse, mid, fine, factor)
                out = out[-1] if isinstance(out, tuple) else out
                coarse, mid, fine = _pyramid(out.clamp(0, 1))
        return fine
