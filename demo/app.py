"""The Gradio app: one input, up to four models side by side, metrics, R-MBN's steps and each model's card.

``build_app()`` returns the Blocks (queue configured); ``launch()`` serves it with the demo's limits. Browser tests
find components by their ``elem_id`` (``input-image``, ``models``, ``run``, ``metrics``, ``slider-1`` ...).
"""

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr
import numpy as np

from zoo.data.degradations import FACTORS
from zoo.data.metrics import PROTOCOLS
from zoo.data.metrics.protocols import protocol_description, protocol_label
from zoo.inference import NoShippedWeightsError
from zoo.registry import UnknownModelError

from . import cache_writes
from .card import model_card
from .catalog import ModelEntry, default_catalog, default_selection
from .compare import STEP_LETTERS, RestorerCache, run_model, score
from .components import upload_image
from .inputs import DEGRADE_MODES, DemoInputError, load_demo_sample, prepare_input, read_upload, sample_choices

__all__ = ["MAX_MODELS", "METRIC_HEADERS", "build_app", "launch"]

MAX_MODELS = 4
METRIC_HEADERS = ["Model", "PSNR (dB)", "SSIM", "Time (s)"]
_LOG = logging.getLogger("zoo.demo")
_USER_ERRORS = (DemoInputError, NoShippedWeightsError, UnknownModelError, ValueError, KeyError, FileNotFoundError)


def _user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into a ``gr.Error`` message; unexpected ones are logged with their traceback, not shown."""

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        try:
            return func(*args)
        except gr.Error:
            raise
        except _USER_ERRORS as err:
            message = err.args[0] if err.args else str(err)
            raise gr.Error(str(message), print_exception=False) from None
        except Exception as err:
            _LOG.exception("demo request failed")
            raise gr.Error(
                f"Internal error ({type(err).__name__}); the details are in the server log.", print_exception=False
            ) from None

    return wrapper


def _fmt(value: float | None, digits: int) -> str:
    if value is None:
        return "–"
    return "inf" if np.isinf(value) else f"{value:.{digits}f}"


class _Demo:
    """The app's state: the catalogue, the loaded models and the limits."""

    def __init__(self, catalog: Sequence[ModelEntry], max_megapixels: float, device: str = "cpu") -> None:
        self.entries = {entry.key: entry for entry in catalog}
        self.cache = RestorerCache(device)
        self.max_megapixels = max_megapixels

    def load_sample(self, value: str | None) -> tuple[Any, Any, Any, Any]:
        if not value:
            return gr.update(), gr.update(), gr.update(), gr.update()
        image, reference, mode, factors = load_demo_sample(value)
        return image, reference, mode, factors or gr.update()

    def compare(
        self,
        image: str | np.ndarray | None,
        reference: str | np.ndarray | None,
        mode: str,
        factors: list[str] | None,
        seed: float | None,
        models: list[str] | None,
        protocol: str,
    ) -> list[Any]:
        keys = list(models or [])
        if not keys:
            raise DemoInputError("Pick at least one model.")
        if len(keys) > MAX_MODELS:
            raise DemoInputError(f"Pick at most {MAX_MODELS} models; got {len(keys)}.")
        unknown = [key for key in keys if key not in self.entries]
        if unknown:
            raise DemoInputError(f"Unknown model {unknown[0]!r}; choose from the list.")
        if protocol not in PROTOCOLS:
            raise DemoInputError(f"Unknown metric protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}.")
        if isinstance(image, str):
            image = read_upload(image, self.max_megapixels)
        if isinstance(reference, str):
            reference = read_upload(reference, self.max_megapixels, "clean reference")
        prepared = prepare_input(image, reference, mode, factors, seed, self.max_megapixels)
        results = [run_model(self.cache, self.entries[key], prepared.degraded) for key in keys]

        def metrics(img: np.ndarray) -> tuple[float | None, float | None]:
            if prepared.clean is None:
                return None, None
            return score(img, prepared.clean, protocol, prepared.factor_key)

        p, s = metrics(prepared.degraded)
        rows = [["Degraded input", _fmt(p, 2), _fmt(s, 4), ""]]
        sliders, cards, gallery = [], [], []
        for slot, result in enumerate(results, 1):
            p, s = metrics(result.restored)
            label = result.entry.label
            if not result.entry.trained and "untrained" not in label.lower():
                label += " [untrained]"
            rows.append([label, _fmt(p, 2), _fmt(s, 4), f"{result.seconds:.3f}"])
            sliders.append(gr.ImageSlider(value=(prepared.degraded, result.restored), label=f"{slot}. {label}"))
            cards.append(model_card(result.entry, self.cache.get(result.entry)))
            for factor, step in result.steps.items():
                gallery.append((step, f"{slot}. {result.entry.label}: after {STEP_LETTERS[factor]} ({factor})"))
        for slot in range(len(results) + 1, MAX_MODELS + 1):
            sliders.append(gr.ImageSlider(value=None, label=f"{slot}. (no model)"))
            cards.append("")
        height, width = prepared.degraded.shape[:2]
        summary = (
            f"{prepared.description} Image {width}x{height}; metrics: {protocol_description(protocol)}; "
            f"time: restoration only (model loading excluded) on {self.cache.device}."
        )
        return [summary, rows, *sliders, *cards, gallery]


