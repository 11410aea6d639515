"""Find a Chromium for headless screenshots and browser tests, the way Playwright users expect.

Order: Playwright's own browser (``playwright install chromium``, under ``PLAYWRIGHT_BROWSERS_PATH`` or Playwright's
cache folder), then the ``CHROMIUM_PATH`` environment variable, then the system's Chromium or Chrome on the ``PATH``
(``chromium``, ``chromium-browser``, ``google-chrome``, ...). Nothing is downloaded.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "SYSTEM_NAMES", "BrowserChoice", "find_chromium"]

# Flags for a headless run in containers and on CI machines: no sandbox (root in containers), no GPU, no network
# chatter of the browser itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


@dataclass(frozen=True)
class BrowserChoice:
    """The browser to launch, or why there is none.

    Attributes:
        executable: Path of the browser, or None when none was found.
        source: Where it was found (``"playwright"``, ``"CHROMIUM_PATH"``, ``"system"``), or why none was, naming
            every place that was searched and how to install one.
    """

    executable: str | None
    source: str


def _playwright_chromium() -> str | None:
    """The Chromium that ``playwright install chromium`` put in place for this Playwright version, if any."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:  # no driver, or the driver cannot start: treat as not installed
        return None
    return path if path and Path(path).is_file() else None


def find_chromium() -> BrowserChoice:
    """Playwright's own Chromium, then ``$CHROMIUM_PATH``, then a system Chromium/Chrome on the ``PATH``."""
    own = _playwright_chromium()
    if own:
        return BrowserChoice(own, "playwright")
    env = os.environ.get("CHROMIUM_PATH")
    if env:
        if Path(env).is_file():
            return BrowserChoice(env, "CHROMIUM_PATH")
        return BrowserChoice(None, f"CHROMIUM_PATH={env} is not a file; point it at a Chromium or Chrome binary")
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return BrowserChoice(found, "system")
    return BrowserChoice(
        None,
        "no Chromium found: not installed by Playwright (`python -m playwright install chromium`), CHROMIUM_PATH not "
        f"set, and none of {', '.join(SYSTEM_NAMES)} on the PATH (Debian/Ubuntu: `apt-get install chromium`)",
    )
