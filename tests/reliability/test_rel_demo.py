"""Bad inputs through the demo (gradio_client on 127.0.0.1): a message for the user, and the server keeps serving."""

import socket
import urllib.error
import urllib.request
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from rel_files import ACCEPTED, REFUSED

gr = pytest.importorskip("gradio", reason="the demo tests need the 'demo' extra (gradio)")
gradio_client = pytest.importorskip("gradio_client")

from zoo.demo.app import build_app, launch  # noqa: E402
from zoo.demo.catalog import entry_for  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
AppError = gradio_client.exceptions.AppError
MAX_MEGAPIXELS = 1.0

# What the demo's message must say for each refused file (it words things for end users, not like the CLI).
DEMO_WORDS = {
    "empty.png": ("not an image",),
    "text.png": ("not an image",),
    "truncated.jpg": ("truncated",),
    "truncated.png": ("truncated",),
    "bomb.png": ("megapixels", "too large"),
    "bomb.jpg": ("megapixels", "too large"),
    "bomb_100mp.png": ("megapixels", "too large"),
    "float_nan.tif": ("32-bit float",),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def client() -> Iterator["gradio_client.Client"]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        catalog = [*entry_for("identity"), *entry_for("median_derain")]
        app = build_app(catalog, max_megapixels=MAX_MEGAPIXELS, default_models=["identity"])
        url = launch(app, port=_free_port(), prevent_thread_lock=True, quiet=True)
    c = gradio_client.Client(url, verbose=False)
    yield c
    c.close()
    app.close()


def _restore(client, image, models=("identity",), mode="none", factors=(), seed=0, protocol="rgb", reference=None):
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


def _still_serving(client, good: Path) -> None:
    summary, table, *rest = _restore(client, good)
    assert "Image 32x24" in summary and table["data"][1][0] == "identity"


def test_refused_files_get_a_message(client, bad_files: Path) -> None:
    assert set(DEMO_WORDS) == set(REFUSED)
    messages = {}
    for name in sorted(REFUSED):
        with pytest.raises(AppError) as info:
            _restore(client, bad_files / name)
        messages[name] = str(info.value)
        print(f"{name}: {messages[name]}")
        _still_serving(client, bad_files / "good.png")
    for name, message in messages.items():
        assert any(word in message.lower() for word in DEMO_WORDS[name]), (name, message)
        assert "Traceback" not in message and "Internal error" not in message, (name, message)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_unusual_files_are_restored(client, bad_files: Path, name: str) -> None:
    summary, table, *rest = _restore(client, bad_files / name)
    height, width = Image.open(bad_files / name).size[::-1]
    left, right = rest[0]["value"]
    restored = np.asarray(Image.open(right))
    assert restored.shape == (height, width, 3) and restored.dtype == np.uint8  # the demo shows 8-bit RGB
    assert f"Image {width}x{height}" in summary


# Gradio itself checks dropdown/radio values and the seed's minimum; the app checks the rest.
@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (dict(models=["no_such_model"]), ("unknown model", "not in the list of choices")),
        (dict(models=[]), ("pick at least one model",)),
        (dict(models=["identity"] * 5), ("at most 4",)),
        (dict(mode="snow"), ("unknown degradation mode", "not in the list of choices")),
        (dict(mode="factors", factors=["snow"]), ("degradation factors", "not in the list of choices")),
        (dict(mode="factors", factors=[]), ("choose one or more degradation factors",)),
        (dict(mode="random", seed=-1), ("seed", "minimum value 0")),
        (dict(protocol="nope"), ("unknown metric protocol", "not in the list of choices")),
        (dict(reference="one_pixel.png"), ("same size",)),
    ],
    ids=["model", "no_model", "five_models", "mode", "factor", "no_factor", "seed_negative", "protocol", "ref"],
)
def test_bad_choices_get_a_message(client, bad_files: Path, kwargs: dict, words: tuple[str, ...]) -> None:
    if "reference" in kwargs:
        kwargs = {**kwargs, "reference": bad_files / kwargs["reference"]}
    with pytest.raises(AppError) as info:
        _restore(client, bad_files / "good.png", **kwargs)
    assert any(word in str(info.value).lower() for word in words), str(info.value)
    _still_serving(client, bad_files / "good.png")


def test_fractional_seed_is_rounded(client, bad_files: Path) -> None:
    summary, *_ = _restore(client, bad_files / "good.png", mode="random", seed=1.5)
    assert "(seed 2)" in summary


def test_no_image_gets_a_message(client, bad_files: Path) -> None:
    with pytest.raises(AppError, match="Upload an image"):
        _restore(client, None)
    _still_serving(client, bad_files / "good.png")


def _raw_upload(url: str, size: int) -> tuple[int, bytes]:
    """POST a file of ``size`` zero bytes to Gradio's upload route, as any HTTP client could (no gradio_client)."""
    boundary = uuid.uuid4().hex
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="x.png"\r\n\r\n'.encode()
    body = head + b"\0" * size + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    request = urllib.request.Request(url.rstrip("/") + "/gradio_api/upload", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_oversized_upload_is_refused_by_the_server(client, bad_files: Path) -> None:
    """The 25 MB cap holds for a client that skips gradio_client's own check."""
    assert _raw_upload(client.src, 1000)[0] == 200
    status, body = _raw_upload(client.src, 26 * 1024 * 1024 + 1)
    assert status == 413 and b"maximum allowed size" in body
    _still_serving(client, bad_files / "good.png")
