"""Headless Chromium drives the demo: upload a degraded sample and its clean original, run two models, read the table.

The browser is found as :func:`zoo.demo.browser.find_chromium` says (Playwright's own, ``CHROMIUM_PATH``, the
system's); without one these tests skip and say why. Set ``ZOO_DEMO_SCREENSHOT=path.png`` to keep the screenshot of
the page with the shipped models.
"""

import os
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zoo.demo.browser import CHROMIUM_ARGS, find_chromium
from zoo.demo.compare import score
from zoo.inference.samples import sample_paths

playwright_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright")
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")]

TIMEOUT_MS = 30_000
IMAGES_LOADED = """() => {
    const imgs = [...document.querySelectorAll('#slider-1 img, #slider-2 img')];
    return imgs.length >= 4 && imgs.every(i => i.complete && i.naturalWidth > 0);
}"""
TABLE_ROWS = """() => [...document.querySelectorAll('#metrics [role=row]')]
    .map(r => [...r.querySelectorAll('[role=gridcell], [role=columnheader]')].map(c => c.innerText.trim()))"""


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.fixture(scope="module")
def browser():
    choice = find_chromium()
    if choice.executable is None:
        pytest.skip(f"browser tests need Chromium: {choice.source}")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=choice.executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shipped_demo_url():
    """The demo with the default R-MBN and MBN weights (their cards have measured scores) and the identity."""
    from zoo.demo.app import build_app, launch
    from zoo.demo.catalog import entry_for

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from zoo.registry.pretrained import default_tags

    rmbn, mbn = default_tags()["rmbn"], default_tags()["mbn"]
    app = build_app([*entry_for(rmbn), *entry_for(mbn), *entry_for("identity")])
    yield launch(app, port=port, prevent_thread_lock=True, quiet=True)
    app.close()


def test_upload_sample_run_two_models_and_read_table(browser, demo_url, tmp_path):
    degraded, clean = sample_paths("astronaut_rain")
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(demo_url)
    page.locator("#input-image input[type=file]").set_input_files(str(degraded))
    page.locator("#reference-image input[type=file]").set_input_files(str(clean))
    page.locator("#input-image img").wait_for()
    page.locator("#reference-image img").wait_for()

    page.locator("#models input").click()  # "identity" is preselected; add a second model
    page.get_by_role("option", name="median_derain").click()
    page.keyboard.press("Escape")
    playwright_api.expect(page.locator("#models .token")).to_have_text(["identity", "median_derain"])

    page.locator("#run").click()
    page.locator("#metrics").get_by_text("median_derain").wait_for()
    rows = page.evaluate(TABLE_ROWS)
    body = {row[0]: row[1:] for row in rows if row and row[0] != "Model"}
    assert set(body) == {"Degraded input", "identity", "median_derain"}
    psnr = {name: float(values[0]) for name, values in body.items()}
    ssim = {name: float(values[1]) for name, values in body.items()}
    assert psnr["identity"] == psnr["Degraded input"] and ssim["identity"] == ssim["Degraded input"]
    assert psnr["median_derain"] > psnr["Degraded input"] + 2  # thin bright streaks are what it removes
    assert 0 < ssim["Degraded input"] < ssim["median_derain"] < 1
    assert float(body["median_derain"][2]) >= 0
    assert "median_derain" in page.locator("#card-2").inner_text()

    page.wait_for_function(IMAGES_LOADED)  # stack notes 3.3a: sliders are collapsed until their images load
    shot = tmp_path / "demo.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    page.close()


def test_error_is_a_message_not_a_traceback(browser, demo_url):
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(demo_url)
    page.locator("#run").click()  # no image
    toast = page.get_by_text("Upload an image or pick a bundled sample first.")
    toast.wait_for()
    assert "Traceback" not in page.content()
    page.close()


def test_bundled_sample_from_the_list_is_measured_losslessly(browser, demo_url):
    degraded, clean = sample_paths("astronaut_rain")
    expected = score(_pixels(degraded), _pixels(clean), "standard", None)  # the page's default protocol
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(demo_url)
    page.locator("#sample input").click()
    page.get_by_role("option", name="astronaut_rain (degraded, with clean reference)").click()
    page.locator("#reference-image img").wait_for()
    page.locator("#run").click()
    page.locator("#metrics").get_by_text("identity").wait_for()
    rows = {row[0]: row[1:] for row in page.evaluate(TABLE_ROWS) if row}
    # the sample travels through the page as PNG: same numbers as the files on disk
    assert rows["Degraded input"][:2] == [f"{expected[0]:.2f}", f"{expected[1]:.4f}"]
    page.close()


CARD_CELLS = """() => [...document.querySelectorAll('.zoo-card td')].map(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
    return {wrap: getComputedStyle(td).whiteSpace, lines: tops.size};
})"""


def test_sample_sets_the_page_up_and_cards_read_well(browser, shipped_demo_url, tmp_path):
    """The adaptive defaults are preselected; a sample ticks no factor; cards are full width; protocols explained."""
    from zoo.registry.pretrained import default_tags

    rmbn, mbn = default_tags()["rmbn"], default_tags()["mbn"]
    selected = [
        f"{rmbn} (adaptive: detected steps)",
        f"{rmbn} (every step: J, H, B, R)",
        f"{mbn} (branch of the detected factor)",
    ]
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(shipped_demo_url)
    tokens = page.locator("#models .token")
    playwright_api.expect(tokens).to_have_text(selected)
    playwright_api.expect(page.locator("#mode input[value=none]")).to_be_checked()
    assert page.locator("#factors input:checked").count() == 0
    assert all(box.is_disabled() for box in page.locator("#factors input").all())
    assert page.locator("#protocol input").input_value() == "standard"  # the shipped cards' protocol

    page.locator("#sample input").click()
    page.get_by_role("option", name="coffee_blur (degraded, with clean reference)").click()
    playwright_api.expect(page.locator("#sample-note")).to_contain_text("degraded with blur")
    playwright_api.expect(tokens).to_have_text(selected)  # the detector, not the sample's label, picks the branch
    assert page.locator("#factors input:checked").count() == 0

    page.locator("#protocols").get_by_text("Metric protocols").first.click()
    playwright_api.expect(page.locator("#protocols")).to_contain_text("MATLAB")

    page.locator("#run").click()
    ran = f"() => ({TABLE_ROWS})().some(row => row[0].startsWith('{selected[2]}'))"  # a note may follow the label
    page.wait_for_function(ran, timeout=4 * TIMEOUT_MS)
    page.wait_for_function(IMAGES_LOADED)
    card = page.locator("#card-2")
    playwright_api.expect(card).to_contain_text("Measured scores")
    assert card.bounding_box()["width"] > 1000  # full width, not a quarter column
    cells = page.evaluate(CARD_CELLS)
    assert cells and all(cell["wrap"] == "nowrap" and cell["lines"] <= 1 for cell in cells), cells
    shot = tmp_path / "demo.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    if os.environ.get("ZOO_DEMO_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["ZOO_DEMO_SCREENSHOT"])
    page.close()
