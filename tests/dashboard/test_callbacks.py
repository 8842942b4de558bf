"""Every callback function called directly; every callback id present in the layout; the
translation table complete; the URL state round trip."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from dash import Patch, no_update
from store_samples import add_cao_tri_assignment, location

from dashboard import callbacks as cb
from dashboard import ids, layout
from dashboard import state as st
from dashboard.app import FILLED, create_app, serve_layout
from dashboard.i18n import LANGS, Translations
from geodata.bundle import Bundle
from layers import figures, styles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle(store_path) -> Bundle:
    return Bundle.load(store_path)


@pytest.fixture(scope="module")
def app(settings, bundle):
    return create_app(settings, bundle, warm_glyphs=False)


@pytest.fixture(scope="module")
def ctx(bundle) -> cb.Context:
    urls = {name: f"/geo/{name}.geojson" for name in bundle.geojson}
    return cb.Context(
        bundle=bundle,
        translations=Translations.load(),
        geo_urls=urls,
        glyphs_url="/glyphs/{fontstack}/{range}.pbf",
    )


def _values(ctx: cb.Context, **overrides) -> list:
    state = st.default_state(ctx.years)
    v = cb.state_to_values(state)
    v[ids.BASEMAP] = "none"
    v.update(overrides)
    return [v[cid] for cid in cb.VIEW_IDS]


def _text(component) -> str:
    """All text inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


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
def test_every_callback_id_is_in_the_layout(app, ctx):
    page = serve_layout(ctx)
    present = _ids_in(page, [])
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
    assert "/ 122" in _text(nodes[ids.CARDS].children)
    assert nodes[ids.GAP_GRID].rowData
    fig = nodes[ids.MAP].figure
    assert fig.data[figures.TRACE["communes"]].geojson.startswith("/geo/communes_2019")
    assert len(fig.data[figures.TRACE["communes"]].locations) == 122
    assert len(FILLED) == 11


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
    names = [cid for cid, _p, _k in ids.URL_CONTROLS]
    current = cb.state_to_values(st.default_state(ctx.years))
    out = cb.sync_url(
        ctx,
        "?v=2025&d=064&sel=02026",
        0,
        *[current[n] for n in names],
        triggered={ids.URL, ids.SELECTED},
    )
    got = dict(zip(names, out[2:], strict=True))
    assert out[0] is no_update
    assert (
        got[ids.VINTAGE] == 2025 and got[ids.DISTRICT] == ["064"] and got[ids.SELECTED] == "02026"
    )
    assert got[ids.LANG] is no_update  # unchanged controls are not re-sent


def test_sync_url_from_controls_writes_url(ctx):
    names = [cid for cid, _p, _k in ids.URL_CONTROLS]
    current = cb.state_to_values(st.default_state(ctx.years))
    current[ids.MEASURE] = "n_sponsors"
    out = cb.sync_url(ctx, "", 0, *[current[n] for n in names], triggered={ids.MEASURE})
    assert out[0] == "?m=n_sponsors" and out[1] == "?m=n_sponsors"
    assert all(v is no_update for v in out[2:])
    reset = cb.sync_url(
        ctx, "?m=n_sponsors", 1, *[current[n] for n in names], triggered={ids.RESET}
    )
    assert reset[0] == ""
    assert dict(zip(names, reset[2:], strict=True))[ids.MEASURE] == "coverage"


# ------------------------------------------------------------------------------ view
def test_update_view_filter_change_sends_a_small_patch(ctx):
    out = cb.update_view(ctx, *_values(ctx, **{ids.DISTRICT: ["064"]}), triggered={ids.DISTRICT})
    patch = out[0]
    assert isinstance(patch, Patch)
    ops = patch.to_plotly_json()["operations"]
    paths = {tuple(op["location"]) for op in ops}
    assert ("data", 0, "z") in paths
    assert not any("geojson" in p for p in paths)  # geometry is never re-sent on a filter change
    assert ("layout", "map", "zoom") in paths  # the map fits the chosen district
    assert len(json.dumps(ops)) < 60_000
    cards = _text(out[3])
    assert "7 / 22" in cards
    gaps = out[9]
    assert gaps and all(r["district_name"] == "Huyện Chợ Đồn" for r in gaps)
    assert gaps[0]["difficult_text"] == "Có"


def test_update_view_vintage_change_points_to_new_geometry(ctx):
    out = cb.update_view(ctx, *_values(ctx, **{ids.VINTAGE: 2025}), triggered={ids.VINTAGE})
    ops = out[0].to_plotly_json()["operations"]
    geo = [op["params"]["value"] for op in ops if op["location"][-1] == "geojson"]
    assert geo and all("communes_2025" in g for g in geo)
    z = next(op["params"]["value"] for op in ops if tuple(op["location"]) == ("data", 0, "z"))
    assert len(z) == 37
    assert "37" in str(out[5]) or "1683" in str(out[5])
    assert len(out[11]) == 37  # search options follow the vintage


