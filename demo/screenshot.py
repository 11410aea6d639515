"""Regenerate the README screenshot: ``python -m zoo.demo.screenshot docs/demo.png``.

Serves the demo on a free local port, drives a headless Chromium with Playwright (Playwright comes with the ``test``
extra; the browser is found by :func:`zoo.demo.browser.find_chromium`: Playwright's own, ``CHROMIUM_PATH``, then the
system's): picks a bundled sample, selects the models, runs them, waits for the images and saves a full-page
screenshot.
"""

import argparse
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["default_models", "main", "take_screenshot"]

_IMAGES_LOADED = """(count) => {
    const imgs = [...document.querySelectorAll('[id^=slider-] img')];
    return imgs.length >= 2 * count && imgs.every(i => i.complete && i.naturalWidth > 0);
}"""


def default_models() -> list[str]:
    """Up to two shipped R-MBN tags, then the classical deraining filter and the identity."""
    from zoo.registry import list_pretrained

    return ([*list_pretrained("rmbn.*")[:2], "median_derain", "identity"])[:4]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def take_screenshot(path: str | Path, sample: str, models: Sequence[str], width: int = 1400) -> Path:
    """Serve the demo, run ``models`` on ``sample`` in headless Chromium and save the page to ``path``.

    Args:
        path: PNG file to write.
        sample: A value of :func:`zoo.demo.inputs.sample_choices` (``"degraded:astronaut_rain"``).
        models: Catalogue keys, one to four.
        width: Viewport width in pixels.
    """
    from playwright.sync_api import sync_playwright

    from .app import build_app, launch
    from .browser import CHROMIUM_ARGS, find_chromium
    from .catalog import default_catalog
    from .inputs import sample_choices

    labels = {value: label for label, value in sample_choices()}
    if sample not in labels:
        raise ValueError(f"unknown sample {sample!r}; expected one of {', '.join(labels)}")
    catalog = default_catalog()
    entry_labels = {entry.key: entry.label for entry in catalog}
    unknown = [key for key in models if key not in entry_labels]
    if unknown or not 1 <= len(models) <= 4:
        raise ValueError(f"give one to four models from the catalogue; unknown: {unknown}")
    chromium = find_chromium()
    if chromium.executable is None:
        raise RuntimeError(f"cannot take the screenshot: {chromium.source}")
    app = build_app(catalog, default_models=[])
    url = launch(app, port=_free_port(), prevent_thread_lock=True, quiet=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium.executable, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(url)
            page.locator("#sample input").click()
            page.get_by_role("option", name=labels[sample]).click()
            page.locator("#input-image img").wait_for()
            for key in models:
                page.locator("#models input").click()
                page.get_by_role("option", name=entry_labels[key], exact=True).click()
            page.keyboard.press("Escape")
            page.locator("#run").click()
            page.locator("#metrics").get_by_text(entry_labels[models[-1]], exact=True).wait_for()
            page.wait_for_function(_IMAGES_LOADED, arg=len(models))
            page.screenshot(path=str(path), full_page=True)
            browser.close()
    finally:
        app.close()
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the screenshot tool."""
    parser = argparse.ArgumentParser(prog="python -m zoo.demo.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("output", help="PNG file to write, e.g. docs/demo.png")
    parser.add_argument("--sample", default="degraded:astronaut_rain", help="bundled sample (default astronaut_rain)")
    parser.add_argument(
        "--models", nargs="+", help="catalogue keys (default: shipped R-MBN tags, median_derain, identity)"
    )
    args = parser.parse_args(argv)
    print(take_screenshot(args.output, args.sample, args.models or default_models()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
