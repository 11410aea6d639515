"""``zoo.restore``: restore a PIL image, numpy array or tensor of any size with a zoo model; same kind comes back."""

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

from .adaptive import Plan, parse_steps, plan_steps
from .image_io import array_to_pil, from_rgb, pil_to_array, to_rgb
from .loading import LoadedModel, load_model
from .memory import auto_tile
from .precision import DTYPE_CHOICES, Precision, resolve_precision
from .tiling import tiled_forward

__all__ = ["DTYPES", "RANGE_TOLERANCE", "RESTORED", "Restorer", "check_input_values", "restore", "resolve_device"]

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}
RESTORED = "restored"  # key of the final image in the dict of outputs; the other keys are step (factor) names
_LUMA = (0.299, 0.587, 0.114)
RANGE_TOLERANCE = 0.1  # float inputs may overshoot [0, 1] by this much (resampling ringing) and are used as is


def resolve_device(device: str | torch.device) -> torch.device:
    """Parse ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` and check that it exists.

    Raises:
        RuntimeError: CUDA was asked for and is not available.
        ValueError: Another device type.
    """
    dev = torch.device(device)
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device {str(device)!r} is not supported; use 'cpu' or 'cuda'")
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("device 'cuda' requested but CUDA is not available on this machine; use --device cpu")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise RuntimeError(f"device {dev} requested but only {torch.cuda.device_count()} CUDA device(s) exist")
    return dev


def check_input_values(x: torch.Tensor) -> None:
    """Refuse NaN/Inf and values far outside [0, 1] (e.g. 0..255 or -1..1 images passed as floats).

    Up to :data:`RANGE_TOLERANCE` of overshoot (resampling ringing) is accepted and passed to the model as is.

    Raises:
        ValueError: Non-finite values, or values outside [-tolerance, 1 + tolerance].
    """
    if x.numel() == 0:
        raise ValueError(f"the image is empty (shape {tuple(x.shape)}); give at least one image of at least 1x1 pixel")
    finite = torch.isfinite(x)
    if not finite.all():
        bad = int((~finite).any(dim=1).sum())
        raise ValueError(f"the image has {bad} pixel(s) with NaN/Inf values; restore only finite images")
    low, high = float(x.min()), float(x.max())
    if low < -RANGE_TOLERANCE or high > 1.0 + RANGE_TOLERANCE:
        hint = " (it looks like 0..255: divide by 255)" if high > 2.0 else ""
        hint = hint or (" (it looks like -1..1: use (x + 1) / 2)" if low < -0.5 else "")
        raise ValueError(f"float image values must lie in [0, 1]; this one spans [{low:.4g}, {high:.4g}]{hint}")