def build_app(
    catalog: Sequence[ModelEntry] | None = None,
    *,
    max_megapixels: float = 2.0,
    concurrency_limit: int = 1,
    max_queue: int = 16,
    default_models: Sequence[str] | None = None,
    untrained: bool = False,
    device: str = "cpu",
) -> gr.Blocks:
    """Build the demo.

    Args:
        catalog: Model choices; default :func:`zoo.demo.catalog.default_catalog` (shipped weights first).
        max_megapixels: Largest accepted input, in millions of pixels.
        concurrency_limit: Requests restoring at the same time (the rest wait in the queue).
        max_queue: Requests allowed to wait; more are refused with a message.
        default_models: Keys selected at start; default the first entries of the first two architectures.
        untrained: With the default catalogue, also offer small untrained networks.
        device: Where the models run: ``"cpu"`` or ``"cuda[:N]"``.

    Returns:
        The Blocks app with its queue configured; the restore endpoint is ``api_name="restore"`` and the sample
        loader ``api_name="load_sample"``.
    """
    entries = list(catalog) if catalog is not None else default_catalog(untrained=untrained)
    if not entries:
        raise ValueError("the demo needs at least one model in its catalogue")
    if max_megapixels <= 0:
        raise ValueError(f"max_megapixels must be positive; got {max_megapixels}")
    state = _Demo(entries, max_megapixels, device)
    defaults = list(default_models) if default_models is not None else default_selection(entries)
    missing = [key for key in defaults if key not in state.entries]
    if missing:
        raise ValueError(f"default model {missing[0]!r} is not in the catalogue")
    if not any(isinstance(e.model, str) and "." in e.model for e in entries):
        weights_note = "No trained weights ship in this installation yet: the list holds the other methods only."
    else:
        weights_note = "Models with shipped weights come first in the list."

    with gr.Blocks(title="mbn-zoo: restoration models side by side") as app:
        gr.Markdown(
            "# mbn-zoo: restoration models side by side\n"
            "Upload an image or pick a bundled sample, optionally degrade a clean image (rain, blur, JPEG, haze) so "
            f"PSNR/SSIM can be measured, and compare up to {MAX_MODELS} models. {weights_note} "
            f"Inputs up to {max_megapixels:g} megapixels."
        )
        with gr.Row():
            with gr.Column():
                sample = gr.Dropdown(
                    choices=sample_choices(),
                    value=None,
                    label="Bundled sample",
                    elem_id="sample",
                    allow_custom_value=False,
                )
                image = upload_image(
                    type="filepath",  # checked against the size limit before decoding (inputs.read_upload)
                    image_mode=None,
                    format="png",  # samples set here go back to the server losslessly
                    sources=["upload", "clipboard"],
                    label="Input image",
                    elem_id="input-image",
                )
                reference = upload_image(
                    type="filepath",  # checked against the size limit before decoding (inputs.read_upload)
                    image_mode=None,
                    format="png",  # samples set here go back to the server losslessly
                    sources=["upload", "clipboard"],
                    label="Clean reference (optional, for an already degraded input)",
                    elem_id="reference-image",
                )
            with gr.Column():
                mode = gr.Radio(
                    choices=[(label, key) for key, label in DEGRADE_MODES.items()],
                    value="none",
                    label="Degradation",
                    elem_id="mode",
                )
                factors = gr.CheckboxGroup(choices=list(FACTORS), value=["rain"], label="Factors", elem_id="factors")
                seed = gr.Number(value=0, precision=0, minimum=0, label="Seed", elem_id="seed")
                models = gr.Dropdown(
                    choices=[(e.label, e.key) for e in entries],
                    value=defaults,
                    multiselect=True,
                    max_choices=MAX_MODELS,
                    label=f"Models (up to {MAX_MODELS})",
                    elem_id="models",
                )
                protocol = gr.Dropdown(
                    choices=list(PROTOCOLS),
                    value="rgb",
                    label="Metric protocol",
                    info="; ".join(protocol_label(p).replace("`", "") for p in PROTOCOLS),
                    elem_id="protocol",
                )
                run = gr.Button("Restore", variant="primary", elem_id="run")
        summary = gr.Markdown(elem_id="summary")
        metrics = gr.Dataframe(
            headers=METRIC_HEADERS,
            datatype="str",
            interactive=False,
            label="PSNR / SSIM against the clean image",
            elem_id="metrics",
        )
        sliders, cards = [], []
        with gr.Row():
            for slot in range(1, MAX_MODELS + 1):
                with gr.Column(min_width=240):
                    sliders.append(
                        gr.ImageSlider(
                            type="numpy", format="png", label=f"{slot}. degraded | restored", elem_id=f"slider-{slot}"
                        )
                    )
                    cards.append(gr.Markdown(elem_id=f"card-{slot}"))
        steps = gr.Gallery(
            label="Per-step outputs of recurrent models (R-MBN: after J, H, B, R)",
            format="png",
            columns=4,
            elem_id="steps",
        )

        sample.change(
            _user_errors(state.load_sample),
            inputs=sample,
            outputs=[image, reference, mode, factors],
            api_name="load_sample",
        )
        run.click(
            _user_errors(state.compare),
            inputs=[image, reference, mode, factors, seed, models, protocol],
            outputs=[summary, metrics, *sliders, *cards, steps],
            api_name="restore",
        )
    app.queue(default_concurrency_limit=concurrency_limit, max_size=max_queue)
    cache_writes.install()
    return app


def launch(
    app: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    max_file_size: str = "25mb",
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> str:
    """Serve the app with the demo's limits: no extra readable paths, an upload size cap, no tracebacks shown.

    Returns:
        The local URL.
    """
    _, local_url, _ = app.launch(
        server_name=host,
        server_port=port,
        share=share,
        max_file_size=max_file_size,
        allowed_paths=None,
        show_error=False,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
    )
    return local_url
