"""What every DuRN model shares: the base class that pads and crops, the width knob, the citation, conv builders."""

from typing import Any, ClassVar

import torch
from torch import nn

from zoo import layers
from zoo.layers import build_norm, pad_to_multiple, same_conv
from zoo.registry import ModelInfo, register_model
from zoo.registry.arguments import check_width

__all__ = ["DURN_PAPER", "DuRN", "conv_norm_relu", "register_durn", "scaled_width"]

DURN_PAPER = "Liu, Suganuma, Sun, Okatani, CVPR 2019 (DuRN)"
# Below this width every DuRN layer (at most 256 channels at width 1) is at the 4-channel floor of scaled_width.
MIN_DURN_WIDTH = 1 / 256


def register_durn(name: str, task: str, factors: tuple[str, ...], description: str, notes: str, **info: Any) -> Any:
    """``register_model`` for a DuRN network: the DuRN paper, the task and factors, a description and notes.

    ``info`` holds further :class:`~zoo.registry.ModelInfo` fields (``tiling``).
    """
    info = dict(task=task, paper=DURN_PAPER, factors=factors, description=description, notes=notes, **info)
    return register_model(name, ModelInfo(**info))


def scaled_width(channels: int, width: float) -> int:
    """``channels * width`` rounded to a multiple of 4 (:func:`zoo.layers.scaled_width`), after checking the width.

    Multiples of 4 keep the pixel shuffles and SE widths valid.

    Args:
        channels: Width of the paper-size network.
        width: Channel multiplier; 1.0 gives ``channels`` unchanged.
    """
    check_width(width, "DuRN", minimum=MIN_DURN_WIDTH)
    return layers.scaled_width(channels, width, multiple=4)


def conv_norm_relu(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    stride: int = 1,
    padding: str = "reflect",
    norm: str | None = None,
    relu: bool = True,
    reference_compat: bool = False,
) -> nn.Sequential:
    """``conv -> norm -> ReLU`` with DuRN padding rules; norm None and ``relu=False`` drop those parts."""
    layers = [same_conv(in_channels, out_channels, kernel_size, stride, padding=padding)]
    if norm is not None:
        layers.append(build_norm(norm, out_channels, reference_compat))
    if relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class DuRN(nn.Module):
    """Base of the DuRN models: checks the input, pads it to :meth:`size_multiple` / :meth:`min_size`, crops back.

    Subclasses implement :meth:`restore` on padded images, set ``downsampling`` (how many times the network halves
    the image, as a factor: the size multiple) and ``self.min_padded`` (the smallest padded size at which every
    reflection padding inside the network is valid).

    Args:
        in_channels: Channels the network was built for (1 grey, 3 RGB). A grey network also accepts RGB images and
            restores each colour channel as a separate grey image.
    """

    downsampling: ClassVar[int] = 1

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        if in_channels not in (1, 3):
            raise ValueError(f"in_channels must be 1 (grey) or 3 (RGB), got {in_channels}")
        self.in_channels = in_channels
        self.min_padded = 1

    def size_multiple(self, factor: str | None = None) -> int:
        """Multiple of H and W the network works at (the forward pads to it and crops back); one for every factor."""
        return self.downsampling

    def min_size(self, factor: str | None = None) -> int:
        """Smallest H and W the network works at (the forward pads smaller images); one for every factor."""
        return self.min_padded

    def restore(self, x: torch.Tensor) -> torch.Tensor:
        """Restore an image whose size fits the network (B, in_channels, H, W)."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Restore ``x``, float in [0, 1], shape (B, C, H, W) with C = ``in_channels`` (or 3 for a grey network).

        Returns:
            The same shape; raw output ``x +- tanh(.)``, which may leave [0, 1] slightly (clamp for display).
        """
        if x.dim() != 4:
            raise ValueError(f"expected an image batch (B, C, H, W), got shape {tuple(x.shape)}")
        batch, channels, height, width = x.shape
        if channels != self.in_channels:
            if self.in_channels == 1 and channels == 3:
                out = self.forward(x.reshape(batch * 3, 1, height, width))
                return out.reshape(batch, 3, height, width)
            expected = "1 (grey) or 3 (restored per channel)" if self.in_channels == 1 else "3 (RGB)"
            raise ValueError(f"image has {channels} channels; expected {expected}")
        out = self.restore(pad_to_multiple(x, self.size_multiple(), self.min_size()))
        return out[..., :height, :width]
