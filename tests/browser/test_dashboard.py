"""The dashboard in a real headless Chromium (Debian's), against the real server.

Starts ``create_app(settings).run`` in a subprocess on a free localhost port over the session's
store, and checks what issue 3's "Done when" lists. Screenshots go to tests/browser/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from places import free_spot

from geodata import coverage as cv
from geodata import vocabulary as vocab
from layers import styles

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).parent / "screenshots"
#: How long a wait for a state may take (ms): generous, because a loaded machine (2 cores, other
#: test runs) answers slowly; a test waits for the state, never for a time.
PATIENCE = 180_000
#: The map's box, and its MapLibre map (assets/map.js makes it there: window.ntmMap.map()).
GD = "document.getElementById('map')"
MAP = "window.ntmMap.map()"
READY = (
    "() => { const m = window.ntmMap && window.ntmMap.map();"
    " return !!(m && m.loaded() && m.areTilesLoaded()); }"
)
# Unique commune polygons MapLibre holds in map.js's communes source.
RENDERED = (
    "() => { const m = " + MAP + ";"
    " const f = m.getSource('ntm-communes') ? m.querySourceFeatures('ntm-communes') : [];"
    " return new Set(f.map(x => x.properties.code)).size; }"
)
#: The communes map.js has painted (a colour set per commune code).
LOCATIONS = (
    "() => { const s = window.ntmMap.state(); return s ? Object.keys(s.colours).length : 0; }"
)


@pytest.fixture(scope="module")
def server(dashboard_url):
    """The session's read-only dashboard, on each way of serving (conftest.SERVED)."""
    return dashboard_url


@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the module: its HTTP cache holds the scripts and the GeoJSON,
    as a returning visitor's would."""
    ctx = browser.new_context(viewport={"width": 1600, "height": 1150})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    pg.set_default_timeout(PATIENCE)
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(READY)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _pixel(page, lon: float, lat: float) -> tuple[float, float]:
    return tuple(
        page.evaluate(
            "([lon, lat]) => { const m = " + MAP + ";"
            " const p = m.project([lon, lat]); const r = m.getCanvas().getBoundingClientRect();"
            " return [r.left + p.x, r.top + p.y]; }",
            [lon, lat],
        )
    )


def _choose(page, dropdown_id: str, text: str, expect: str) -> None:
    """Open a dropdown, type into its search box, wait for the option, take it with Enter."""
    page.click(f"#{dropdown_id}")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.type === 'search'"
    )
    page.keyboard.type(text)
    page.wait_for_function(
        "(expect) => { const o = document.querySelector('.dash-dropdown-option');"
        " return !!o && o.innerText.includes(expect); }",
        arg=expect,
    )
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def _option(page, dropdown_id: str, text: str) -> None:
    """Open a (non-searchable) dropdown and click the option with this text."""
    page.click(f"#{dropdown_id}")
    page.locator(".dash-dropdown-option", has_text=text).first.click()
    page.keyboard.press("Escape")


def test_page_loads_without_console_errors_with_122_communes(page, server):
    _open(page, server)
    page.wait_for_function("() => (" + RENDERED + ")() === 122")
    assert page.evaluate(LOCATIONS) == 122
    assert page.evaluate(RENDERED) == 122
    assert "122" in page.inner_text("#vintage-note")
    assert "Có đơn vị giúp đỡ" in page.inner_text("#legend")
    page.wait_for_function(READY)  # labels (glyphs) and late requests
    _shot(page, "01-overview")
    assert page.errors == []


