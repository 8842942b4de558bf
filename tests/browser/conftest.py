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


#: The two ways of serving: the GeoPackage under Flask's server in one process, and a PostGIS
#: copy of it under the production server (``ntm-atlas serve --workers 2``).
SERVED = ("gpkg", "postgis-2-workers")

#: Where a browser test that takes ``served`` runs, and why.
#:
#: - On BOTH ways of serving: a test whose outcome depends on the store backend or on the
#:   production server: what the page shows is read from the store (the communes of a vintage,
#:   a commune's sponsors and projects, the gap tables and their CSV), a download is made by a
#:   worker (the export button), or a write goes through the workers (imports, sign-in).
#:   test_dashboard: the page with its 122 communes, the district filter (cards, gap table, CSV,
#:   pick), Xuân Lạc's details, a URL restoring a 2020 view, the 2025 units and their projects;
#:   test_export_button; test_import_browser.
#: - On the GeoPackage only, marked ``@pytest.mark.one_backend("why")``: a test of the page
#:   itself (map.js painting, labels and frames, hover and clicks, the language switch, the tab
#:   that fills its tables, out-of-order answers), fed by the same callbacks from the same
#:   bundle whichever store it was read from; the tests above already show that the PostGIS
#:   store and the workers serve that bundle. Running them twice proved nothing more and cost
#:   ~40 % of the browser tests' time.
#:
#: Nothing is skipped: a test marked ``one_backend`` is only generated once (its id ends in
#: ``[gpkg]``), and the run's summary lists how many such tests ran and why.
ONE_BACKEND = "one_backend"


def pytest_generate_tests(metafunc):
    """``served`` is parametrised here, per test: both ways of serving, or the GeoPackage only
    for a test marked ``one_backend`` (which must say why)."""
    if "served" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker(ONE_BACKEND)
    if marker is not None and not (marker.args and str(marker.args[0]).strip()):
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: one_backend needs a reason")
    params = SERVED[:1] if marker is not None else SERVED
    metafunc.parametrize("served", params, indirect=True, scope="module")


@pytest.fixture(scope="module")
def served(request, store_path):
    """``(location, workers)`` of the store a module's server runs on (see :data:`SERVED`)."""
    if request.param == "gpkg":
        return str(store_path), None
    databases = request.getfixturevalue("pg_databases")
    url = databases.create(request.getfixturevalue("postgis_template"))
    request.addfinalizer(lambda: databases.drop(url))
    return url, 2


def pytest_terminal_summary(terminalreporter):
    """Say which browser tests ran on one way of serving only, and why (never silently)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed"):
        if report.when == "call" and ONE_BACKEND in report.keywords:
            reason = dict(report.user_properties).get(ONE_BACKEND, "")
            reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        terminalreporter.write_sep("-", "browser tests run on the GeoPackage server only")
        for reason, n in sorted(reasons.items()):
            terminalreporter.write_line(f"{n:3d} × {reason}")


@pytest.fixture(autouse=True)
def _one_backend_reason(request):
    """Keeps a ``one_backend`` test's reason in its report, for the summary above."""
    marker = request.node.get_closest_marker(ONE_BACKEND)
    if marker is not None:
        request.node.user_properties.append((ONE_BACKEND, str(marker.args[0])))


@pytest.fixture(scope="session")
def start_server():
    """:func:`running_server`, for the test modules (``with start_server(store, dir) as url``)."""
    return running_server
