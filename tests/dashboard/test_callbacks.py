"""Every callback function called directly; every callback id present in the layout; the
translation table complete; the URL state round trip."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from components import table_cells, text_of
from dash import html, no_update
from store_samples import add_cao_tri_assignment, location

from dashboard import callbacks as cb
from dashboard import gap_view, ids, layout
from dashboard import state as st
from dashboard.app import ROOT_PLACEHOLDER, absolute, create_app, serve_layout
from dashboard.i18n import LANGS, Translations
from layers import map_paint, styles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app(settings, bundle):
    return create_app(settings, bundle, warm_glyphs=False)


@pytest.fixture(scope="module")
def ctx(bundle) -> cb.Context:
    from dashboard.app import MAP_GEOJSON

    urls = {name: f"/geo/{name}.geojson" for name in (*bundle.geojson, *MAP_GEOJSON)}
    return cb.Context(
        bundle=bundle,
        translations=Translations.load(),
        geo_urls=urls,
        glyphs_url="/glyphs/{fontstack}/{range}.pbf",
    )


def _screen(ctx: cb.Context, **changes) -> cb.Screen:
    """The screen of the default state with some fields changed (by state key)."""
    return cb.Screen(ctx, {**st.default_state(ctx.years), **changes})


def _view(ctx: cb.Context, **changes) -> dict:
    """The view outputs, by name, after the fields ``changes`` names changed."""
    return cb.view_outputs(_screen(ctx, **changes), triggered=set(changes))


def _ids_in(component, out: list) -> list:
    cid = getattr(component, "id", None)
    if cid is not None:
        out.append(cid)
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            _ids_in(child, out)
    elif children is not None and hasattr(children, "to_plotly_json"):
        _ids_in(children, out)
    return out


# ------------------------------------------------------------------------------ layout
def _opened_tables(ctx: cb.Context) -> dict:
    """The gap view's tables of the default state as opening their tab fills them."""
    return gap_view.opened(
        gap_view.TAB,
        st.default_state(ctx.years),
        lambda state, which: cb.table_rows(ctx, state, which),
    )


def test_every_callback_id_is_in_the_layout(app, ctx):
    page = serve_layout(ctx)
    # The served page leaves the closed gap tab's tables empty: the pick links' pattern ids
    # come with them when the tab opens.
    present = _ids_in(page, []) + _ids_in(html.Div(list(_opened_tables(ctx).values())), [])
    plain = {i for i in present if isinstance(i, str)}
    patterns = {i["type"] for i in present if isinstance(i, dict)}
    assert len(plain) == len([i for i in present if isinstance(i, str)]), "duplicate ids"
    used = set()
    for key, spec in app.callback_map.items():
        for dep in spec["inputs"] + spec["state"]:
            used.add(dep["id"])
        for part in key.lstrip(".").split("..."):
            part = part.strip(".")
            if part:
                used.add(part.rsplit(".", 1)[0].split("@")[0])
    missing = set()
    for cid in used:
        if cid.startswith("{"):
            if json.loads(cid)["type"] not in patterns:
                missing.add(cid)
        elif cid not in plain:
            missing.add(cid)
    assert not missing, missing
    assert len(app.callback_map) >= 6


