"""A country-sized map in a real headless Chromium: below ``look.detail_zoom`` (layers/map_paint)
assets/map.js draws the communes from their simplified geometry and nothing more; the full
geometry, the points, the groups and the names come a second after that first picture, as
their own sources and layers in their place, with the communes' colours.

A national store takes minutes to build and serve, so the province's page stands in for one:
its first page is answered with the paint spec a country-sized store gets (``detail_zoom`` and
the simplified communes' URL, which the app serves for every store), with a detail zoom just
above the province's first view in a small window, so the province shows as a country would.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

PATIENCE = 180_000
DETAIL_ZOOM = 8.5  # a half zoom (layers/map_paint.DETAIL_ZOOM); the first view is at ~7.8
MAP = "window.ntmMap.map()"


@pytest.fixture(scope="module")
def server(store_path, tmp_path_factory, start_server):
    with start_server(str(store_path), tmp_path_factory.mktemp("country-map")) as url:
        yield url + "/"


def _as_a_country(route) -> None:
    """The first page with the paint spec of a country-sized store."""
    response = route.fetch()
    page = response.json()

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props") or {}
            if props.get("id") == "map-paint":
                _country_spec(props["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(page)
    route.fulfill(response=response, body=json.dumps(page))


def _country_spec(spec: dict) -> None:
    spec["look"]["detail_zoom"] = DETAIL_ZOOM
    full = spec["sources"]["communes"]
    spec["sources"]["communes_low"] = full.split(".geojson")[0] + "_low.geojson"


def _answers_as_a_country(route) -> None:
    """Every callback answer's paint spec as a country-sized store's."""
    response = route.fetch()
    body = response.json()
    paint = (body.get("response") or {}).get("map-paint")
    if paint and paint.get("data"):
        _country_spec(paint["data"])
    route.fulfill(response=response, body=json.dumps(body))


def _country_page(browser, server, answers=False):
    """The page as a country-sized store's (its first page; with ``answers`` every callback
    answer too), and the errors it reports."""
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.set_default_timeout(PATIENCE)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/_dash-layout", _as_a_country)
    if answers:
        page.route("**/_dash-update-component", _answers_as_a_country)
    page.goto(server)
    return page, errors


def _filter(page, layer):
    return page.evaluate("(id) => " + MAP + ".getFilter(id)", layer)


def _shown(page, layer):
    """The copy of a communes' layer drawn at the map's zoom (its ``-full`` twin above
    detail_zoom) and that copy's filter."""
    above = page.evaluate("() => " + MAP + ".getZoom()") >= DETAIL_ZOOM
    return _filter(page, layer + "-full" if above else layer)


def _settled(page):
    page.wait_for_function(
        "() => { const m = " + MAP + "; return m.loaded() && m.areTilesLoaded() && !m.isMoving(); }"
    )


def _details(page):
    """Until the details' sources are added and their states set once their data came."""
    page.wait_for_function(
        "() => { const s = window.ntmMap && window.ntmMap.state();"
        " return !!s && ['communes_full', 'projects', 'groups', 'labels'].every(k => s.sources[k])"
        " && s.points.length > 0 && s.groups.length > 0; }"
    )


