"""Which project points and commune groups the map DRAWS, for a filter, in a real headless
Chromium: exactly the projects that pass the filters (geodata.coverage.filter_projects), on a
province's map (assets/map.js shows them by feature states) and on a country's map (by its
layers' filters, issue 10: feature states for 100,000 points cost seconds per change).

What is checked is what MapLibre renders (``queryRenderedFeatures``, with the layer's own
opacity rule), not map.js's record of it, so a point that should show and does not fails.
A national store takes minutes to build and serve, so, as in test_country_map.py, the
province's page stands in for a country's: every paint spec it gets (first page and every
answer) is rewritten to a country-sized one (``look.detail_zoom``; ``points`` "all" when every
project passes, as the server sends it for a country).
"""

from __future__ import annotations

import json

import pytest

from geodata import coverage as cv
from layers import map_paint, styles

pytestmark = pytest.mark.browser

PATIENCE = 180_000
MAP = "window.ntmMap.map()"
READY = (
    "() => { const m = window.ntmMap && window.ntmMap.map();"
    " return !!(m && m.loaded() && m.areTilesLoaded()); }"
)
#: A country's details show from this zoom (below the province's first view: all at once).
DETAIL_ZOOM = 2.5
#: Features a layer draws in view, each as [id, shown]: shown = its layer lets it through
#: (filter) and its opacity rule, where it reads the feature state "on", finds it on.
DRAWN = (
    "([layer, key]) => { const m = " + MAP + ";"
    " const byState = JSON.stringify(m.getPaintProperty(layer,"
    " layer.includes('text') || layer.includes('letters') ? 'text-opacity' : 'circle-opacity'))"
    ".includes('feature-state');"
    " const ids = m.queryRenderedFeatures({layers: [layer]})"
    ".filter(f => !byState || (f.state && f.state.on === true)).map(f => f.properties[key]);"
    " return [...new Set(ids)].sort(); }"
)


def _country(spec: dict, n_projects: int) -> None:
    """A province's paint spec made a country's (as layers/map_paint.paint_spec makes it)."""
    spec["look"]["detail_zoom"] = DETAIL_ZOOM
    if isinstance(spec["points"], list) and len(spec["points"]) == n_projects:
        spec["points"] = "all"


def _rewrite(n_projects: int):
    def walk(node):
        if isinstance(node, dict):
            if (node.get("props") or {}).get("id") == "map-paint":
                _country(node["props"]["data"], n_projects)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    def layout(route):
        response = route.fetch()
        page = response.json()
        walk(page)
        route.fulfill(response=response, body=json.dumps(page))

    def answer(route):
        response = route.fetch()
        body = response.json()
        paint = (body.get("response") or {}).get("map-paint")
        if paint and paint.get("data"):
            _country(paint["data"], n_projects)
        route.fulfill(response=response, body=json.dumps(body))

    return layout, answer


@pytest.fixture(params=["province", "country"])
def page(request, browser, dashboard_gpkg, bundle):
    """A page of the shared dashboard (only read: GeoPackage), as a province's or a
    country's."""
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    pg.set_default_timeout(PATIENCE)
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.country = request.param == "country"
    if pg.country:
        layout, answer = _rewrite(len(bundle.projects))
        pg.route("**/_dash-layout", layout)
        pg.route("**/_dash-update-component", answer)
    pg.goto(dashboard_gpkg)
    pg.wait_for_function(READY)
    yield pg
    pg.close()


def _painted(page, points: list[str], every: bool) -> None:
    """Wait until map.js has painted these points and MapLibre has laid them out."""
    page.wait_for_function(
        "([e, every]) => { const s = window.ntmMap.state(); if (!s) return false;"
        " return s.points === 'all' ? every : JSON.stringify(s.points) === JSON.stringify(e); }",
        arg=[points, every],
    )
    page.wait_for_function(READY)


def _look_at(page, zoom: float, lon: float, lat: float) -> None:
    page.evaluate(
        "([lon, lat, zoom]) => " + MAP + ".jumpTo({center: [lon, lat], zoom: zoom})",
        [lon, lat, zoom],
    )
    page.wait_for_function(READY)


def _drawn(page, layer: str, key: str) -> list[str]:
    return page.evaluate(DRAWN, [layer, key])


def _bounds(page) -> tuple[float, float, float, float]:
    return tuple(page.evaluate("() => " + MAP + ".getBounds().toArray().flat()"))


def _expected_texts(projects) -> list[str]:
    """Per commune its group's text: the count, or its one project's kind letter."""
    out = []
    for code, group in projects.dropna(subset=["code_2019"]).groupby("code_2019"):
        n = len(group)
        key = styles.kind_style(group["kind"].iloc[0]).key
        out.append(f"{code}#{n}" if n > 1 else f"{code}@{key}")
    return sorted(out)