def test_layout_is_filled_for_the_first_paint(ctx):
    page = serve_layout(ctx)
    nodes = {i: n for i, n in _walk(page)}
    assert "/ 122" in text_of(nodes[ids.CARDS].children)
    # The gap view's tab is closed on a fresh visit, so its tables are not built for it
    # (10,736 rows on a national store); opening the tab fills them.
    assert nodes[ids.TABS].value != gap_view.TAB
    assert nodes[ids.GAP_TABLE].children is None and nodes[ids.SPONSOR_TABLE].children is None
    opened = _opened_tables(ctx)
    assert opened["gaps"].to_plotly_json()["type"] == "Table"  # plain table
    assert "Mã đơn vị hành chính" in text_of(opened["gaps"])
    assert _table_rows(opened["sponsors"], "sponsors")
    assert "mọi bản ghi" in text_of(nodes[ids.COUNTED].children).lower()
    # the map is map.js's own MapLibre map in a bare box: no figure, nothing to fill
    assert nodes[ids.MAP].to_plotly_json()["type"] == "Div" and not nodes[ids.MAP].children
    paint = nodes[ids.MAP_PAINT].data  # what map.js paints: geometry by URL (absolute: the
    # root is put in per host when the page is sent, see test_response_cache)
    assert paint["sources"]["communes"].startswith(f"{ROOT_PLACEHOLDER}/geo/communes_2019")
    # a province's map has every detail at every zoom: no simplified communes, no detail zoom
    assert "communes_low" not in paint["sources"] and paint["look"]["detail_zoom"] is None
    assert paint["fit"] == [round(float(x), 5) for x in ctx.bundle.bbox(2019)]  # the province
    assert paint["glyphs"] == f"{ROOT_PLACEHOLDER}/glyphs/{{fontstack}}/{{range}}.pbf"
    assert len(paint["communes"]) == 122 and len(paint["points"]) == len(ctx.bundle.projects)
    # Every component that follows the view is filled from the same outputs, by name.
    screen = cb.Screen(absolute(ctx, ROOT_PLACEHOLDER), st.default_state(ctx.years))
    first = cb.view_outputs(screen, tables=False)
    for name, (cid, prop) in ids.VIEW_OUTPUTS.items():
        shown, wanted = (
            json.dumps(x, default=_plotly_default, sort_keys=True)
            for x in (getattr(nodes[cid], prop), first[name])
        )
        assert shown == wanted, name


def _walk(component):
    cid = getattr(component, "id", None)
    if isinstance(cid, str):
        yield cid, component
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            yield from _walk(child)
    elif children is not None and hasattr(children, "to_plotly_json"):
        yield from _walk(children)


def test_no_geometry_inline_in_the_page(ctx):
    page = serve_layout(ctx)
    text = json.dumps(page.to_plotly_json(), default=_plotly_default)
    assert '"coordinates"' not in text
    assert len(text) < 300_000


def _plotly_default(obj):
    if hasattr(obj, "to_plotly_json"):
        return obj.to_plotly_json()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)


# ------------------------------------------------------------------------------ i18n
def test_translation_table_is_complete():
    data = json.loads((ROOT / "assets" / "translations.json").read_text(encoding="utf-8"))
    assert set(data) == set(LANGS)
    assert set(data["vi"]) == set(data["en"])
    assert all(v.strip() for lang in LANGS for v in data[lang].values())
    keys = set(data["vi"])
    # Keys the code asks for by name.
    for m in styles.MEASURES.values():
        assert m.label_key in keys
        assert all(c.label_key in keys for c in m.classes)
    assert all(k.label_key in keys for k in styles.PROJECT_KINDS.values())
    literal = set()
    for name in ("app.py", "callbacks.py", "layout.py"):
        path = ROOT / "dashboard" / name
        literal |= set(re.findall(r'\bt\(\s*"([a-z_]+\.[A-Za-z0-9_.+-]+)"', path.read_text()))
        literal |= set(re.findall(r'T\(t, "([a-z_]+\.[A-Za-z0-9_.]+)"', path.read_text()))
    assert literal, "no literal keys found"
    assert literal <= keys, literal - keys


def test_vietnamese_first_with_diacritics():
    tr = Translations.load()
    assert tr.get(None).lang == "vi"
    assert tr.get("vi")("filter.district") == "Huyện"
    assert tr.get("en")("filter.district") == "District"
    assert "đơn vị giúp đỡ" in tr.get("vi")("class.coverage.sponsored")


# ------------------------------------------------------------------------------ url
def test_state_round_trip(ctx):
    years = ctx.years
    s = {
        **st.default_state(years),
        "lang": "en",
        "v": 2020,
        "m": "n_projects",
        "d": ["064", "061"],
        "c": [4, 7],
        "y": [2019, 2021],
        "u": [],
        "dif": ["on"],
        "layers": ["communes", "labels"],
        "sel": "02023",
    }
    assert st.decode(st.encode(s, years), years) == s
    assert st.decode("?v=1999&m=bogus&y=x-y&lang=fr", years) == st.default_state(years)