@pytest.mark.one_backend("a tab that fills on opening: page behaviour (its rows: district test)")
def test_the_gap_tables_fill_when_their_tab_opens(page, server, bundle):
    """A fresh page is served without the closed tab's tables (a national store has 10,736
    rows); opening the tab fills both with the default view's rows."""
    from dashboard import callbacks as cb
    from dashboard import state as st
    from dashboard.i18n import Translations

    c = cb.Context(bundle=bundle, translations=Translations.load(), geo_urls={})
    default = st.default_state(c.years)
    gaps, sponsors = (cb.table_rows(c, default, which) for which in ("gaps", "sponsors"))
    _open(page, server)
    assert page.locator("#gap-table tr, #sponsor-table tr").count() == 0
    page.click("#tabs >> text=Xã chưa có đơn vị giúp đỡ")
    page.wait_for_selector("#gap-table tbody tr")
    page.wait_for_selector("#sponsor-table tbody tr")
    rows = page.locator("#gap-table tbody tr").all_inner_texts()
    assert len(rows) == len(gaps) > 0
    assert {r["name"] for r in gaps} == {row.split("\t")[0].strip() for row in rows}
    assert page.locator("#sponsor-table tbody tr").count() == len(sponsors) > 0
    assert page.errors == []


def test_district_filter_updates_cards_and_table(page, server):
    _open(page, server)
    assert "/ 122" in page.inner_text("#cards")
    _choose(page, "f-district", "Chợ Đồn", "Huyện Chợ Đồn")
    page.wait_for_function("() => document.querySelector('#cards').innerText.includes('/ 22')")
    assert "?d=064" in page.url
    page.click("#tabs >> text=Xã chưa có đơn vị giúp đỡ")
    page.wait_for_selector("#gap-table tbody tr")
    rows = page.locator("#gap-table tbody tr").all_inner_texts()
    assert rows and all("Chợ Đồn" in r for r in rows)
    assert len(rows) == 22 - 7  # communes in view minus those with a sponsor recorded
    _shot(page, "02-gaps-cho-don")
    # CSV of what the table shows.
    with page.expect_download() as download:
        page.click("#gap-csv")
    csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = [line for line in csv_text.splitlines() if line.strip()]
    assert len(lines) == 1 + len(rows)
    assert "Xã Bằng Lãng" in csv_text and "Huyện Chợ Đồn" in csv_text
    # Clicking a commune selects it everywhere (difficult ones come first: Bằng Lãng), the
    # search box included.
    page.locator("#gap-table tbody tr a.pick").first.click()
    page.wait_for_selector("#detail [data-commune]")
    assert "Xã Bằng Lãng" in page.inner_text("#detail")
    assert "sel=02065" in page.url
    assert "Xã Bằng Lãng" in page.inner_text("#search")
    assert page.errors == []


def test_click_xuan_lac_shows_its_sponsor_and_projects(page, server, bundle):
    _open(page, server)
    communes = bundle.communes(2019)
    xuan_lac = communes.loc[communes["code"] == "02023"].geometry.iloc[0]
    spot = free_spot(xuan_lac, bundle.projects.geometry, inset_m=420, clear_m=1300)
    # Zoom in (as a person would) so that the click lands on the commune, not on a project.
    page.evaluate(
        "([lon, lat]) => " + MAP + ".jumpTo({center: [lon, lat], zoom: 11})",
        [spot.x, spot.y],
    )
    page.wait_for_function(READY)
    x, y = _pixel(page, spot.x, spot.y)
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_selector("#detail [data-commune='02023']")
    detail = page.inner_text("#detail")
    assert "Xã Xuân Lạc" in detail
    assert "Sở Công Thương" in detail
    assert "Trạm biến áp" in detail and "Nâng cấp trạm biến áp Bản Ó" in detail
    assert "sel=02023" in page.url
    _shot(page, "03-xuan-lac")
    assert page.errors == []