@pytest.mark.parametrize(
    "control, value, filters",
    [
        (None, None, cv.Filters()),
        ("f-project-kind", ["bridge"], cv.Filters(project_kinds=("bridge",))),
        ("f-district", ["064"], cv.Filters(districts=("064",))),
    ],
    ids=["nothing-filtered", "bridges", "a-district"],
)
def test_the_map_draws_exactly_the_points_and_groups_that_pass(
    page, bundle, control, value, filters
):
    projects = cv.filter_projects(bundle, 2019, filters)
    points = sorted(projects["project_id"])
    every = len(points) == len(bundle.projects)
    assert points and (every or control)
    if control:
        page.evaluate(
            "([id, value]) => dash_clientside.set_props(id, {value: value})", [control, value]
        )
    _painted(page, points, every)
    box = bundle.bbox(2019)
    # at a view of the whole province: one disc per commune with projects shown, with its
    # count (or its one project's letter); the points' layers let exactly these through
    centre = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    _look_at(page, 8.5, *centre)
    assert _drawn(page, "ntm-groups", "fid") == sorted(set(projects["code_2019"].dropna()))
    assert _drawn(page, "ntm-group-text", "fid") == _expected_texts(projects)
    approximate = sorted(
        projects.loc[styles.is_approximate(projects["location_precision"]), "project_id"]
    )
    if page.country:  # its points' layers are hidden below zoom 10.5: no tile laid out
        for layer in ("ntm-points", "ntm-point-letters", "ntm-halo"):
            assert _drawn(page, layer, "pid") == []
    else:  # laid out at every zoom (its tiles serve every district's view), drawn from 10.5
        assert _drawn(page, "ntm-points", "pid") == points
        assert _drawn(page, "ntm-point-letters", "pid") == points
        assert _drawn(page, "ntm-halo", "pid") == approximate
    # zoomed in to the single points (at the median one): those in view are drawn, no other
    _look_at(page, 10.6, float(projects["lon"].median()), float(projects["lat"].median()))
    west, south, east, north = _bounds(page)
    inside = (projects["lon"].between(west, east)) & (projects["lat"].between(south, north))
    seen = _drawn(page, "ntm-points", "pid")
    assert seen == sorted(projects.loc[inside, "project_id"]) and seen
    halo = sorted(set(approximate) & set(projects.loc[inside, "project_id"]))
    assert _drawn(page, "ntm-point-letters", "pid") == seen
    assert _drawn(page, "ntm-halo", "pid") == halo
    if page.country:  # no feature state per point on a country's map
        assert page.evaluate(
            "() => " + MAP + ".queryRenderedFeatures({layers: ['ntm-points']})"
            ".every(f => !f.state || f.state.on === undefined)"
        )
    assert page.errors == []


FIRST_PICTURE = """
(() => {
  const hook = setInterval(() => {
    const m = window.ntmMap && window.ntmMap.map();
    if (!m) return;
    clearInterval(hook);
    m.on('render', () => {
      if (m._ntmHeld || window.__ntmFirst) return;
      window.__ntmFirst = {projects: !!m.getSource('ntm-projects'), zoom: m.getZoom(),
        communes: !!m.getSource('ntm-communes') && m.isSourceLoaded('ntm-communes')};
    });
  }, 5);
})();
"""


def test_the_first_picture_waits_for_no_point_it_cannot_show(browser, dashboard_gpkg, bundle):
    """The single points show from ``look.group_max_zoom`` (10.5) and a province's first view
    is below it: its first picture is drawn without the projects' source, whose tiles were
    one source in seven the picture waited for (issue 10: navigation → map drawn), and the
    points come right after it, all of them, ready for the jump to a district."""
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    pg.set_default_timeout(PATIENCE)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.add_init_script(FIRST_PICTURE)
    pg.goto(dashboard_gpkg)
    first = pg.wait_for_function("() => window.__ntmFirst").json_value()
    assert first["communes"] and first["zoom"] < map_paint.GROUP_MAX_ZOOM
    assert not first["projects"]
    every = sorted(bundle.projects["project_id"])
    _painted(pg, every, True)  # added once the picture is drawn, each point painted
    assert _drawn(pg, "ntm-points", "pid") == every
    assert not errors
    pg.close()


#: The page's callback requests: [start, HTTP status once answered (0 before)].
ASKED = """() => performance.getEntriesByType('resource')
    .filter(e => e.name.includes('_dash-update-component'))
    .map(e => [e.startTime, e.responseStatus])"""


@pytest.mark.parametrize("query", ["", "?lang=en"])
def test_the_default_view_asks_the_server_only_after_its_first_picture(
    browser, dashboard_gpkg, query
):
    """A link without a query is the layout's own view: the page's first callbacks change
    nothing the map shows, and Dash's work on them held back the map's tiles (issue 10:
    navigation → map drawn), so they are sent once the first picture is drawn. They are
    still sent, and answered. A link with a query asks at once: its answer is the view."""
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    pg.set_default_timeout(PATIENCE)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.add_init_script(
        FIRST_PICTURE.replace("zoom: m.getZoom(),", "zoom: m.getZoom(), at: performance.now(),")
    )
    pg.goto(dashboard_gpkg.rstrip("/") + "/" + query)
    first = pg.wait_for_function("() => window.__ntmFirst").json_value()
    # the page callback and the one its answer sets off, both answered
    pg.wait_for_function(
        f"() => {{ const a = ({ASKED})(); return a.length >= 2 && a.every(x => x[1]); }}"
    )
    asked = pg.evaluate(ASKED)
    assert first["communes"] and not errors
    assert {status for _, status in asked} == {200}
    if query:
        assert min(t for t, _ in asked) < first["at"], (asked, first)
        pg.wait_for_function("() => document.documentElement.lang === 'en'")  # the answer shown
    else:
        assert min(t for t, _ in asked) >= first["at"], (asked, first)
    pg.close()