def test_sync_url_from_url_sets_controls(ctx):
    current = st.default_state(ctx.years)
    out = cb.sync_url(ctx, "?v=2025&d=064&sel=02026", current, triggered={"url", "sel"})
    assert out["url"] is no_update
    assert out["v"] == 2025 and out["d"] == ["064"] and out["sel"] == "02026"
    assert out["lang"] is no_update  # unchanged controls are not re-sent


def test_sync_url_from_controls_writes_url(ctx):
    current = {**st.default_state(ctx.years), "m": "n_sponsors"}
    out = cb.sync_url(ctx, "", current, triggered={"m"})
    assert out["url"] == "?m=n_sponsors" and out["share"] == "?m=n_sponsors"
    assert all(out[f.key] is no_update for f in st.URL_FIELDS)
    reset = cb.sync_url(ctx, "?m=n_sponsors", current, triggered={"reset"})
    assert reset["url"] == ""
    assert reset["m"] == "coverage"


def test_url_fields_derive_from_one_table(ctx):
    """Defaults, encode, decode and the filters all come from state.FIELDS."""
    years = ctx.years
    assert set(st.default_state(years)) == {f.key for f in st.FIELDS}
    assert "basemap" not in st.encode({**st.default_state(years), "basemap": "x"}, years)
    f = st.filters(st.decode("?st=ongoing&dif=on&c=4&y=2019-2020", years), years)
    assert f.statuses == ("in_progress",) and f.difficult_only and f.criteria == (4,)
    assert (f.year_from, f.year_to) == (2019, 2020)
    assert st.filters(st.default_state(years), years).is_default


# ------------------------------------------------------------------------------ view
def test_view_filter_change_sends_a_small_paint_spec_and_no_figure(ctx, bundle):
    out = _view(ctx, d=["064"])
    assert set(out) == set(ids.VIEW_OUTPUTS) and "map" not in out  # no figure (issue 10)
    paint = out["paint"]
    assert len(json.dumps(paint, ensure_ascii=False).encode()) < 10 * 1024
    assert not any("coordinates" in json.dumps(v) for v in paint.values())  # no geometry
    colours = styles.class_colours("coverage")
    xuan_lac = paint["communes"]["02023"]  # [class, district, sponsors, projects, sources]
    assert xuan_lac[0] == 1 and paint["districts"][xuan_lac[1]] == "Huyện Chợ Đồn"  # sponsored
    assert paint["colours"][xuan_lac[0]] == colours[1]
    out_of_view = paint["communes"]["01834"]  # its district alone: grey, nothing counted
    assert isinstance(out_of_view, int) and paint["districts"][out_of_view] == "Thành phố Bắc Kạn"
    assert map_paint.commune_row(paint["communes"], "01834") == [0, out_of_view, None, None, None]
    # a district change repaints every commune, each out-of-view one in a few bytes
    assert len(json.dumps(paint["communes"])) < 122 * 12 + 22 * 24
    chosen = set(bundle.projects.loc[bundle.projects["district_code"] == "064", "project_id"])
    assert set(paint["points"]) == chosen  # the points of the chosen district only
    assert paint["groups"]["02023"][0] == 12  # Xuân Lạc's 12 projects in one marker
    assert paint["fit"] == [round(x, 5) for x in cb.district_bbox(bundle, ["064"])]
    assert "7 / 22" in text_of(out["cards"])
    gaps = _table_rows(out["gap_table"], "gaps")
    assert gaps and all(r["col.district"] == "Huyện Chợ Đồn" for r in gaps)
    assert gaps[0]["col.difficult"] == "Có"
    assert out["search_options"] is no_update  # the communes of the vintage did not change