def test_url_restores_the_view(page, server, bundle):
    _open(page, server + "?lang=en&v=2020&m=n_projects&d=064&sel=02023")
    box = bundle.tables["districts"].set_index("code").loc[["064"]].total_bounds
    fitted = ",".join(str(round(float(x), 5)) for x in box)  # the map fits Chợ Đồn
    page.wait_for_function("(k) => " + GD + ".dataset.ntmFitted === k", arg=fitted)
    page.wait_for_selector("#detail [data-commune='02023']")
    page.wait_for_function(
        "() => document.querySelector('#legend').innerText.includes('Number of projects')"
    )
    # The 2020 communes arrive with the map update that follows the URL: wait for them.
    page.wait_for_function("() => (" + LOCATIONS + ")() === 108")
    assert "2020–2025" in page.inner_text("#vintage")
    assert "Number of projects" in page.inner_text("#measure")
    assert "Chợ Đồn" in page.inner_text("#f-district")
    assert "Sở Công Thương" in page.inner_text("#detail")
    assert "District" in page.inner_text(".sidebar")
    _shot(page, "04-url-restored")
    assert page.errors == []


@pytest.mark.one_backend("words from the translation table, not the store")
def test_language_switch_changes_the_legend(page, server):
    _open(page, server)
    assert "Có đơn vị giúp đỡ" in page.inner_text("#legend")
    page.wait_for_load_state("networkidle")
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if "_dash-update-component" in r.url else None,
    )
    page.click("#lang >> text=English")
    page.wait_for_function(
        "() => document.querySelector('#legend').innerText.includes('Sponsor coverage')"
    )
    assert "Bridge" in page.inner_text("#kind-legend")
    # the words of the controls come with the page callback's answer (assets/words.js)
    page.wait_for_function("() => document.querySelector('.sidebar').innerText.includes('Filters')")
    assert page.evaluate("() => document.getElementById('app-root').lang") == "en"
    page.wait_for_load_state("networkidle")
    assert len(posts) == 1  # one request: the page callback's answer carries the words
    assert "lang=en" in page.url
    _shot(page, "05-english")
    # Keyboard only: Tab from the top of the page to the commune search, type, Enter.
    page.click("h1")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('#search')"):
            break
    else:
        pytest.fail("the commune search is not reachable with Tab")
    page.keyboard.press("Enter")  # open the list
    page.wait_for_function("() => document.activeElement.type === 'search'")
    page.keyboard.type("xuan lac")
    page.wait_for_function(
        "() => (document.querySelector('.dash-dropdown-option') || {}).innerText"
        " === 'Xã Xuân Lạc – Huyện Chợ Đồn'"
    )
    page.keyboard.press("Enter")
    page.wait_for_selector("#detail [data-commune='02023']")
    assert "Sponsors" in page.inner_text("#detail")
    assert page.errors == []


def test_vintage_2025_has_37_units_and_xuan_lac_projects_in_nam_cuong(page, server, bundle):
    _open(page, server)
    _option(page, "vintage", "Từ 2025")
    page.wait_for_function("() => (" + LOCATIONS + ")() === 37")
    page.wait_for_function(READY)
    page.wait_for_function("() => (" + RENDERED + ")() === 37")
    assert "37" in page.inner_text("#vintage-note")
    # Where the browser draws Xuân Lạc's projects: inside Xã Nam Cường (02026).
    drawn = page.evaluate(  # the points map.js shows, where its GeoJSON puts them
        "async () => { const s = window.ntmMap.state(); const on = new Set(s.points);"
        " const g = await (await fetch(s.sources.projects)).json();"
        " return g.features.filter(f => on.has(f.properties.pid))"
        ".map(f => [f.properties.pid, ...f.geometry.coordinates]); }"
    )
    mine = set(bundle.projects.loc[bundle.projects["code_2019"] == "02023", "project_id"])
    nam_cuong = bundle.communes(2025).set_index("code").geometry["02026"]
    inside = [shapely.Point(lon, lat).within(nam_cuong) for pid, lon, lat in drawn if pid in mine]
    assert len(inside) == len(mine) and all(inside)
    # And the commune panel of Nam Cường lists them.
    _choose(page, "search", "Nam Cuong", "Xã Nam Cường")
    page.wait_for_selector("#detail [data-commune='02026']")
    detail = page.inner_text("#detail")
    assert "Xã Nam Cường" in detail and "Xã Xuân Lạc" in detail
    assert "Nâng cấp chợ Xuân Lạc" in detail  # the project titles in Vietnamese
    page.wait_for_function(READY)
    _shot(page, "06-vintage-2025-nam-cuong")
    assert page.errors == []


