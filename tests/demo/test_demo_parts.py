"""The demo's parts without a server: catalogue order, input checks, model cards, error wrapping, queue limits."""

import numpy as np
import pytest

import zoo.demo.catalog as catalog_module
from zoo.data.metrics import psnr
from zoo.demo.card import model_card
from zoo.demo.catalog import cards_protocol, default_catalog, default_selection, entry_for, match_factors
from zoo.demo.inputs import DemoInputError, check_size, load_demo_sample, prepare_input, sample_choices
from zoo.inference.restore import Restorer

gr = pytest.importorskip("gradio")
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


def test_catalog_lists_pretrained_first_then_classical_without_oracles(monkeypatch):
    monkeypatch.setattr(catalog_module, "list_pretrained", lambda: ["durn_us.haze", "mbn.synth4", "rmbn.synth4"])
    entries = default_catalog(untrained=True)
    keys = [e.key for e in entries]
    branches = [f"mbn.synth4@{f}" for f in ("rain", "blur", "jpeg", "haze")]
    assert keys[:6] == ["rmbn.synth4", *branches, "durn_us.haze"]
    assert entries[0].steps and entries[0].trained and entries[0].factor is None
    assert entries[1].factor == "rain" and entries[1].label == "mbn.synth4 (rain branch)"
    assert default_selection(entries) == ["rmbn.synth4", "mbn.synth4@rain"]
    assert "identity" in keys and "median_derain" in keys
    assert not any("oracle" in key for key in keys)
    assert keys.index("identity") < keys.index("untrained:rmbn")
    assert not entries[keys.index("untrained:rmbn")].trained


def test_catalog_without_weights_has_classical_methods_only():
    keys = [e.key for e in default_catalog()]
    assert keys and all(not e.startswith("untrained") for e in keys)


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="duplicate model keys"):
        default_catalog(extra=entry_for("identity"))


def test_size_limit_message():
    check_size(np.zeros((100, 100, 3), np.uint8), 0.01)
    with pytest.raises(DemoInputError, match=r"2000x1000 = 2.00 megapixels; this demo accepts at most 1 megapixels"):
        check_size(np.zeros((1000, 2000, 3), np.uint8), 1.0)


def test_samples_and_degradation():
    values = [value for _, value in sample_choices()]
    assert "degraded:coffee_blur" in values and "clean:coffee" in values
    image, clean, mode, factors = load_demo_sample("degraded:coffee_blur")
    assert mode == "none" and factors == ["blur"] and image.shape == clean.shape == (256, 256, 3)
    prepared = prepare_input(image, clean, "none", None, 0, 1.0)
    assert prepared.clean is clean and prepared.factor_key is None
    degraded = prepare_input(clean, None, "factors", ["rain", "haze"], 5, 1.0)
    assert degraded.factor_key == "haze+rain" and degraded.clean is clean
    assert psnr(degraded.degraded / 255.0, clean / 255.0) < 30
    with pytest.raises(DemoInputError, match="unknown sample"):
        load_demo_sample("/etc/passwd")
    with pytest.raises(DemoInputError, match="seed must be a whole number"):
        prepare_input(clean, None, "random", None, -1, 1.0)


def test_card_shows_weights_metadata():
    entry = entry_for({"type": "rmbn", "width": 0.25, "rain_iters": 1}, label="tiny", trained=True)[0]
    with pytest.warns(UserWarning, match="has no weights"):
        restorer = Restorer(entry.model, save_steps=True)
    restorer.loaded.module.zoo_metadata = {
        "summary": "R-MBN trained on synthetic mixtures",
        "parameters": 709936,
        "training": {"data": "bundled photos + dead leaves", "iterations": 1000},
        "protocol": "standard",
        "scores": {"rain": {"psnr": 30.1, "ssim": 0.91, "psnr_input": 25.0, "ssim_input": 0.8}},
    }
    card = model_card(entry, restorer)
    assert card.startswith(f"### {entry.label}\n\nR-MBN trained on synthetic mixtures")
    assert "**Parameters:** 709,936" in card and "iterations: 1000" in card
    assert "`standard` protocol: Y channel (MATLAB luma)" in card and "| rain | 25.00 | 30.10 | 0.800 | 0.910 |" in card