def test_tables_are_built_only_while_their_tab_is_open(ctx):
    screen = _screen(ctx, d=["064"])
    closed = cb.view_outputs(screen, triggered={"d"}, tables=False)
    assert closed["gap_table"] is None and closed["sponsor_table"] is None  # no stale rows
    assert "7 / 22" in text_of(closed["cards"])  # the rest follows the change as before

    def rows_of(state, which):
        return cb.table_rows(ctx, state, which)

    other = gap_view.opened("overview", dict(screen.state), rows_of)
    assert other == {"gaps": no_update, "sponsors": no_update}
    opened = gap_view.opened(gap_view.TAB, dict(screen.state), rows_of)
    gaps = _table_rows(opened["gaps"], "gaps")
    assert gaps and all(r["col.district"] == "Huyện Chợ Đồn" for r in gaps)
    assert _table_rows(opened["gaps"], "gaps") == _table_rows(
        _view(ctx, d=["064"])["gap_table"], "gaps"
    )
    assert _table_rows(opened["sponsors"], "sponsors")


def _table_rows(table, which: str) -> list[dict[str, str]]:
    """The body rows of a gap-view table (``which``: gaps or sponsors), each a dict of its
    cells' texts by the columns' translation keys."""
    from dashboard.gap_view import GAP_COLUMNS, SPONSOR_COLUMNS

    columns = GAP_COLUMNS if which == "gaps" else SPONSOR_COLUMNS
    return [
        {key: text_of(cell.children) for key, cell in row.items()}
        for row in table_cells(table, columns)
    ]


def test_view_vintage_change_points_to_new_geometry(ctx):
    out = _view(ctx, v=2025)
    paint = out["paint"]
    assert "communes_2025" in paint["sources"]["communes"]
    assert "groups_2025" in paint["sources"]["groups"]
    assert len(paint["communes"]) == 37
    assert "labels_2025" in paint["sources"]["labels"]  # map.js's name labels of 2025
    assert "1683" in text_of(out["vintage_note"])
    assert len(out["search_options"]) == 37  # search options follow the vintage


def test_view_layers_are_the_paint_specs_switches(ctx):
    out = _view(ctx, layers=["communes", "labels"])
    assert out["paint"]["visible"] == {
        "communes": True,
        "districts": False,
        "province": False,
        "projects": False,
        "labels": True,
    }


def test_view_basemap_is_map_js_tiles_and_attribution(ctx):
    out = _view(ctx, basemap="OpenStreetMap.Mapnik")
    assert "openstreetmap" in out["paint"]["basemap"]["url"]
    assert "OpenStreetMap" in text_of(out["basemap_note"])
    assert _view(ctx)["paint"]["basemap"] is None


def test_view_english_legend(ctx):
    out = _view(ctx, lang="en")
    assert "Sponsor coverage" in text_of(out["legend"])
    assert "Bridge" in text_of(out["kind_legend"])


def test_every_measure_renders(ctx):
    for measure in styles.MEASURES:
        out = _view(ctx, m=measure)
        assert styles.measure_style(measure).label_key
        assert text_of(out["legend"])
        # a measure change sends the communes' classes (the paint spec), nothing else
        assert "map" not in out
        classes = styles.classify(measure, _screen(ctx, m=measure).view.measures)
        rows = out["paint"]["communes"]
        assert [map_paint.commune_row(rows, code)[0] for code in rows] == classes.tolist()
        assert out["paint"]["colours"] == styles.class_colours(measure)


def test_a_screen_computes_its_view_once(ctx):
    screen = _screen(ctx, d=["064"])
    out = cb.view_outputs(screen, triggered={"d"})
    assert out["cards"] and screen.view.measures is screen.view.measures
    assert screen.view.overview is screen.view.overview