def test_update_view_layers_only_sends_visibility(ctx):
    layers = ["communes", "labels"]
    out = cb.update_view(ctx, *_values(ctx, **{ids.LAYERS: layers}), triggered={ids.LAYERS})
    ops = out[0].to_plotly_json()["operations"]
    assert ops and all(op["location"][-1] == "visible" for op in ops)
    vis = {tuple(op["location"]): op["params"]["value"] for op in ops}
    assert vis[("data", figures.TRACE["points"], "visible")] is False
    assert vis[("data", figures.TRACE["commune_labels"], "visible")] is True


def test_update_view_basemap_sets_style_and_attribution(ctx):
    out = cb.update_view(
        ctx, *_values(ctx, **{ids.BASEMAP: "OpenStreetMap.Mapnik"}), triggered={ids.BASEMAP}
    )
    ops = out[0].to_plotly_json()["operations"]
    style = next(op["params"]["value"] for op in ops if op["location"][-1] == "style")
    assert "basemap" in style["sources"]
    assert "OpenStreetMap" in _text(out[6])


def test_update_view_english_legend(ctx):
    out = cb.update_view(ctx, *_values(ctx, **{ids.LANG: "en"}), triggered={ids.LANG})
    assert "Sponsor coverage" in _text(out[1])
    assert "Bridge" in _text(out[2])


def test_every_measure_renders(ctx):
    for measure in styles.MEASURES:
        out = cb.update_view(ctx, *_values(ctx, **{ids.MEASURE: measure}), triggered={ids.MEASURE})
        assert _text(out[1])
        ops = out[0].to_plotly_json()["operations"]
        assert {op["location"][1] for op in ops} == {figures.TRACE["communes"]}


def test_hover_text_is_escaped(ctx, bundle):
    projects = bundle.projects.assign(title="<img src=x onerror=alert(1)>")
    text = figures.project_hover(projects.head(1), ctx.translations.get("vi"))[0]
    assert "<img" not in text and "&lt;img" in text


# ------------------------------------------------------------------------------ selection
def test_select_from_map_click_search_grid_and_vintage(ctx):
    click = {"points": [{"curveNumber": figures.TRACE["communes"], "location": "02023"}]}
    assert cb.select(ctx, click, None, None, 2019, None, triggered=ids.MAP)[0] == "02023"
    click = {"points": [{"curveNumber": figures.TRACE["points"], "customdata": "P0004"}]}
    assert cb.select(ctx, click, None, None, 2019, None, triggered=ids.MAP)[0] == "P0004"
    sel, patch = cb.select(ctx, None, "02023", None, 2019, None, triggered=ids.SEARCH)
    assert sel == "02023" and isinstance(patch, Patch)
    sel, _ = cb.select(ctx, None, None, {"rowId": "02065"}, 2019, None, triggered=ids.GAP_GRID)
    assert sel == "02065"
    sel, _ = cb.select(ctx, None, None, None, 2025, "02023", triggered=ids.VINTAGE)
    assert sel == "02026"  # Xuân Lạc lies in Nam Cường since 2025
    assert cb.select(ctx, None, "99999", None, 2019, None, triggered=ids.SEARCH)[0] is no_update


def test_show_selection_commune(ctx):
    filters = [None] * len(cb.FILTER_IDS)
    body, patch = cb.show_selection(ctx, "02023", 2019, "vi", *filters)
    text = _text(body)
    assert "Xã Xuân Lạc" in text and "Sở Công Thương tỉnh Bắc Kạn" in text
    assert "Xã Nam Cường" in text  # what it became in 2025
    assert "Trạm biến áp" in text
    ops = patch.to_plotly_json()["operations"]
    assert any(op["params"].get("value") == ["02023"] for op in ops)


def test_show_selection_project_and_nothing(ctx):
    filters = [None] * len(cb.FILTER_IDS)
    body, _ = cb.show_selection(ctx, "P0008", 2019, "en", *filters)
    text = _text(body)
    assert "Transformer station upgrade Bản Ó" in text
    assert "Location approximate" in text
    body, _ = cb.show_selection(ctx, None, 2019, "vi", *filters)
    assert "Bấm vào" in _text(body)


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
    assert out[0] == ["District", ctx.translations.get("en")("app.title")]
    assert out[1] == ["Gaps"]
    assert out[-1] == "en"
    assert len(out) == 16


def test_export_csv():
    assert cb.export_csv(1) is True
    assert cb.export_csv(None) is False


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


def test_geojson_and_glyph_routes(app):
    client = app.server.test_client()
    r = client.get("/geo/communes_2019.geojson")
    assert r.status_code == 200 and "max-age" in r.headers["Cache-Control"]
    assert len(json.loads(r.data)["features"]) == 122
    assert client.get("/geo/nope.geojson").status_code == 404
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
    time.sleep(1.1)  # the store's version is looked at no more than every second
    assert "19 \\u002f 122" in client.get("/_dash-layout").get_data(as_text=True)


def test_export_view_sends_the_current_view(ctx):
    values = _values(ctx, **{ids.DISTRICT: ["064"]})
    payload = cb.export_view(ctx, 1, "csv", *values)
    assert payload["filename"].endswith(".csv") and "d064" in payload["filename"]
    assert payload["content"]
    assert cb.export_view(ctx, None, "csv", *values) is no_update
