"""A demo app on a free local port, shared by the demo tests: small catalogue, fast models, small images."""

import socket
from collections.abc import Iterator

import pytest

gr = pytest.importorskip("gradio", reason="the demo tests need the 'demo' extra (gradio)")

from zoo.demo.app import build_app, launch  # noqa: E402
from zoo.demo.catalog import entry_for  # noqa: E402

MAX_MEGAPIXELS = 0.3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def small_catalog() -> list:
    """identity, a classical deraining filter and a tiny untrained R-MBN (per-step outputs)."""
    return [
        *entry_for("identity"),
        *entry_for("median_derain"),
        *entry_for({"type": "rmbn", "width": 0.25, "rain_iters": 1}, label="tiny rmbn", trained=False),
    ]


@pytest.fixture
def free_port() -> int:
    """A local TCP port nobody listens on (stack notes 3.3f: pass an explicit port)."""
    return _free_port()


@pytest.fixture(scope="package")
def demo_url() -> Iterator[str]:
    """URL of a running demo (in this process; closed after the package's tests)."""
    app = build_app(small_catalog(), max_megapixels=MAX_MEGAPIXELS, default_models=["identity"])
    url = launch(app, port=_free_port(), prevent_thread_lock=True, quiet=True)
    yield url
    app.close()