# ------------------------------------------------------------------------------ selection
def test_select_from_map_click_search_group_and_vintage(ctx):
    def select(click=None, search=None, vintage=2019, selected=None, *, by):
        return cb.select(ctx, click, search, vintage, selected, triggered=by)

    assert select({"kind": "commune", "id": "02023"}, by=ids.MAP_CLICK)["selected"] == "02023"
    assert select({"kind": "project", "id": "P0004"}, by=ids.MAP_CLICK)["selected"] == "P0004"
    assert select({"kind": "project", "id": "IP-7"}, by=ids.MAP_CLICK)["selected"] == "IP-7"
    assert select({"kind": "commune", "id": "nope"}, by=ids.MAP_CLICK)["selected"] is no_update
    assert select({"kind": "project", "id": "02023"}, by=ids.MAP_CLICK)["selected"] is no_update
    communes = ctx.bundle.communes(2019)
    box = [round(float(x), 5) for x in communes.set_index("code").loc[["02023"]].total_bounds]
    out = select(search="02023", by=ids.SEARCH)
    assert out == {"selected": "02023", "fit": {"box": box, "key": "commune:2019:02023"}}
    # a commune's group of points at province zoom selects the commune and zooms in
    out = select({"kind": "group", "id": "02023"}, by=ids.MAP_CLICK)
    assert out["selected"] == "02023" and out["fit"]["box"] == box
    assert select({"kind": "commune", "id": "02023"}, by=ids.MAP_CLICK)["fit"] is no_update
    # Xuân Lạc lies in Nam Cường since 2025
    assert select(vintage=2025, selected="02023", by=ids.VINTAGE)["selected"] == "02026"
    assert select(search="99999", by=ids.SEARCH)["selected"] is no_update


def test_show_selection_commune(ctx):
    out = cb.show_selection(_screen(ctx, sel="02023"))
    text = text_of(out["detail"])
    assert "Xã Xuân Lạc" in text and "Sở Công Thương tỉnh Bắc Kạn" in text
    assert "Xã Nam Cường" in text  # what it became in 2025
    assert "Trạm biến áp" in text
    assert out["outline"] == "02023"


def test_show_selection_project_and_nothing(ctx):
    text = text_of(cb.show_selection(_screen(ctx, sel="P0008", lang="en"))["detail"])
    assert "Transformer station upgrade Bản Ó" in text
    assert "Location approximate" in text
    out = cb.show_selection(_screen(ctx))
    assert "Bấm vào" in text_of(out["detail"])
    assert out["outline"] is None


def _dash_request(app, years, changed: dict, values: dict | None = None) -> list[dict]:
    """Post every callback that one of ``changed``'s component properties ((id, property) →
    value) triggers, the way the browser does (``/_dash-update-component``; the other values
    from ``values`` or the fresh page's state); returns each callback's answer (``{}``: nothing
    to update)."""
    from dash._utils import split_callback_id

    state = st.default_state(years)
    values = {(f.control, f.prop): state[f.key] for f in st.FIELDS} | (values or {}) | changed
    triggered = {f"{cid}.{prop}" for cid, prop in changed}
    client = app.server.test_client()
    answers = []
    for key, spec in app.callback_map.items():
        fired = {f"{d['id']}.{d['property']}" for d in spec["inputs"]} & triggered
        if not fired or "callback" not in spec:  # clientside ones never write the map
            continue

        def dep(d):
            return {**d, "value": values.get((d["id"], d["property"]))}

        body = {
            "output": key,
            "outputs": split_callback_id(key),
            "inputs": [dep(d) for d in spec["inputs"]],
            "state": [dep(d) for d in spec["state"]],
            "changedPropIds": sorted(fired),
        }
        r = client.post("/_dash-update-component", json=body)
        assert r.status_code in (200, 204), (key, r.status_code, r.get_data(as_text=True)[:300])
        answers.append(r.get_json()["response"] if r.status_code == 200 else {})
    return answers


def test_a_filter_change_is_one_request_that_never_writes_the_map_figure(app, ctx):
    """Each write of the figure makes Plotly and MapLibre redo the map: a district change
    reaches the map only as the paint spec (map.js applies it), and the URL, the view and the
    details come back in one answer; the selection's outline moves only with the selection."""
    answers = _dash_request(app, ctx.years, {(ids.DISTRICT, "value"): ["064"]})
    assert len(answers) == 1  # one request per change
    (answer,) = answers
    outputs = {k.split("@")[0] for k in answer}
    assert ids.MAP not in outputs and ids.MAP_PAINT in outputs
    assert ids.MAP_OUTLINE not in outputs  # the selection did not change
    assert {ids.DETAIL, ids.URL, ids.CARDS} <= outputs  # details and URL follow the filters
    assert answer[ids.URL]["search"] == "?d=064"
    # a new selection moves the outline (and leaves the view alone)
    answers = _dash_request(app, ctx.years, {(ids.SELECTED, "data"): "02023"})
    assert [a[ids.MAP_OUTLINE]["data"] for a in answers if ids.MAP_OUTLINE in a] == ["02023"]
    assert not any(ids.MAP_PAINT in a for a in answers)