@pytest.mark.one_backend("map.js paints the spec on the same map")
def test_a_filter_change_paints_the_map_without_a_new_map(page, server, bundle):
    """map.js paints the classes, the match outline and the points of the new filters from the
    paint spec, on the same MapLibre map (no new map, no source re-cut); the map is no Plotly
    graph."""
    _open(page, server)
    page.wait_for_function("() => (" + LOCATIONS + ")() === 122")
    assert page.evaluate("() => !document.querySelector('#map .js-plotly-plot')")
    page.evaluate("() => { window.__map = " + MAP + "; }")
    f = cv.Filters(project_kinds=("bridge",))
    table = cv.commune_measures(bundle, 2019, f)
    colours = styles.class_colours("coverage")
    expected = {
        code: colours[c]
        for code, c in zip(table["code"], styles.classify("coverage", table), strict=True)
    }
    match = sorted(table.loc[table["match"], "code"])
    points = sorted(cv.filter_projects(bundle, 2019, f)["project_id"])
    assert match and points
    page.evaluate("() => dash_clientside.set_props('f-project-kind', {value: ['bridge']})")
    page.wait_for_function(
        "(e) => JSON.stringify(window.ntmMap.state().points) === JSON.stringify(e)", arg=points
    )
    state = page.evaluate("() => window.ntmMap.state()")
    assert state["match"] == match  # the bold outline around the communes with a bridge
    assert state["colours"] == expected
    assert len(state["groups"]) >= len({c for c in table.loc[table["match"], "code"]})
    assert page.evaluate("() => window.__map === " + MAP)  # the same map, painted
    # every layer is map.js's: the points lie below the name labels and the district lines
    layers = state["layers"]
    assert layers[0] == "white-bg" and all(n.startswith("ntm-") for n in layers[1:])
    at = {n: i for i, n in enumerate(layers)}
    top = max(at["ntm-points"], at["ntm-groups"], at["ntm-group-text"], at["ntm-communes-fill"])
    assert top < min(at["ntm-label-district"], at["ntm-district-line"], at["ntm-province-line"])
    assert page.errors == []


#: MapLibre events from now on: frames drawn, tiles made (our sources) and "idle"; the time
#: map.js fitted a box (gd.dataset.ntmFitted changed).
WATCH = (
    "() => { const gd = " + GD + "; const m = " + MAP + ";"
    " const w = window.__watch = {frames: 0, tiles: [], idle: [], fitted: null};"
    " m.on('render', () => { w.frames++; });"
    " m.on('idle', () => { w.idle.push(performance.now()); });"
    " m.on('sourcedata', (e) => { if (e.tile && e.sourceId.startsWith('ntm-'))"
    "   w.tiles.push(e.sourceId + '/' + e.tile.tileID.key); });"
    " new MutationObserver(() => { w.fitted = performance.now(); })"
    "   .observe(gd, {attributes: true, attributeFilter: ['data-ntm-fitted']});"
    " new MutationObserver(() => { w.cards = w.cards || performance.now(); })"
    "   .observe(document.querySelector('#cards'),"
    "     {childList: true, subtree: true, characterData: true}); }"
)


