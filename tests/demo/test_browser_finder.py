"""Which Chromium the browser tests and the screenshot tool use: Playwright's own, CHROMIUM_PATH, then the PATH."""

from pathlib import Path

import pytest

import zoo.demo.browser as browser


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_playwright_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "_playwright_chromium", lambda: None)


def test_playwright_install_comes_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    own = _executable(tmp_path / "chrome")
    monkeypatch.setattr(browser, "_playwright_chromium", lambda: str(own))
    monkeypatch.setenv("CHROMIUM_PATH", str(_executable(tmp_path / "other")))
    assert browser.find_chromium() == browser.BrowserChoice(str(own), "playwright")


def test_chromium_path_then_the_system_path(
    no_playwright_browser: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    system = _executable(bin_dir / "chromium-browser")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("CHROMIUM_PATH", str(_executable(tmp_path / "mine")))
    assert browser.find_chromium() == browser.BrowserChoice(str(tmp_path / "mine"), "CHROMIUM_PATH")
    monkeypatch.delenv("CHROMIUM_PATH")
    assert browser.find_chromium() == browser.BrowserChoice(str(system), "system")


def test_a_wrong_chromium_path_is_named(no_playwright_browser: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", "/nowhere/chrome")
    choice = browser.find_chromium()
    assert choice.executable is None and "CHROMIUM_PATH=/nowhere/chrome is not a file" in choice.source


def test_nothing_found_says_where_it_looked_and_how_to_install(
    no_playwright_browser: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    choice = browser.find_chromium()
    assert choice.executable is None
    for words in ("playwright install chromium", "CHROMIUM_PATH", "chromium-browser", "apt-get install chromium"):
        assert words in choice.source
