"""In-process gradio_client round trips against the running demo: results, steps, limits, errors, file access."""

import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image

from zoo.data.degradations import degrade
from zoo.demo.compare import score
from zoo.inference.samples import sample_paths

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")
gradio_client = pytest.importorskip("gradio_client")
AppError = gradio_client.exceptions.AppError


@pytest.fixture(scope="module")
def client(demo_url):
    c = gradio_client.Client(demo_url, verbose=False)
    yield c
    c.close()


def _pixels(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def _restore(client, image, reference=None, mode="none", factors=(), seed=0, models=("identity",), protocol="rgb"):
    handle = gradio_client.handle_file
    return client.predict(
        handle(str(image)) if image is not None else None,
        handle(str(reference)) if reference is not None else None,
        mode,
        list(factors),
        seed,
        list(models),
        protocol,
        api_name="/restore",
    )


def test_round_trip_sample_with_reference(client):
    degraded, clean = sample_paths("astronaut_rain")
    summary, table, *rest = _restore(client, degraded, clean, models=["identity", "median_derain"])
    sliders, cards, steps = rest[:4], rest[4:8], rest[8]
    assert "clean reference" in summary and "256x256" in summary
    assert "`rgb` protocol: RGB channels" in summary  # the metrics name their protocol
    assert table["headers"] == ["Model", "PSNR (dB)", "SSIM", "Time (s)"]
    rows = {row[0]: row[1:] for row in table["data"]}
    assert list(rows) == ["Degraded input", "identity", "median_derain"]
    # the table agrees with the metric functions on the same pixels
    expected_psnr, expected_ssim = score(_pixels(degraded), _pixels(clean), "rgb", None)
    assert rows["Degraded input"][:2] == [f"{expected_psnr:.2f}", f"{expected_ssim:.4f}"]
    assert rows["identity"][:2] == rows["Degraded input"][:2]
    assert float(rows["median_derain"][0]) > expected_psnr + 2
    assert float(rows["median_derain"][2]) >= 0
    # sliders: degraded | restored, lossless PNG; identity returns its input pixel for pixel
    left, right = sliders[0]["value"]
    assert np.array_equal(_pixels(left), _pixels(degraded)) and np.array_equal(_pixels(right), _pixels(degraded))
    assert sliders[1]["label"] == "2. median_derain" and not np.array_equal(
        _pixels(sliders[1]["value"][1]), _pixels(left)
    )
    assert sliders[2]["value"] is None and sliders[3]["value"] is None
    assert cards[0].startswith("### identity") and "classical" in cards[0] and cards[2] == ""
    assert steps == []


def test_rmbn_steps_in_the_gallery(client):
    degraded, _ = sample_paths("coffee_blur")
    summary, table, *rest = _restore(client, degraded, models=["untrained:rmbn"])
    assert "no clean reference" in summary
    assert table["data"][1][:3] == ["tiny rmbn [untrained]", "–", "–"]
    assert "Untrained" in rest[4] and "Parameters:** 709,936" in rest[4]
    captions = [item["caption"] for item in rest[8]]
    assert captions == [f"1. tiny rmbn: after {s}" for s in ("J (jpeg)", "H (haze)", "B (blur)", "R (rain)")]
    assert _pixels(rest[8][0]["image"]).shape == (256, 256, 3)


def test_seeded_degradation_of_a_clean_image(client):
    _, clean = sample_paths("chelsea_jpeg")
    first = _restore(client, clean, mode="factors", factors=["blur"], seed=7, protocol="standard")
    again = _restore(client, clean, mode="factors", factors=["blur"], seed=7, protocol="standard")
    assert first[1]["data"][0] == again[1]["data"][0]
    expected, _ = degrade(_pixels(clean).astype(np.float32) / 255.0, ["blur"], seed=7)
    expected = np.clip(np.rint(expected * 255.0), 0, 255).astype(np.uint8)
    assert np.array_equal(_pixels(first[2]["value"][0]), expected)
    assert first[1]["data"][0][1] == f"{score(expected, _pixels(clean), 'standard', 'blur')[0]:.2f}"
    mixed = _restore(client, clean, mode="random", seed=3)
    assert "seed 3" in mixed[0] and float(mixed[1]["data"][0][1]) < 40


def test_sample_loader(client):
    out = client.predict("degraded:grace_hopper_mixed", ["identity"], api_name="/load_sample")
    image, reference, mode, factors, models, note = out
    # mode "none": nothing is added, so no factor box is ticked; the sample's own factors are named in the note
    assert mode == "none" and factors == [] and models == ["identity"]
    assert "degraded with" in note and all(f in note for f in ("blur", "haze", "jpeg", "rain"))
    degraded, clean = sample_paths("grace_hopper_mixed")
    assert np.array_equal(_pixels(image), _pixels(degraded)) and np.array_equal(_pixels(reference), _pixels(clean))
    image, reference, mode, factors, _, note = client.predict("clean:rocket", ["identity"], api_name="/load_sample")
    assert mode == "random" and reference is None and factors == [] and _pixels(image).shape == (427, 512, 3)
    assert "clean photo" in note


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(image=None), "Upload an image or pick a bundled sample first."),
        (dict(models=[]), "Pick at least one model."),
        (dict(mode="factors", factors=[]), "Choose one or more degradation factors"),
        (dict(big=True), "this demo accepts at most 0.3 megapixels"),
        (dict(mismatch=True), "must have the same size"),
    ],
)
def test_bad_requests_give_messages_and_the_server_keeps_serving(client, tmp_path, kwargs, message):
    degraded, clean = sample_paths("astronaut_rain")
    kwargs = dict(kwargs)
    image = degraded
    if kwargs.pop("big", False):
        image = tmp_path / "big.png"
        Image.new("RGB", (800, 600), (90, 120, 150)).save(image)
    reference = None
    if kwargs.pop("mismatch", False):
        reference = tmp_path / "small.png"
        Image.new("RGB", (64, 64)).save(reference)
    args = {"image": image, "reference": reference, **kwargs}
    with pytest.raises(AppError, match=message) as err:
        _restore(client, **args)
    assert "Traceback" not in str(err.value)
    assert _restore(client, degraded, clean)[1]["data"][1][0] == "identity"  # still serving


def test_a_file_that_is_not_an_image_is_refused(client, tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("not an image")
    with pytest.raises(AppError, match="The uploaded file is not an image this demo can read") as err:
        _restore(client, fake)
    assert "Traceback" not in str(err.value)
    assert _restore(client, sample_paths("astronaut_rain")[0])[1]["data"][1][0] == "identity"  # still serving


def test_unknown_model_is_refused(client):
    degraded, _ = sample_paths("astronaut_rain")
    with pytest.raises(AppError):
        _restore(client, degraded, models=["../../etc/passwd"])


@pytest.mark.parametrize("path", ["/etc/passwd", str(sample_paths("astronaut_rain")[0]), __file__])
def test_no_access_to_server_files(demo_url, path):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{demo_url.rstrip('/')}/gradio_api/file={path}", timeout=10)
    assert err.value.code in (403, 404)