def test_a_link_is_decoded_and_shown_in_the_same_answer(ctx):
    out = cb.page_outputs(ctx, "?d=064&m=n_projects", st.default_state(ctx.years), set())
    assert out["d"] == ["064"] and out["m"] == "n_projects"  # the controls take the link
    assert "7 / 22" in text_of(out["cards"])  # and the view is already the link's
    assert out["paint"]["colours"] == styles.class_colours("n_projects")
    assert "Bấm vào" in text_of(out["detail"])
    out = cb.page_outputs(ctx, "", st.default_state(ctx.years), set())  # a plain visit
    assert out["cards"] is no_update and out["paint"] is no_update  # the page already shows it
    same = cb.page_outputs(ctx, "", st.default_state(ctx.years), {"basemap"})
    assert same["url"] is no_update and same["detail"] is no_update


def test_the_gap_csv_download_is_what_the_table_shows(app, ctx):
    """The CSV button, posted as the browser does: the filtered rows, Vietnamese headers, a BOM
    for Excel, formula-safe cells (the rule itself: tests/hostile/test_formula_exports.py)."""
    answers = _dash_request(
        app, ctx.years, {(ids.GAP_CSV, "n_clicks"): 1}, values={(ids.DISTRICT, "value"): ["064"]}
    )
    (download,) = [a[ids.GAP_DOWNLOAD]["data"] for a in answers if ids.GAP_DOWNLOAD in a]
    assert download["filename"] == "ntm-atlas-xa-chua-co-don-vi-giup-do.csv"
    assert download["content"].startswith("\ufeff")
    lines = download["content"].lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Xã,Huyện,Đặc biệt khó khăn")
    table = _table_rows(_view(ctx, d=["064"])["gap_table"], "gaps")
    assert len(lines) == 1 + len(table) == 1 + 22 - 7  # communes in view minus those helped
    assert all(",Huyện Chợ Đồn," in line for line in lines[1:])
    assert [line.split(",")[0] for line in lines[1:]] == [r["col.commune"] for r in table]


def test_the_selection_outline_moves_only_with_the_selection_or_the_vintage(ctx):
    screen = _screen(ctx, sel="02023", d=["064"])
    assert cb.show_selection(screen, triggered={"d"})["outline"] is no_update
    assert cb.show_selection(screen, triggered={"lang"})["outline"] is no_update
    assert cb.show_selection(screen, triggered=set())["outline"] is no_update  # the first call
    assert cb.show_selection(screen, triggered={"sel"})["outline"] == "02023"
    assert cb.show_selection(screen, triggered={"v"})["outline"] == "02023"
    assert cb.show_selection(_screen(ctx), triggered={"v"})["outline"] is no_update  # none
    project = _screen(ctx, sel="P0008")  # a project outlines its commune
    assert cb.show_selection(project, triggered={"sel"})["outline"] == "02023"


def test_the_search_box_names_the_selected_commune(ctx):
    """However the commune was chosen (map, link, URL), the search box names it; choosing the
    already-selected commune in the box selects nothing again (no second zoom)."""
    assert cb.show_selection(_screen(ctx, sel="02023"), triggered={"sel"})["search"] == "02023"
    assert cb.show_selection(_screen(ctx, sel="P0008"), triggered={"sel"})["search"] is None
    assert cb.show_selection(_screen(ctx, sel="02023"), triggered={"d"})["search"] is no_update
    out = cb.select(ctx, None, "02023", 2019, "02023", triggered=ids.SEARCH)
    assert out == {"selected": no_update, "fit": no_update}


def test_safe_links_only():
    assert cb.safe_href("javascript:alert(1)") is None
    assert cb._link("javascript:alert(1)").to_plotly_json()["type"] == "Span"