class Restorer:
    """A loaded model plus inference options; call :meth:`restore_tensor` on float RGB batches.

    Args:
        model: See :func:`zoo.inference.loading.load_model`.
        factor: Run the branch of this degradation factor only (``mbn`` requires one; ``rmbn`` runs its whole
            recurrent chain when None). Models without factor branches take none.
        tile: Tile size for tiled inference (see :mod:`zoo.inference.tiling`), or None for one pass.
        overlap: Overlap between tiles, in pixels.
        device: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        dtype: ``"auto"`` (default: bf16 autocast on CUDA, and on CPUs with fast bf16 for shipped weights whose
            card records that bf16 keeps their scores; fp32 otherwise; see :mod:`zoo.inference.precision`),
            ``"fp32"``, ``"bf16"`` or ``"fp16"``. :attr:`precision` holds the choice and its reason.
        save_steps: Also return the recurrent model's per-step outputs (``rmbn``/``cascade``: after J, H, B, R).
        checkpoint: Weights file for a named model instead of its shipped weights.
        max_memory: Memory budget of one forward pass in GiB (default 8; see :mod:`zoo.inference.memory`). Without
            ``tile``, an image whose estimated need is above it is restored in tiles that fit, with a warning.
        steps: For recurrent MBN models without a factor (:mod:`zoo.inference.adaptive`): ``"auto"`` (default: the
            steps whose factor the detector finds, at part strength where it is unsure; none found, the image comes
            back unchanged), ``"all"`` (the paper's always-on chain) or factor names (``"jpeg,blur"`` or a list).
            :attr:`plans` holds the plan of each image of the last batch.
    """

    def __init__(
        self,
        model: str | dict[str, Any] | nn.Module | None = None,
        factor: str | None = None,
        tile: int | None = None,
        overlap: int = 32,
        device: str | torch.device = "cpu",
        dtype: str = "auto",
        save_steps: bool = False,
        checkpoint: str | Path | None = None,
        max_memory: float | None = None,
        steps: str | Sequence[str] | None = "auto",
    ) -> None:
        if dtype not in DTYPE_CHOICES:
            raise ValueError(f"dtype {dtype!r} is not supported; use one of {', '.join(DTYPE_CHOICES)}")
        if tile is not None and tile < 1:
            raise ValueError(f"tile must be a positive number of pixels, got {tile}")
        self.device = resolve_device(device)
        self.loaded: LoadedModel = load_model(model, checkpoint)
        self.factor = factor
        self.tile = tile
        self.overlap = overlap
        self.precision: Precision = self._resolve_precision(dtype, model, checkpoint)
        self.dtype = self.precision.dtype
        self.save_steps = save_steps
        self.max_memory = max_memory
        self._call_kwargs = self._check_call()
        self.steps = self._check_steps(steps)
        self.plans: list[Plan] = []
        self._check_tiling()
        if self.dtype != "fp32" and self.loaded.info is not None and not self.loaded.info.supports_bf16:
            warnings.warn(f"{self.name} is not expected to give usable outputs in {dtype}; use fp32", stacklevel=2)
        self.loaded.module.to(self.device)
        # oneDNN convolves channels-last (NHWC) tensors without reordering them first: about 12 % faster on CPUs
        self._channels_last = self.device.type == "cpu"
        if self._channels_last:
            self.loaded.module.to(memory_format=torch.channels_last)

    def _resolve_precision(self, dtype: str, model: Any, checkpoint: str | Path | None) -> Precision:
        # only the package's own weights, loaded by name, carry a bf16 check that "auto" may trust
        shipped = self.loaded.name if checkpoint is None and (model is None or isinstance(model, str)) else None
        info = self.loaded.info
        learned = info.learned if info is not None else True
        supports_bf16 = info.supports_bf16 if info is not None else True
        return resolve_precision(dtype, self.device, shipped, learned=learned, supports_bf16=supports_bf16)

    @property
    def name(self) -> str:
        """Name of the model in use (``architecture.tag`` for shipped weights)."""
        return self.loaded.name

    def _check_call(self) -> dict[str, Any]:
        """The forward's keyword arguments, checked against the model's declared contract (its ModelInfo).

        A module the registry does not know is called with what was asked for (``factor``, ``return_steps``).
        """
        info = self.loaded.info
        if info is not None and info.kind != "restorer":
            raise ValueError(
                f"{self.name!r} is a {info.kind}, not a restorer: it returns no image; use zoo.detect / `zoo detect`"
            )
        kwargs: dict[str, Any] = {}
        if self.factor is not None:
            if info is not None and not info.takes_factor:
                raise ValueError(f"model {self.name!r} has no factor branches; drop the factor ({self.factor!r})")
            if info is not None and self.factor not in info.factors:
                raise ValueError(
                    f"unknown factor {self.factor!r} for {self.name!r}; choose one of {', '.join(info.factors)}"
                )
            kwargs["factor"] = self.factor
        elif info is not None and info.needs_factor:
            choices = ", ".join(info.factors)
            raise ValueError(f"model {self.name!r} needs a factor (--factor / factor=): one of {choices}")
        if self.save_steps:
            if info is not None and not info.returns_steps:
                raise ValueError(
                    f"model {self.name!r} has no per-step outputs; save_steps needs a recurrent model (rmbn, cascade)"
                )
            if self.factor is not None:
                raise ValueError("save_steps shows the steps of the whole recurrent chain; do not also pass a factor")
            kwargs["return_steps"] = True
        return kwargs

    def _check_steps(self, steps: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
        """The parsed ``steps`` for a recurrent MBN run as a chain; None when the model runs as it is."""
        recurrent = hasattr(self.loaded.module, "check_steps") and self.factor is None
        spec = parse_steps(steps)
        if not recurrent:
            if spec not in ("auto", "all"):
                raise ValueError(
                    f"steps ({steps!r}) choose the steps of R-MBN's recurrent chain; {self.name!r} has none"
                    + (" when a factor is given" if self.factor is not None else "")
                )
            return None
        if spec not in ("auto", "all"):
            self.loaded.module.check_steps(spec)
        return spec

    def _check_tiling(self) -> None:
        info = self.loaded.info
        if self.tile is None or info is None:
            return
        if info.tiling == "unsupported":
            raise ValueError(f"{self.name!r} does not support tiled inference (ModelInfo.tiling); drop --tile")
        if info.tiling == "discouraged":
            warnings.warn(
                f"{self.name!r} uses whole-image statistics (ModelInfo.tiling='discouraged'): tiles see different "
                "statistics, so the tiled result can differ from the untiled one and show seams; use the largest "
                "tile that fits in memory",
                stacklevel=3,
            )

    @contextlib.contextmanager
    def _precision(self) -> Iterator[None]:
        enabled = self.dtype != "fp32"
        with torch.autocast(device_type=self.device.type, dtype=DTYPES[self.dtype], enabled=enabled):
            yield

    def _run(
        self, x: torch.Tensor, steps: tuple[str, ...] | None = None, strengths: dict[str, float] | None = None
    ) -> dict[str, torch.Tensor]:
        kwargs = self._call_kwargs if steps is None else {**self._call_kwargs, "steps": steps}
        if strengths:
            kwargs = {**kwargs, "strengths": strengths}
        x = x.to(self.device)
        if self._channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.no_grad(), self._precision():
            out = self.loaded.module(x, **kwargs)
        if self.save_steps:
            final, steps = out
            return {RESTORED: final.float(), **{name: step.float() for name, step in steps.items()}}
        return {RESTORED: out.float()}

    def restore_tensor(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Restore a float RGB batch.

        Args:
            x: (B, 3, H, W) float in [0, 1], any H and W, on any device.

        Returns:
            ``{"restored": (B, 3, H, W)}`` float32 in [0, 1] on ``x``'s device, plus one entry per recurrent step
            (keyed by factor, in the order the model ran them) when ``save_steps`` is set.
        """
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected a (B, 3, H, W) batch, got shape {tuple(x.shape)}")
        if not x.is_floating_point():
            raise ValueError(f"expected a float batch with values in [0, 1], got dtype {x.dtype}")
        x = x.float()
        check_input_values(x)
        if self.steps is None:
            outputs = self._forward(x, None)
        else:
            module = self.loaded.module
            self.plans = [plan_steps(x[i : i + 1], module.order, self.steps) for i in range(x.shape[0])]
            if len({plan.key for plan in self.plans}) == 1:
                outputs = self._forward(x, self.plans[0].steps, self.plans[0].strengths)
            else:
                parts = [self._forward(x[i : i + 1], plan.steps, plan.strengths) for i, plan in enumerate(self.plans)]
                outputs = {key: torch.cat([part[key] for part in parts]) for key in parts[0]}
        for key, value in outputs.items():
            if not torch.isfinite(value).all():
                raise RuntimeError(
                    f"{self.name} produced NaN/Inf values in {key!r}"
                    + (f" in {self.dtype}; use dtype='fp32'" if self.dtype != "fp32" else "; the weights may be broken")
                )
        return {key: value.clamp(0.0, 1.0) for key, value in outputs.items()}

    def _forward(
        self, x: torch.Tensor, steps: tuple[str, ...] | None, strengths: dict[str, float] | None = None
    ) -> dict[str, torch.Tensor]:
        """The model's outputs for a batch that shares its steps, tiled when asked or when memory needs it."""
        if steps == ():
            return {RESTORED: x.clamp(0.0, 1.0)}  # nothing to remove: the image as it came
        run = partial(self._run, steps=steps, strengths=strengths)
        tile = self.tile if self.tile is not None else self._memory_tile(x)
        if tile is None:  # one pass: the model pads to its own size multiple and crops back, so this is model(x)
            return {key: value.to(x.device) for key, value in run(x).items()}
        return tiled_forward(run, x, tile, self.overlap, self.loaded.size_multiple)

    def _memory_tile(self, x: torch.Tensor) -> int | None:
        """A tile size when a whole-image forward pass would exceed the memory budget (see ``zoo.inference.memory``)."""
        info = self.loaded.info
        return auto_tile(
            self.loaded.module,
            self._call_kwargs,
            x,
            name=self.name,
            multiple=self.loaded.size_multiple,
            overlap=self.overlap,
            device=self.device,
            max_memory=self.max_memory,
            tiling=info.tiling if info is not None else "supported",
        )

    def restore_array(self, array: np.ndarray) -> dict[str, np.ndarray]:
        """Restore an (H, W[, C]) uint8/uint16/float array; every output has the input's shape and dtype."""
        rgb, alpha, layout = to_rgb(array)
        x = torch.from_numpy(rgb).permute(2, 0, 1)[None]
        outputs = self.restore_tensor(x)
        return {key: from_rgb(value[0].permute(1, 2, 0).numpy(), alpha, layout) for key, value in outputs.items()}


# --- tensors of any channel layout -------------------------------------------------------------------------------


def _restore_any_tensor(restorer: Restorer, image: torch.Tensor) -> dict[str, torch.Tensor]:
    if image.ndim not in (3, 4) or image.shape[-3] not in (1, 3, 4):
        raise ValueError(
            f"image tensor has shape {tuple(image.shape)}; expected (C, H, W) or (B, C, H, W) with C = 1, 3 or 4"
        )
    if image.dtype not in (torch.uint8, torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise ValueError(f"image tensor has dtype {image.dtype}; expected uint8 or float (values in [0, 1])")
    batch = image[None] if image.ndim == 3 else image
    scale = 255.0 if image.dtype == torch.uint8 else 1.0
    values = batch.detach().to("cpu", torch.float32) / scale
    channels = values.shape[1]
    alpha = values[:, 3:] if channels == 4 else None
    rgb = values[:, :3] if channels >= 3 else values.expand(-1, 3, -1, -1)
    outputs = restorer.restore_tensor(rgb)
    luma = torch.tensor(_LUMA).view(1, 3, 1, 1)
    result = {}
    for key, value in outputs.items():
        if channels == 1:
            value = (value * luma).sum(1, keepdim=True)
        elif alpha is not None:
            value = torch.cat([value, alpha], 1)
        value = value * scale
        if image.dtype == torch.uint8:
            value = value.round().clamp(0, 255)
        value = value.to(image.device, image.dtype)
        result[key] = value[0] if image.ndim == 3 else value
    return result


def restore(
    image: Image.Image | np.ndarray | torch.Tensor,
    model: str | dict[str, Any] | nn.Module | None = None,
    factor: str | None = None,
    tile: int | None = None,
    overlap: int = 32,
    device: str | torch.device = "cpu",
    dtype: str = "auto",
    save_steps: bool = False,
    checkpoint: str | Path | None = None,
    max_memory: float | None = None,
    steps: str | Sequence[str] | None = "auto",
) -> Any:
    """Restore an image of unknown degradation and return it as the same kind of object.

    Args:
        image: A PIL image (any mode; palette images come back RGB/RGBA, bilevel as L), a numpy array (H, W),
            (H, W, 1|2|3|4) of uint8, uint16 or float in [0, 1], or a tensor (C, H, W) / (B, C, H, W) with C in
            {1, 3, 4}, uint8 or float in [0, 1]. Gray is restored as RGB and converted back (ITU-R 601 luma); alpha
            is kept as is. Any height and width.
        model: None (the default R-MBN weights), a name (``"identity"``), a tag (``"rmbn.synth4"``), a config
            dict, or an ``nn.Module`` (put in eval mode and moved to ``device``). Named models are cached.
        factor: Degradation factor branch to run (required by ``mbn``; optional for ``rmbn``).
        tile: Tile size in pixels for large images (None: one pass). See :mod:`zoo.inference.tiling` for which
            models tile seamlessly.
        overlap: Overlap between tiles in pixels.
        device: ``"cpu"`` or ``"cuda"``.
        dtype: ``"auto"`` (bf16 where it is fast and the weights' card says it keeps their scores, else fp32; see
            :mod:`zoo.inference.precision`), ``"fp32"``, ``"bf16"`` or ``"fp16"``.
        save_steps: Also return the per-step images of a recurrent model (``rmbn``: after J, H, B, R).
        checkpoint: Weights file to load into a named model instead of its shipped weights.
        max_memory: Memory budget of one forward pass in GiB (default 8): larger images are tiled automatically.
        steps: R-MBN's steps without a factor: ``"auto"`` (the detector chooses, and weakens steps it is unsure
            of; a clean image comes back unchanged), ``"all"`` (the paper's chain) or factor names (``"jpeg,blur"``).

    Returns:
        The restored image, same kind, shape and dtype as ``image``, values clamped to [0, 1] (or 0..255 / 0..65535).
        With ``save_steps``: ``(restored, steps)`` where ``steps`` maps each factor to its step image, in run order.

    Raises:
        zoo.inference.loading.NoShippedWeightsError: ``model`` is None and no R-MBN weights ship yet.
    """
    restorer = Restorer(model, factor, tile, overlap, device, dtype, save_steps, checkpoint, max_memory, steps)
    if isinstance(image, Image.Image):
        array, mode = pil_to_array(image)
        outputs = {key: array_to_pil(value, mode) for key, value in restorer.restore_array(array).items()}
    elif isinstance(image, np.ndarray):
        outputs = restorer.restore_array(image)
    elif isinstance(image, torch.Tensor):
        outputs = _restore_any_tensor(restorer, image)
    else:
        raise TypeError(f"image must be a PIL image, numpy array or torch tensor, not {type(image).__name__}")
    restored = outputs.pop(RESTORED)
    return (restored, outputs) if save_steps else restored