def test_a_country_map_draws_its_details_after_the_communes(browser, server):
    page, errors = _country_page(browser, server)
    # First the communes alone, from the simplified geometry, every one coloured.
    page.wait_for_function(
        "() => { const s = window.ntmMap && window.ntmMap.state();"
        " return !!s && Object.keys(s.colours).length === 122; }"
    )
    first = page.evaluate("() => window.ntmMap.state()")
    assert page.evaluate("() => " + MAP + ".getZoom()") < DETAIL_ZOOM  # a country's first view
    assert "communes_2019_low.geojson" in first["sources"]["communes"]
    drawn = (
        "(() => { const m = "
        + MAP
        + "; return m.queryRenderedFeatures({layers: ['ntm-communes-fill']}); })()"
    )
    page.wait_for_function("() => " + drawn + ".length > 0")  # drawn from the simplified
    # Then the details' sources, added in the background, their layers in place.
    _details(page)
    state = page.evaluate("() => window.ntmMap.state()")
    assert "communes_2019.geojson" in state["sources"]["communes_full"]
    assert state["points"] and state["groups"]  # their feature states were set once added
    zooms = page.evaluate(
        "(ids) => { const m = " + MAP + ";"
        " return ids.map(id => { const l = m.getLayer(id);"
        " return l && [l.minzoom, l.maxzoom]; }); }",
        [
            "ntm-communes-fill",
            "ntm-communes-fill-full",
            "ntm-groups",
            "ntm-label-commune",
            "ntm-district-line",
        ],
    )
    low, full, groups, names, districts = zooms
    assert low[1] == DETAIL_ZOOM and full[0] == DETAIL_ZOOM  # one or the other, by zoom
    assert groups[0] == DETAIL_ZOOM and names[0] == DETAIL_ZOOM
    assert districts[0] in (None, 0)  # the outlines at every zoom
    order = state["layers"]
    assert order.index("ntm-communes-fill-full") < order.index("ntm-district-line")
    assert order.index("ntm-groups") < order.index("ntm-label-district")
    # Zoomed in to the details as a reader zooms (a move with an "originalEvent", which map.js's
    # fit keeps): the full communes carry the same colours (feature states), the groups show.
    page.evaluate(
        "() => " + MAP + ".jumpTo({zoom: " + str(DETAIL_ZOOM + 0.3) + "},"
        " {originalEvent: {type: 'wheel'}})"
    )
    page.wait_for_function(
        "() => { const m = " + MAP + "; if (!m.loaded() || !m.areTilesLoaded()) return false;"
        " const f = m.queryRenderedFeatures({layers: ['ntm-communes-fill-full']});"
        " const g = m.queryRenderedFeatures({layers: ['ntm-groups']}).filter(x => x.state.on);"
        " return f.length > 0 && f.every(x => x.state && x.state.fill) && g.length > 0; }"
    )
    assert errors == []
    page.close()


def test_a_country_map_draws_only_the_outlines_and_points_it_shows(browser, server, bundle):
    """The whole country's frame draws no outline of the 10,736 communes that nothing marks
    (issue 10): the communes' outlines show from a zoom below the details only, the fill draws
    no outline of its own, and the match and selection outlines are filtered to the communes
    they mark. A layer's filter is set when its side of detail_zoom comes into view (a changed
    filter lays out its source's tiles again)."""
    page, errors = _country_page(browser, server, answers=True)
    _details(page)
    assert page.evaluate("() => " + MAP + ".getLayer('ntm-communes-line').minzoom") == (
        DETAIL_ZOOM - 1
    )
    assert page.evaluate("() => " + MAP + ".getLayer('ntm-communes-line-full').minzoom") == (
        DETAIL_ZOOM
    )
    antialias = "(id) => " + MAP + ".getPaintProperty(id, 'fill-antialias')"
    assert page.evaluate(antialias, "ntm-communes-fill") is False
    assert page.evaluate(antialias, "ntm-communes-fill-full") is None  # the default: outlined
    for layer in ("ntm-match", "ntm-selected"):
        assert _filter(page, layer) is False  # nothing marked, nothing drawn

    # A commune chosen: its outline alone is drawn.
    code = sorted(page.evaluate("() => window.ntmMap.state().colours"))[5]
    page.evaluate(
        "(code) => window.dash_clientside.set_props('map-click',"
        " {data: {kind: 'commune', id: code, n: 1}})",
        code,
    )
    page.wait_for_function(
        "(code) => JSON.stringify(window.ntmMap.state().selected) === JSON.stringify([code])",
        arg=code,
    )
    _settled(page)
    assert _shown(page, "ntm-selected") == ["match", ["get", "code"], [code], True, False]

    # A project kind chosen: the communes with such a project are outlined, and only they.
    page.evaluate("() => window.dash_clientside.set_props('f-project-kind', {value: ['bridge']})")
    page.wait_for_function("() => window.ntmMap.state().match.length > 0")
    _settled(page)
    match = page.evaluate("() => window.ntmMap.state().match")
    got = _shown(page, "ntm-match")
    assert got[:2] == ["match", ["get", "code"]] and sorted(got[2]) == sorted(match)
    assert len(match) < 122

    # A district: its view is above detail_zoom, its points' filter is set there; back to
    # the whole view, below it, the points' layers keep their filter until a zoom shows them.
    page.evaluate("() => window.dash_clientside.set_props('f-project-kind', {value: []})")
    page.wait_for_function("() => window.ntmMap.state().match.length === 0")
    district = bundle.projects["district_code"].value_counts().index[0]  # the most projects
    page.evaluate("(d) => window.dash_clientside.set_props('f-district', {value: [d]})", district)
    page.wait_for_function("() => " + MAP + ".getZoom() > " + str(DETAIL_ZOOM))
    _settled(page)
    in_district = page.evaluate("() => window.ntmMap.state().points")
    assert in_district != "all" and len(in_district) > 0
    got = _filter(page, "ntm-points")
    assert got[:2] == ["match", ["get", "pid"]] and sorted(got[2]) == sorted(in_district)
    selected = page.evaluate("() => window.ntmMap.state().selected")  # the full copies' too
    marked = ["match", ["get", "code"], selected, True, False] if selected else False
    assert _filter(page, "ntm-selected-full") == marked
    assert _filter(page, "ntm-match-full") is False
    page.evaluate("() => window.dash_clientside.set_props('f-district', {value: []})")
    page.wait_for_function("() => " + MAP + ".getZoom() < " + str(DETAIL_ZOOM))
    _settled(page)
    assert _filter(page, "ntm-points") == got  # not laid out again where nothing shows it
    page.evaluate(
        "() => " + MAP + ".jumpTo({zoom: " + str(DETAIL_ZOOM + 0.3) + "},"
        " {originalEvent: {type: 'wheel'}})"
    )
    page.wait_for_function(
        "(n) => { const f = " + MAP + ".getFilter('ntm-points');"
        " return !f || f[0] !== 'match' || f[2].length !== n; }",
        arg=len(got[2]),
    )
    everywhere = page.evaluate("() => window.ntmMap.state().points")
    now = _filter(page, "ntm-points")
    if everywhere == "all":
        assert now is None
    else:
        assert sorted(now[2]) == sorted(everywhere) and len(everywhere) > len(in_district)
    assert errors == []
    page.close()


