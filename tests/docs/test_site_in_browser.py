"""The documentation site builds with no warning and reads well in a real browser.

Builds the site with ``mkdocs build --strict`` into a temporary directory, serves it on
127.0.0.1 and opens three pages in headless Chromium (Debian's ``chromium``; ``.ci/run``
installs it): the home page, a guide page and an API reference page. For each it saves a
screenshot (kept in the test's temporary directory, printed with ``-s``) and checks the
rendered DOM: the expected headings, the navigation, highlighted code, and no leaked build
output (warnings, raw ``:::`` directives, unrendered roles).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from docs_support import ROOT

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

# page, headings it must show, text its body must contain
PAGES = [
    ("index.html", ["codat-customers", "Where to go next"], ["CodatAccounting"]),
    (
        "result-api.html",
        ["The Result API", "A pipeline: list, filter, update, verify", "Async: FutureResult"],
        ["Fold.collect"],
    ),
    (
        "reference/clients.html",
        ["Clients", "codat_customers.CodatAccounting", "codat_customers.CodatCustomers"],
        ["download_attachment", "iter_all"],
    ),
]

LEAKS = [
    re.compile(r"WARNING\s+-"),
    re.compile(r"^\s*:::\s", re.M),
    re.compile(r":(class|meth|func|attr|mod|data):`"),
    re.compile(r"Traceback \(most recent call last\)"),
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "chromium is not installed: the docs site is checked in a real browser. "
            "Install Debian's package (apt-get install -y chromium); .ci/run does it."
        )
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = build.stdout + build.stderr
    assert build.returncode == 0, log
    assert not re.search(r"^(WARNING|ERROR)", log, re.M), log
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _browse(url: str, tmp_path: Path, *extra: str) -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    done = subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _text(html: str) -> str:
    without_code = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", without_code))


def _headings(html: str) -> list[str]:
    found = re.findall(r"<h[1-3]\b[^>]*>(.*?)</h[1-3]>", html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>|¶", "", h)).strip() for h in found]


@pytest.mark.parametrize(("page", "headings", "contains"), PAGES, ids=[p[0] for p in PAGES])
def test_page_renders(
    base_url: str, tmp_path: Path, page: str, headings: list[str], contains: list[str]
) -> None:
    url = f"{base_url}/{page}"
    screenshot = tmp_path / (page.replace("/", "_").removesuffix(".html") + ".png")
    _browse(url, tmp_path, "--window-size=1280,1600", f"--screenshot={screenshot}")
    assert screenshot.stat().st_size > 20_000, "the screenshot is blank"
    print(f"screenshot of {url}: {screenshot}")

    dom = _browse(url, tmp_path, "--dump-dom", "--virtual-time-budget=5000")
    shown = _headings(dom)
    for heading in headings:
        assert any(h.startswith(heading) for h in shown), f"{page}: no heading {heading!r}"
    text = _text(dom)
    for expected in contains:
        assert expected in text, f"{page}: {expected!r} not shown"
    # Navigation: Material's sidebar with the site's sections, and the search box.
    assert 'class="md-nav' in dom
    for section in ("Quick start", "Guide", "API reference", "Changelog"):
        assert section in text, f"{page}: no {section!r} in the navigation"
    assert 'class="md-search' in dom
    # Highlighted code: Pygments token spans inside code blocks.
    assert re.search(r'<div class="[^"]*highlight[^"]*">', dom), f"{page}: no code block"
    assert re.search(r'<span class="(k|kn|nf|nc|s2|n)">', dom), f"{page}: code not highlighted"
    for leak in LEAKS:
        assert not leak.search(text), f"{page}: build output leaked: {leak.pattern}"