def test_unexpected_failures_become_messages_without_traceback():
    from zoo.demo.app import _user_errors

    def boom(*_):
        raise RuntimeError("secret /server/path")

    with pytest.raises(gr.Error, match=r"Internal error \(RuntimeError\)") as err:
        _user_errors(boom)()
    assert "secret" not in str(err.value)
    with pytest.raises(gr.Error, match="too large"):
        _user_errors(lambda: (_ for _ in ()).throw(DemoInputError("too large")))()


def test_queue_and_concurrency_limits():
    from zoo.demo.app import build_app

    app = build_app(entry_for("identity"), concurrency_limit=2, max_queue=5)
    assert app._queue.default_concurrency_limit == 2 and app._queue.max_size == 5
    assert {fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"} == {"restore", "load_sample"}
    with pytest.raises(ValueError, match="not in the catalogue"):
        build_app(entry_for("identity"), default_models=["median_derain"])


def test_shipped_weights_come_first_with_their_card(monkeypatch, tmp_path):
    import zoo.registry.factory as factory
    from zoo import create_model
    from zoo.demo.app import _Demo
    from zoo.inference.loading import _load_named
    from zoo.registry import PretrainedEntry, save_release_weights

    config = {"width": 0.25, "rain_iters": 1}
    path = tmp_path / "rmbn.tiny.safetensors"  # absolute: weights_dir() / file resolves to it
    sha = save_release_weights(create_model({"type": "rmbn", **config}).state_dict(), path, {})
    metadata = {
        "summary": "tiny test R-MBN",
        "parameters": 709936,
        "training": {"data": "nothing"},
        "protocol": "standard",
        "scores": {"haze": {"psnr": 20.0, "ssim": 0.7, "psnr_input": 15.0, "ssim_input": 0.6}},
    }
    table = {"rmbn.tiny": PretrainedEntry("rmbn.tiny", str(path), sha, config, metadata)}
    monkeypatch.setattr(factory, "pretrained_table", lambda: table)
    try:
        entries = default_catalog()
        assert entries[0].key == "rmbn.tiny" and default_selection(entries)[0] == "rmbn.tiny"
        image, clean, _, _ = load_demo_sample("degraded:rocket_haze")
        out = _Demo(entries, 1.0).compare(image, clean, "none", None, 0, ["rmbn.tiny", "identity"], "rgb")
        assert "256x256" in out[0]
        rows, sliders, cards, steps = out[1], out[2:6], out[6:10], out[10]
        assert [row[0] for row in rows] == ["Degraded input", "rmbn.tiny", "identity (classical)"]
        assert cards[0].startswith("### rmbn.tiny\n\ntiny test R-MBN") and "| haze | 15.00 | 20.00 |" in cards[0]
        assert "Untrained" not in cards[0] and "Training:** data: nothing" in cards[0]
        assert [caption for _, caption in steps][-1] == "1. rmbn.tiny: after R (rain)"
        assert sliders[0].value is not None
    finally:
        _load_named.cache_clear()


def test_read_upload_converts_and_refuses_from_the_header(tmp_path):
    from PIL import Image

    from zoo.demo.inputs import read_upload

    grey16 = tmp_path / "grey16.png"
    Image.fromarray(np.full((20, 30), 65535, np.uint16)).save(grey16)
    rgba = tmp_path / "rgba.png"
    Image.new("RGBA", (30, 20), (10, 20, 30, 0)).save(rgba)
    assert read_upload(str(grey16), 1.0).tolist() == np.full((20, 30, 3), 255, np.uint8).tolist()
    assert read_upload(str(rgba), 1.0)[0, 0].tolist() == [10, 20, 30]
    big = tmp_path / "big.png"
    Image.new("L", (3000, 1000)).save(big)
    with pytest.raises(DemoInputError, match=r"3000x1000 = 3.00 megapixels; this demo accepts at most 2 megapixels"):
        read_upload(str(big), 2.0)
    text = tmp_path / "text.jpg"
    text.write_text("hello")
    with pytest.raises(DemoInputError, match="not an image file"):
        read_upload(str(text), 2.0)


def test_factor_branches_follow_the_loaded_sample(monkeypatch):
    monkeypatch.setattr(catalog_module, "list_pretrained", lambda: ["mbn.synth4", "rmbn.synth4"])
    entries = default_catalog()
    selected = default_selection(entries)
    assert selected == ["rmbn.synth4", "mbn.synth4@rain"]
    assert match_factors(selected, entries, ["blur"]) == ["rmbn.synth4", "mbn.synth4@blur"]
    assert match_factors(selected, entries, ["jpeg", "rain"]) == selected  # the rain branch fits this mixture
    assert match_factors(selected, entries, ["haze", "blur"]) == ["rmbn.synth4", "mbn.synth4@haze"]
    assert match_factors(selected, entries, []) == selected  # unknown factors: nothing to follow
    both = ["mbn.synth4@rain", "mbn.synth4@blur"]
    assert match_factors(both, entries, ["blur"]) == ["mbn.synth4@blur"]  # no duplicate


def test_loading_a_sample_moves_branches_and_unticks_factors(monkeypatch):
    from zoo.demo.app import _Demo

    monkeypatch.setattr(catalog_module, "list_pretrained", lambda: ["mbn.synth4", "rmbn.synth4"])
    demo = _Demo(default_catalog(), 1.0)
    image, reference, mode, factors, models, note = demo.load_sample("degraded:coffee_blur", ["mbn.synth4@rain"])
    assert mode == "none" and factors == [] and models == ["mbn.synth4@blur"]
    assert "coffee_blur" in note and "blur" in note and "now run their blur branch" in note
    assert image.shape == reference.shape


def test_page_defaults_match_the_cards_and_explain_the_protocols():
    from zoo.demo.app import build_app

    entries = default_catalog()
    assert cards_protocol(entries) == "standard"  # every shipped card reports the `standard` protocol
    assert cards_protocol(entry_for("identity")) == "standard"  # nothing shipped: the fallback
    app = build_app(entries)
    by_id = {block.elem_id: block for block in app.blocks.values() if getattr(block, "elem_id", None)}
    assert by_id["protocol"].value == "standard"
    assert by_id["mode"].value == "none" and by_id["factors"].value == [] and not by_id["factors"].interactive
    texts = " ".join(str(getattr(block, "value", "")) for block in app.blocks.values())
    assert "**Metric protocols.**" in texts and "`paper`" in texts and "<a id=" not in texts
    assert all(f"card-{slot}" in by_id for slot in range(1, 5))


def test_detected_branch_entry_without_a_detection_returns_the_image_and_still_has_a_card() -> None:
    """A ``@detected`` MBN entry on an image where nothing is found: unchanged output, and its card can be built."""
    from zoo.demo.compare import RestorerCache, run_model

    detected = [e for e in entry_for({"type": "mbn", "width": 0.25, "rain_iters": 1}) if e.factor == "detected"]
    if not detected:
        pytest.skip("no detector ships")
    (entry,) = detected
    image = np.full((32, 32, 3), 128, np.uint8)
    cache = RestorerCache()
    result = run_model(cache, entry, image, {"detected": [], "factors": {"rain": 0.0}})
    assert np.array_equal(result.restored, image) and "unchanged" in result.note
    assert cache.get(result.entry).factor in ("rain", "blur", "jpeg", "haze")
