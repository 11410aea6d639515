"""The Gradio app: one input, up to four models side by side, metrics, R-MBN's steps and each model's card.

``build_app()`` returns the Blocks (queue configured); ``launch()`` serves it with the demo's limits. Browser tests
find components by their ``elem_id`` (``input-image``, ``models``, ``run``, ``metrics``, ``slider-1`` ...).
"""

import functools
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr
import numpy as np

from zoo.data.degradations import FACTORS
from zoo.data.metrics import PROTOCOLS
from zoo.data.metrics.protocols import protocol_description, protocols_paragraph
from zoo.factors import LETTERS
from zoo.inference import NoShippedWeightsError
from zoo.registry import UnknownModelError

from . import cache_writes
from .card import model_card
from .catalog import ModelEntry, cards_protocol, default_catalog, default_selection, detector_ships, match_factors
from .compare import RestorerCache, detect_image, detection_line, run_model, score
from .components import upload_image
from .inputs import DEGRADE_MODES, DemoInputError, load_demo_sample, prepare_input, read_upload, sample_choices

__all__ = ["DEMO_CSS", "MAX_MODELS", "METRIC_HEADERS", "build_app", "launch", "sample_note"]

MAX_MODELS = 4
METRIC_HEADERS = ["Model", "PSNR (dB)", "SSIM", "Time (s)"]
_LOG = logging.getLogger("zoo.demo")
# Model cards are full-width; their tables keep every number on one line and scroll sideways when the page is narrow.
DEMO_CSS = """
.zoo-card table { display: block; overflow-x: auto; }
.zoo-card th, .zoo-card td { white-space: nowrap; }
"""
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

    def load_sample(self, value: str | None, models: list[str] | None) -> tuple[Any, ...]:
        if not value:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        image, reference, mode, factors = load_demo_sample(value)
        keys = match_factors(list(models or []), list(self.entries.values()), factors)
        # the factor boxes are what "degrade with the chosen factors" adds; a sample's own factors are in the note
        return image, reference, mode, [], keys, sample_note(value, factors, keys != list(models or []))

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
        report = detect_image(prepared.degraded) if detector_ships() else None
        results = [run_model(self.cache, self.entries[key], prepared.degraded, report) for key in keys]

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
            if result.note:
                label += f" [{result.note}]"
            rows.append([label, _fmt(p, 2), _fmt(s, 4), f"{result.seconds:.3f}"])
            sliders.append(gr.ImageSlider(value=(prepared.degraded, result.restored), label=f"{slot}. {label}"))
            cards.append(model_card(result.entry, self.cache.get(result.entry)))
            for factor, step in result.steps.items():
                gallery.append((step, f"{slot}. {result.entry.label}: after {LETTERS[factor]} ({factor})"))
        for slot in range(len(results) + 1, MAX_MODELS + 1):
            sliders.append(gr.ImageSlider(value=None, label=f"{slot}. (no model)"))
            cards.append("")
        height, width = prepared.degraded.shape[:2]
        summary = (
            f"{prepared.description} Image {width}x{height}; metrics: {protocol_description(protocol)}; "
            f"time: restoration only (model loading excluded) on {self.cache.device}."
        )
        if report is not None:
            summary = f"{detection_line(report)} {summary}"
        return [summary, rows, *sliders, *cards, gallery]


def _factor_boxes(mode: str) -> Any:
    """The factor boxes take clicks only when the chosen factors are what degrades the image."""
    return gr.update(interactive=mode == "factors")


def sample_note(value: str, factors: list[str], moved: bool = False) -> str:
    """One line under the sample list: what the loaded sample is and what the demo set for it."""
    kind, _, name = value.partition(":")
    if kind != "degraded":
        return f"**{name}**: a clean photo. Pick how to degrade it (a seeded random mixture by default), then Restore."
    note = (
        f"**{name}**: degraded with {' + '.join(factors)}; its clean original is loaded as the reference, so PSNR and "
        "SSIM are measured."
    )
    if moved:
        note += f" Models told the factor (MBN) now run their {factors[0]} branch."
    return note


def _protocols_text() -> str:
    """The README's protocol paragraph without its HTML anchor."""
    return re.sub(r"<a id=[^>]*></a>", "", protocols_paragraph())


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
                note = gr.Markdown(elem_id="sample-note")
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
                factors = gr.CheckboxGroup(
                    choices=list(FACTORS),
                    value=[],
                    interactive=False,  # only with "degrade with the chosen factors"
                    label="Factors to add (with 'degrade with the chosen factors')",
                    elem_id="factors",
                )
                seed = gr.Number(value=0, precision=0, minimum=0, label="Seed", elem_id="seed")
                models = gr.Dropdown(
                    choices=[(e.label, e.key) for e in entries],
                    value=defaults,
                    multiselect=True,
                    max_choices=MAX_MODELS,
                    label=f"Models (up to {MAX_MODELS})",
                    elem_id="models",
                )
                card_protocol = cards_protocol(entries)
                protocol = gr.Dropdown(
                    choices=list(PROTOCOLS),
                    value=card_protocol,
                    label="Metric protocol",
                    info=f"default: {card_protocol}, the one the model cards' scores use; see 'Metric protocols' below",
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
        with gr.Accordion("Metric protocols: what PSNR and SSIM were computed on", open=False, elem_id="protocols"):
            gr.Markdown(_protocols_text())
        sliders = []
        with gr.Row():
            for slot in range(1, MAX_MODELS + 1):
                with gr.Column(min_width=240):
                    sliders.append(
                        gr.ImageSlider(
                            type="numpy", format="png", label=f"{slot}. degraded | restored", elem_id=f"slider-{slot}"
                        )
                    )
        steps = gr.Gallery(
            label="Per-step outputs of recurrent models (R-MBN: after J, H, B, R)",
            format="png",
            columns=4,
            elem_id="steps",
        )
        with gr.Accordion("Model cards: what each model is, its training and its measured scores", elem_id="cards"):
            cards = [gr.Markdown(elem_id=f"card-{slot}", elem_classes="zoo-card") for slot in range(1, MAX_MODELS + 1)]

        sample.change(
            _user_errors(state.load_sample),
            inputs=[sample, models],
            outputs=[image, reference, mode, factors, models, note],
            api_name="load_sample",
        )
        mode.change(_factor_boxes, inputs=mode, outputs=factors, api_visibility="private", queue=False)
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

    Gradio's own start-up lines are replaced by ours, which name this command's options (``--share true``) rather
    than ``launch()`` arguments.

    Args:
        app: The app from :func:`build_app`.
        host: Interface to listen on.
        port: Port.
        share: Also open a public Gradio share link.
        max_file_size: Largest upload.
        prevent_thread_lock: Return once the server runs (tests) instead of serving until interrupted.
        quiet: Print nothing.

    Returns:
        The local URL.
    """
    _, local_url, share_url = app.launch(
        server_name=host,
        server_port=port,
        share=share,
        max_file_size=max_file_size,
        allowed_paths=None,
        show_error=False,
        prevent_thread_lock=True,
        quiet=True,
        css=DEMO_CSS,
    )
    if not quiet:
        print(f"mbn-zoo demo running on {local_url} (Ctrl+C to stop)", flush=True)
        if share_url:
            print(f"public link: {share_url}", flush=True)
        elif not share:
            print("for a public link, start it with `zoo demo --share true`", flush=True)
    if not prevent_thread_lock:
        app.block_thread()
    return local_url