FRAMES = """() => { const m = window.ntmMap.map(); window.__frames = {drawn: 0, held: 0};
  m.on('render', () => { window.__frames[m._ntmHeld ? 'held' : 'drawn'] += 1; }); }"""


def _jump_frames(page, zoom):
    """The frames drawn (and held) by a reader's jump to ``zoom``, once the map settled."""
    page.evaluate("() => { window.__frames.drawn = 0; window.__frames.held = 0; }")
    page.evaluate("(z) => " + MAP + ".jumpTo({zoom: z}, {originalEvent: {type: 'wheel'}})", zoom)
    _settled(page)
    # and no frame still asked for (the one a held frame leaves for the picture)
    page.wait_for_function("() => !" + MAP + "._frameRequest && !" + MAP + "._ntmHold")
    _settled(page)
    return page.evaluate("() => window.__frames")


def test_a_country_map_is_indexed_for_its_details_and_crosses_detail_zoom_in_one_frame(
    browser, server
):
    """A district's first view is cut from an index MapLibre's worker made when the data
    came, down to the tiles' zoom (issue 10: a national district change cut its tiles from
    the whole country's 100,000 points, zoom after zoom: 0.9 s of the worker); and a move
    across detail_zoom, which changes the sources drawn, draws once (the frame in which
    MapLibre finds that out asks for another, the same picture: held)."""
    page, errors = _country_page(browser, server)
    _details(page)
    _settled(page)
    options = page.evaluate(
        "() => { const m = " + MAP + ", s = window.ntmMap.state();"
        " return Object.keys(s.sources).map(k => {"
        " const o = m.getSource('ntm-' + k).workerOptions.geojsonVtOptions;"
        " return [k, o.indexMaxZoom, o.indexMaxPoints, o.maxZoom]; }); }"
    )
    assert {k for k, *_ in options} >= {"communes_full", "projects", "groups", "labels"}
    for key, index_zoom, index_points, max_zoom in options:
        assert index_zoom == max_zoom, key  # indexed down to the zoom its tiles are cut at
        assert 0 < index_points < 100_000, key  # MapLibre's default stops at 100,000 points
    page.evaluate(FRAMES)
    below, above = DETAIL_ZOOM - 0.4, DETAIL_ZOOM + 0.3
    _jump_frames(page, above)  # the details' tiles for this view come: a frame per arrival
    _jump_frames(page, below)
    for zoom in (above, below, above):  # every tile at hand: one picture each way
        frames = _jump_frames(page, zoom)
        assert frames["drawn"] == 1, (zoom, frames)
        assert frames["held"] >= 1, (zoom, frames)
    assert errors == []
    page.close()
