"""Layer styles and Plotly figures, tested by structure."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata import coverage as cv
from geodata.bundle import Bundle
from geodata.vocabulary import ProjectKind
from layers import figures, styles


def _hex_to_rgb(h: str) -> tuple[int, int, int]:
    h = h.lstrip("#")
    return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))


def test_every_measure_has_distinct_class_colours():
    for m in styles.MEASURES.values():
        colours = styles.class_colours(m.key)
        assert len(set(colours)) == len(colours), m.key


def test_project_kinds_cover_the_store_kinds_with_distinct_colours_and_letters():
    assert set(styles.PROJECT_KINDS) == set(ProjectKind.values())
    colours = [k.colour for k in styles.PROJECT_KINDS.values()]
    letters = [k.letter for k in styles.PROJECT_KINDS.values()]
    assert len(set(colours)) == len(colours)
    assert len(set(letters)) == len(letters)
    assert styles.kind_style("nonsense").key == "other"


def test_sequential_palettes_get_darker():
    """Ordered classes (counts, money) run light → dark, readable without hue."""
    for key in ("n_sponsors", "support_vnd", "n_projects"):
        lum = [sum(_hex_to_rgb(c.colour)) for c in styles.MEASURES[key].classes]
        assert lum == sorted(lum, reverse=True), key


def test_classify_bins():
    t = pd.DataFrame(
        {
            "in_view": [True] * 5 + [False],
            "support_vnd": [float("nan"), 10e6, 50e6, 499e6, 2e9, 1e9],
            "n_projects": [0, 1, 2, 3, 6, 9],
            "ntm_year": pd.array([None, 2017, 2018, 2021, 2022, 2017], dtype="Int64"),
            "coverage": ["none", "sponsored", "difficult_none", "none", "sponsored", "none"],
        }
    )
    assert styles.classify("support_vnd", t).tolist() == [1, 2, 3, 3, 4, 0]
    assert styles.classify("n_projects", t).tolist() == [1, 2, 2, 3, 4, 0]
    assert styles.classify("ntm_year", t).tolist() == [1, 2, 3, 4, 5, 0]
    assert styles.classify("coverage", t).tolist() == [3, 1, 2, 3, 1, 0]


def test_discrete_colorscale_maps_integers_to_their_colour():
    scale = styles.discrete_colorscale(["#a", "#b", "#c"])
    assert scale[0] == [0.0, "#a"] and scale[-1] == [1.0, "#c"]


def test_format_vnd():
    assert figures.format_vnd(230_000_000) == "230 tr."
    assert figures.format_vnd(13_916_000_000) == "13,9 tỷ"


def test_zoom_fits_the_province():
    z = figures.zoom_for_bbox((105.43, 21.85, 106.26, 22.74), 900, 640)
    assert 7.5 < z < 9.5


@pytest.fixture(scope="module")
def bundle(store_path) -> Bundle:
    return Bundle.load(store_path)


def test_map_figure_structure(bundle):
    table = cv.commune_measures(bundle, 2019)
    projects = cv.filter_projects(bundle, 2019, cv.Filters())
    t = str
    urls = {k: f"/geo/{k}.geojson" for k in ("districts", "province", "neighbours")}
    urls["communes"] = "/geo/communes_2019.geojson"
    labels = {
        "communes": bundle.label_points["communes_2019"],
        "districts": bundle.label_points["districts"],
        "neighbours": bundle.label_points["neighbours"],
    }
    fig = figures.map_figure(
        urls=urls,
        measure="coverage",
        table=table,
        commune_hover_text=figures.commune_hover(table, "coverage", t),
        projects=projects,
        project_hover_text=figures.project_hover(projects, t),
        labels=labels,
        bbox=bundle.bbox(2019),
        glyphs_url="/glyphs/{fontstack}/{range}.pbf",
    )
    names = [tr.name for tr in fig.data]
    assert names == list(figures.TRACE_ORDER)
    communes = fig.data[figures.TRACE["communes"]]
    assert communes.type == "choroplethmap" and communes.geojson == urls["communes"]
    assert len(communes.locations) == 122
    points = fig.data[figures.TRACE["points"]]
    assert points.type == "scattermap" and len(points.lon) == len(projects)
    assert fig.layout.map.style["glyphs"].startswith("/glyphs/")
    assert fig.layout.map.zoom > 7
    assert [layer.source for layer in fig.layout.map.layers][-1] == urls["province"]
    assert fig.data[figures.TRACE["commune_labels"]].visible is False
    # all seed points are placed inside their commune: drawn with a halo
    assert len(fig.data[figures.TRACE["halo"]].lon) == len(projects)


def test_basemap_tiles_by_xyzservices():
    tiles = figures.basemap_tiles("OpenStreetMap.Mapnik")
    style = figures.base_style(None, tiles)
    assert style["sources"]["basemap"]["tiles"][0].endswith("{z}/{x}/{y}.png")
    assert "OpenStreetMap" in style["sources"]["basemap"]["attribution"]


def test_surveyed_points_have_no_halo_and_approximate_ones_say_so():
    projects = pd.DataFrame(
        {
            "project_id": ["P1", "P2"],
            "kind": ["bridge", "market"],
            "title": ["Cầu <Bản Ó>", "Chợ"],
            "commune": ["Xã Xuân Lạc", "Xã Xuân Lạc"],
            "year": ["2019", None],
            "agency": [None, "Sở Công Thương tỉnh Bắc Kạn"],
            "sponsor_name": [None, None],
            "location_precision": ["surveyed", "commune"],
            "lon": [105.5, 105.6],
            "lat": [22.3, 22.4],
        }
    )
    hover = figures.project_hover(projects, lambda k: k)
    assert "hover.location_approximate" not in hover[0]
    assert "hover.location_approximate" in hover[1]
    assert "&lt;Bản Ó&gt;" in hover[0]
    upd = figures.points_update(projects, hover)
    assert upd["halo"]["lon"] == [105.6]  # only the approximate point gets the ring
    assert upd["points"]["text"] == ["C", "M"]
    assert upd["points"]["customdata"] == ["P1", "P2"]