#: Before any page script: the WebGL draw calls, counted by whether they came while assets/map.js
#: held the map's first picture back (``map._ntmHeld``), and the program links made then.
GL_CALLS = """
(() => {
  const n = window.__gl = {heldDraws: 0, draws: 0, heldLinks: 0};
  const held = () => { const m = window.ntmMap && window.ntmMap.map && window.ntmMap.map();
    return !!(m && m._ntmHeld); };
  const P = WebGL2RenderingContext.prototype;
  for (const name of ['drawElements', 'drawArrays']) {
    const f = P[name];
    P[name] = function () { if (held()) n.heldDraws++; else n.draws++;
      return f.apply(this, arguments); };
  }
  const link = P.linkProgram;
  P.linkProgram = function () { if (held()) n.heldLinks++; return link.apply(this, arguments); };
})();
"""


@pytest.mark.one_backend("map.js's frames in the browser")
def test_the_first_picture_is_prepared_in_held_frames_that_draw_nothing(browser, server):
    """While the sources' tiles arrive, map.js's held frames run MapLibre's drawing with its
    draw calls silenced: the layers' shader programs are compiled then (each a wait on the GPU
    process), not in the first picture's own frame, and nothing reaches the canvas."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(GL_CALLS)
    page = context.new_page()
    page.set_default_timeout(PATIENCE)
    try:
        _open(page, server)
        page.wait_for_function("() => (" + RENDERED + ")() === 122")
        calls = page.evaluate("() => window.__gl")
    finally:
        context.close()
    assert calls["heldDraws"] == 0 and calls["draws"] > 0, calls
    assert calls["heldLinks"] >= 2, calls  # at least the background's, in the first held frame


@pytest.mark.one_backend("map.js's sources, tiles and frames in the browser")
def test_labels_and_outlines_are_map_js_sources_and_a_district_jump_cuts_no_tile(
    page, server, bundle
):
    """The name labels and the outlines are map.js's own sources (no Plotly map: each of its
    traces kept four GeoJSON sources re-cut at every zoom); the commune names follow
    the vintage; a district's fit finds every tile made at the province view and is drawn in
    at most two frames, before Dash draws the rest of the answer (the cards)."""
    _open(page, server)
    page.wait_for_function("() => (" + LOCATIONS + ")() === 122")
    page.wait_for_function(READY)
    sources = page.evaluate("() => Object.keys(" + MAP + ".getStyle().sources).sort()")
    assert all(s.startswith("ntm-") for s in sources), sources  # ours only
    names = (
        "() => { const m = " + MAP + ";"
        " return [...new Set(m.querySourceFeatures('ntm-labels',"
        " {filter: ['==', ['get', 'kind'], 'commune']}).map(f => f.properties.name))].sort(); }"
    )
    short = sorted(bundle.label_points["communes_2019"]["name"].map(vocab.short_name))
    assert page.evaluate(names) == short
    # A district: the camera jumps to it; no tile is cut, one or two frames are drawn.
    page.evaluate(WATCH)
    box = bundle.tables["districts"].set_index("code").loc[["064"]].total_bounds
    fitted = ",".join(str(round(float(x), 5)) for x in box)
    page.evaluate("() => dash_clientside.set_props('f-district', {value: ['064']})")
    page.wait_for_function("(k) => " + GD + ".dataset.ntmFitted === k", arg=fitted)
    page.wait_for_function(
        "() => { const w = window.__watch; return w.fitted !== null"
        " && w.idle.some(t => t > w.fitted); }"
    )
    page.wait_for_function("() => document.querySelector('#cards').innerText.includes('/ 22')")
    watched = page.evaluate("() => window.__watch")
    assert watched["tiles"] == []
    assert 1 <= watched["frames"] <= 2
    # the map first: map.js applied the answer's paint spec before Dash drew the cards
    assert watched["cards"] and watched["fitted"] < watched["cards"]
    # Another vintage: its commune names (37 units since 2025), by the labels' new URL.
    _option(page, "vintage", "Từ 2025")
    page.wait_for_function("() => window.ntmMap.state().sources.labels.includes('labels_2025')")
    short_2025 = sorted(bundle.label_points["communes_2025"]["name"].map(vocab.short_name))
    page.wait_for_function("(n) => (" + names + ")().length === n", arg=len(short_2025))
    assert page.evaluate(names) == short_2025
    assert page.errors == []


@pytest.mark.one_backend("map.js's sources in the browser")
def test_a_province_map_cuts_its_sources_as_the_look_says(page, server):
    """A province's names and groups are cut at the look's point_tile_zoom (a third of the
    tiles), every source keeps the look's tile buffer (not MapLibre's quarter of a tile) and
    is indexed down to its own maxzoom when its data comes, before its first tile is asked
    for (issue 10: the worker is what the first picture waits for)."""
    _open(page, server)
    page.wait_for_function("() => (" + LOCATIONS + ")() === 122")
    look, options = page.evaluate(
        "() => { const m = " + MAP + ", spec = m._ntm.spec;"
        " return [spec.look, Object.keys(spec.sources).filter(k => m.getSource('ntm-' + k))"
        " .map(k => { const s = m.getSource('ntm-' + k);"
        " const o = s.workerOptions.geojsonVtOptions, px = o.buffer / o.extent * 512;"
        " return [k, s.maxzoom, o.indexMaxZoom, o.indexMaxPoints, px]; })]; }"
    )
    assert look["point_tile_zoom"] < look["tile_zoom"]
    cut = {k: rest for k, *rest in options}
    assert set(cut) >= {"communes", "labels", "groups", "districts", "province", "neighbours"}
    for key, (max_zoom, index_zoom, index_points, buffer_px) in cut.items():
        points = key in ("labels", "groups")
        assert max_zoom == look["point_tile_zoom" if points else "tile_zoom"], key
        assert (index_zoom, index_points) == (max_zoom, 0), key  # the whole index, at once
        assert buffer_px == look["tile_buffer"] < 128, key
    assert page.errors == []


@pytest.mark.one_backend("map.js's tooltip and click on a group")
def test_hover_tells_the_commune_and_a_click_on_a_group_selects_it(page, server, bundle):
    _open(page, server)
    page.wait_for_function("() => (" + LOCATIONS + ")() === 122")
    communes = bundle.communes(2019)
    xuan_lac = communes.loc[communes["code"] == "02023"].geometry.iloc[0]
    spot = free_spot(xuan_lac, bundle.projects.geometry, inset_m=420, clear_m=3200)
    page.wait_for_function(READY)
    x, y = _pixel(page, spot.x, spot.y)
    page.mouse.move(x, y)
    page.wait_for_function(
        "() => { const t = document.querySelector('.map-tip'); return t && !t.hidden"
        " && t.innerText.includes('Xã Xuân Lạc'); }"
    )
    tip = page.inner_text(".map-tip")
    assert "Huyện Chợ Đồn" in tip and "Có đơn vị giúp đỡ" in tip and "Công trình: 12" in tip
    # Xuân Lạc's group of 12 points: a click selects the commune (and zooms in)
    group = page.evaluate(
        "async () => { const g = await (await fetch(window.ntmMap.state().sources.groups)).json();"
        " return g.features.find(f => f.properties.fid === '02023').geometry.coordinates; }"
    )
    x, y = _pixel(page, *group)
    page.mouse.move(x, y)
    page.wait_for_function(
        "() => { const t = document.querySelector('.map-tip'); return t && !t.hidden"
        " && t.innerText.includes('12 công trình'); }"
    )
    page.mouse.click(x, y)
    page.wait_for_selector("#detail [data-commune='02023']")
    page.wait_for_function("() => window.ntmMap.state().selected.join() === '02023'")
    # Chợ Đồn chosen: a commune of another district in sight is grey, and its tooltip tells
    # its district and nothing counted (the paint spec holds its district alone).
    page.evaluate("() => window.dash_clientside.set_props('f-district', {value: ['064']})")
    page.wait_for_function(
        "() => { const s = window.ntmMap.state(); return s.colours['01834'] && "
        " s.colours['02023'] !== s.colours['01834']; }"
    )
    page.wait_for_function(READY)
    on_map = "([x, y]) => document.elementFromPoint(x, y) === " + MAP + ".getCanvas()"
    outside = communes[communes["district_code"] != "064"]
    for _, row in outside.iterrows():
        spot = free_spot(row.geometry, bundle.projects.geometry, inset_m=300, clear_m=1500)
        x, y = _pixel(page, spot.x, spot.y)
        if page.evaluate(on_map, [x, y]):
            break
    else:
        pytest.fail("no commune of another district in sight after choosing Chợ Đồn")
    page.mouse.move(x, y)
    page.wait_for_function(
        "(name) => { const t = document.querySelector('.map-tip'); return t && !t.hidden"
        " && t.innerText.includes(name); }",
        arg=row["name"],
    )
    tip = page.inner_text(".map-tip")
    assert row["district_name"] in tip and "Công trình:" not in tip
    assert page.errors == []


#: Holds back the answer of the request for district 064 until a newer request has been answered
#: (installed before the page's scripts, so map.js's fetch wrapper sees the held answer).
HOLD_064 = """(() => {
  const send = window.fetch; window.__held = 0; window.__released = 0;
  window.fetch = function (input, init) {
    const answer = send.apply(this, arguments);
    const body = init && typeof init.body === 'string' ? init.body : '';
    if (!body.includes('"value":["064"]')) { return answer; }
    window.__held++;
    return answer.then(r => new Promise(done => {
      const wait = () => window.__release ? (window.__released++, done(r)) : setTimeout(wait, 20);
      wait();
    }));
  };
})();"""


@pytest.mark.one_backend(
    "the browser holds the answers back itself: map.js's ticket, whichever server answered"
)
def test_an_older_answer_arriving_after_a_newer_one_is_not_painted(context, server, bundle):
    """Two district changes in quick succession whose answers arrive out of order: Dash drops
    the older answer, and map.js, which paints an answer before Dash renders it, must drop it
    too, or the map would keep showing the first district while everything else shows the
    second."""
    page = context.new_page()
    page.set_default_timeout(PATIENCE)
    page.add_init_script(HOLD_064)
    _open(page, server)
    page.wait_for_function("() => (" + LOCATIONS + ")() === 122")
    page.evaluate("() => dash_clientside.set_props('f-district', {value: ['064']})")
    page.wait_for_function("() => window.__held === 1")
    page.evaluate("() => dash_clientside.set_props('f-district', {value: ['058']})")
    box = bundle.tables["districts"].set_index("code").loc[["058"]].total_bounds
    fitted = ",".join(str(round(float(x), 5)) for x in box)
    page.wait_for_function("(k) => " + GD + ".dataset.ntmFitted === k", arg=fitted)
    page.wait_for_function("() => document.querySelector('#cards').innerText.includes('/ 8')")
    # Now the older answer (064) arrives: map.js drops it as superseded; then the frame in which
    # it would have been drawn.
    assert page.evaluate("() => window.ntmMap.answers().dropped") == 0
    page.evaluate("() => { window.__release = true; }")
    page.wait_for_function("() => window.ntmMap.answers().dropped === 1")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    communes = bundle.communes(2019)
    chosen = set(communes.loc[communes["district_code"] == "058", "code"])
    held = set(communes.loc[communes["district_code"] == "064", "code"])
    colours = page.evaluate("() => window.ntmMap.state().colours")
    outside = {colours[c] for c in held}
    assert len(outside) == 1  # Chợ Đồn's communes are all 'outside the filters'
    assert not any(colours[c] in outside for c in chosen)
    assert page.evaluate("() => " + GD + ".dataset.ntmFitted") == fitted
    assert "/ 8" in page.inner_text("#cards")
    page.close()