def test_translate_returns_every_output(ctx):
    i18n_ids = [
        {"type": ids.I18N, "key": "filter.district"},
        {"type": ids.I18N, "key": "app.title"},
    ]
    tab_ids = [{"type": "tab", "key": "tab.gaps"}]
    out = cb.translate(ctx, "en", i18n_ids, tab_ids)
    assert out["texts"] == ["District", ctx.translations.get("en")("app.title")]
    assert out["tabs"] == ["Gaps"]
    assert out["lang"] == "en"
    statuses = out[f"{ids.STATUS}.options"]
    assert [o["label"] for o in statuses] == ["Unknown", "Planned", "In progress", "Completed"]
    assert out[f"{ids.DISTRICT}.placeholder"] == "Any"  # the dropdowns' placeholder
    assert out[f"{ids.SEARCH}.labels"]["search"] == "Search"
    assert out["map-png.title"] == "Download the map as PNG"  # the map's buttons
    vi = cb.translate(ctx, "vi", i18n_ids, tab_ids)
    labels = vi[f"{ids.SEARCH}.labels"]
    assert (
        labels["select_all"] == "Chọn tất cả" and labels["no_options_found"] != "No options found"
    )


def test_a_language_switch_answers_with_the_words_of_the_page(ctx):
    """One request per language switch: the page callback's answer carries the language's
    words, which assets/words.js puts on the page (no translation callback of its own)."""
    state = {**st.default_state(ctx.years), "lang": "en"}
    out = cb.page_outputs(ctx, "", state, {"lang"})
    words = out["words"]
    assert words["lang"] == "en" and words["texts"]["filter.district"] == "District"
    assert words["texts"]["tab.gaps"] == "Gaps"
    names = [cb._name(cid, prop) for cid, prop in cb.WORD_OUTPUTS]
    by_name = dict(zip(names, words["props"], strict=True))
    assert by_name == {k: v for k, v in cb.translate(ctx, "en", [], []).items() if k in names}
    assert by_name["map-zoom-in.title"] == "Zoom in"
    district = cb.page_outputs(ctx, "", {**state, "d": ["064"]}, {"d"})
    assert district["words"] is no_update  # only a language switch sends them


def test_search_options_match_without_diacritics(bundle):
    options = layout.search_options(bundle, 2019)
    hit = [o for o in options if "xuan lac" in o["search"]]
    assert [o["value"] for o in hit] == ["02023"]
    hoa = [o for o in options if "hoa" in o["search"].split()]
    assert hoa  # "Trung Hoà" is found as "hoa"
    assert any("Trung Hòa" in o["search"] for o in hoa)  # and with the new tone placement


def test_index_page_is_small(app):
    """The validation layout Dash embeds in every page is a bare skeleton, not a filled page."""
    r = app.server.test_client().get("/")
    assert r.status_code == 200 and len(r.data) < 40_000
    assert b'"f-district"' in r.data
    # with the pick links' pattern id, although the served page has no table rows
    assert f'"type":"{ids.GAP_PICK}"'.encode() in r.data.replace(b" ", b"")


def test_geojson_and_glyph_routes(app):
    client = app.server.test_client()
    r = client.get("/geo/communes_2019.geojson")
    assert r.status_code == 200 and "max-age" in r.headers["Cache-Control"]
    assert len(json.loads(r.data)["features"]) == 122
    assert client.get("/geo/nope.geojson").status_code == 404
    # map.js's name labels: a vintage's communes (short names), the districts, the neighbours
    labels = json.loads(client.get("/geo/labels_2025.geojson").data)["features"]
    kinds = [f["properties"]["kind"] for f in labels]
    assert kinds.count("commune") == 37 and {"district", "neighbour"} <= set(kinds)
    names = {f["properties"]["name"] for f in labels if f["properties"]["kind"] == "commune"}
    assert "Nam Cường" in names and not any(n.startswith("Xã ") for n in names)
    # the communes simplified for a country's map zoomed out: same features, fewer vertices
    low = client.get("/geo/communes_2019_low.geojson")
    assert low.status_code == 200 and "max-age" in low.headers["Cache-Control"]
    assert [f["id"] for f in json.loads(low.data)["features"]] == [
        f["id"] for f in json.loads(r.data)["features"]
    ]
    assert len(low.data) < len(r.data)
    r = client.get("/glyphs/Open Sans Regular/7680-7935.pbf")
    assert r.status_code == 200 and len(r.data) > 10_000
    assert client.get("/glyphs/x/1-2.pbf").status_code == 404


