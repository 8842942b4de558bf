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

#: Where a browser test that takes ``served`` or ``dashboard_url`` runs, and why.
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
#:   store and the workers serve that bundle. Running them twice proved nothing more (in
#:   test_dashboard: 6 of its 22 runs, ~18 % of its time). test_views_ui and test_plotly_bundle
#:   (the page's layout, words, accessibility and scripts) take the GeoPackage server only.
#:
#: The modules that only read share one server per way of serving for the whole session
#: (``dashboard_url``, ``dashboard_gpkg``); a module that writes or serves other data starts
#: its own.
#:
#: Nothing is skipped: a test marked ``one_backend`` is only generated once (its id ends in
#: ``[gpkg]``), and the run's summary lists how many such tests ran and why.
ONE_BACKEND = "one_backend"


def pytest_generate_tests(metafunc):
    """``served`` and ``dashboard_url`` are parametrised here, per test: both ways of serving,
    or the GeoPackage only for a test marked ``one_backend`` (which must say why)."""
    if not {"served", "dashboard_url"} & set(metafunc.fixturenames):
        return
    marker = metafunc.definition.get_closest_marker(ONE_BACKEND)
    if marker is not None and not (marker.args and str(marker.args[0]).strip()):
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: one_backend needs a reason")
    params = SERVED[:1] if marker is not None else SERVED
    for name in ("served", "dashboard_url"):
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, params, indirect=True, scope="module")


def _store_served(kind: str, request, store_path: Path, finalizer) -> tuple[str, int | None]:
    """``(location, workers)`` for one way of serving: the session's GeoPackage, or a PostGIS
    database of its own (copied from the template; ``finalizer`` gets its drop)."""
    if kind == "gpkg":
        return str(store_path), None
    databases = request.getfixturevalue("pg_databases")
    url = databases.create(request.getfixturevalue("postgis_template"))
    finalizer(lambda: databases.drop(url))
    return url, 2


@pytest.fixture(scope="module")
def served(request, store_path):
    """``(location, workers)`` of a store of the module's own, for a module that writes
    (test_import_browser): the GeoPackage (copy it before writing) or a database of its own."""
    return _store_served(request.param, request, store_path, request.addfinalizer)


# The dashboard over the session's store, one per way of serving, started when a module first
# asks and shared by every module that only reads: test_dashboard, test_export_button,
# test_views_ui, test_plotly_bundle. One start costs seconds of CPU (imports, the bundle, the
# layout; the production server does it in its master and two workers) and each new server
# compresses its GeoJSON again; these modules never write, so one server each way serves them
# all. A module that writes (test_import_browser) or serves other data (test_hostile_browser)
# starts its own.


def _read_only(kind, request, store_path, tmp_path_factory):
    location, workers = _store_served(kind, request, store_path, request.addfinalizer)
    workdir = tmp_path_factory.mktemp(f"read-only-{kind}")
    with running_server(location, workdir, workers=workers) as url:
        yield url + "/"


@pytest.fixture(scope="session")
def dashboard_gpkg(request, store_path, tmp_path_factory):
    """Base URL (ending in ``/``) of the shared read-only dashboard over the GeoPackage."""
    yield from _read_only("gpkg", request, store_path, tmp_path_factory)


@pytest.fixture(scope="session")
def dashboard_postgis(request, store_path, tmp_path_factory, pg_databases, postgis_template):
    """Base URL of the shared read-only dashboard over a PostGIS copy, ``serve --workers 2``
    (it takes the database fixtures itself, so that they outlive it)."""
    yield from _read_only("postgis-2-workers", request, store_path, tmp_path_factory)


@pytest.fixture(scope="module")
def dashboard_url(request) -> str:
    """The shared read-only dashboard on each way of serving, or on the GeoPackage only for a
    test marked ``one_backend``."""
    return request.getfixturevalue(
        "dashboard_gpkg" if request.param == "gpkg" else "dashboard_postgis"
    )


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
