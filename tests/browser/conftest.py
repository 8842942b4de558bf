"""Shared parts of the browser tests: the real server in a subprocess, Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from servers import running_server

from dashboard.headless import CHROMIUM, launch_chromium


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download needed)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


#: Every browser test runs against both ways of serving: the GeoPackage under Flask's server in
#: one process, and a PostGIS copy of it under the production server with two workers.
SERVED = ("gpkg", "postgis-2-workers")


@pytest.fixture(scope="module", params=SERVED)
def served(request, store_path):
    """``(location, workers)`` of the store a module's server runs on (see :data:`SERVED`)."""
    if request.param == "gpkg":
        return str(store_path), None
    databases = request.getfixturevalue("pg_databases")
    url = databases.create(request.getfixturevalue("postgis_template"))
    request.addfinalizer(lambda: databases.drop(url))
    return url, 2


@pytest.fixture(scope="session")
def start_server():
    """:func:`running_server`, for the test modules (``with start_server(store, dir) as url``)."""
    return running_server