def test_app_follows_a_changed_store(settings, store):
    """After a write by another process (an import, a rebuild) the next page shows it."""
    import time

    app = create_app(settings.with_store(location(store)), warm_glyphs=False)
    client = app.server.test_client()
    assert "18 \\u002f 122" in client.get("/_dash-layout").get_data(as_text=True)
    add_cao_tri_assignment(store)
    # The store's version is looked at every second or so: wait for the new state, not a time.
    deadline = time.monotonic() + 60
    while "19 \\u002f 122" not in client.get("/_dash-layout").get_data(as_text=True):
        assert time.monotonic() < deadline, "the changed store never showed"
        time.sleep(0.2)


def test_export_view_sends_the_current_view(ctx):
    state = {**st.default_state(ctx.years), "d": ["064"]}
    out = cb.export_view(ctx, 1, "csv", state)
    payload = out["download"]
    assert payload["filename"].endswith(".csv") and "d064" in payload["filename"]
    assert payload["content"]
    assert payload["filename"] in out["status"]  # the status line names the file
    assert cb.export_view(ctx, None, "csv", state) == {"download": no_update, "status": no_update}


def test_a_state_asked_for_again_is_painted_from_what_was_kept(ctx, bundle):
    """The way back to a state painted before (the whole province after a district, the most
    asked for) reuses the paint of its communes and points (issue 10: ~0.2 s of a national
    store's answer); another measure or filter is painted afresh, and only the last
    KEPT_DERIVED paints are kept."""
    from geodata import view as gv

    district = sorted(bundle.tables["districts"]["code"])[0]
    first = _screen(ctx).paint()
    _screen(ctx, d=[district]).paint()
    again = _screen(ctx).paint()
    assert again["communes"] is first["communes"] and again["groups"] is first["groups"]
    assert again == first
    other = _screen(ctx, m="n_projects").paint()
    assert other["communes"] is not first["communes"]  # another measure: classes of its own
    assert other["groups"] is first["groups"]  # the same points
    kinds = sorted(set(bundle.projects["kind"]))
    for kind in kinds[: gv.KEPT_DERIVED + 1]:
        _screen(ctx, pk=[kind]).paint()
    assert _screen(ctx).paint()["groups"] is not first["groups"]  # pushed out: made again


def test_a_way_back_is_answered_from_the_cache_whatever_link_the_page_had(app, ctx):
    """A control's change is answered the same whatever link the page had before it (the URL
    is read only when it changed): the response cache leaves that link out of the key, so
    every way back to the whole province, from any district, is one answer kept (issue 10:
    a national store's way back was computed again each time, ~0.1 s)."""
    cache = app.server.extensions["ntm_atlas.callback_cache"]
    back = {(ids.DISTRICT, "value"): []}
    m = st.FIELD["m"]
    answers, hits = [], []
    for link in ("?d=064&m=n_sponsors", "?d=065&m=n_sponsors", "?d=066&m=n_sponsors"):
        before = cache.hits
        values = {(ids.URL, "search"): link, (m.control, m.prop): "n_sponsors"}
        (answer,) = _dash_request(app, ctx.years, back, values=values)
        answers.append(answer)
        hits.append(cache.hits - before)
    assert hits[1:] == [1, 1] and answers[0] == answers[1] == answers[2]  # other links: kept
    assert answers[0]["url"]["search"] == "?m=n_sponsors"  # written, whatever the link was
    # the URL's own change is read: two links, two answers
    url = {(ids.URL, "search"): "?d=064"}
    (by_link,) = _dash_request(app, ctx.years, url)
    (other,) = _dash_request(app, ctx.years, {(ids.URL, "search"): "?d=065"})
    assert by_link["f-district"]["value"] == ["064"] and other["f-district"]["value"] == ["065"]
