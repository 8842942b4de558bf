"""Layer styles and Plotly figures, tested by structure."""

from __future__ import annotations

import json

import pandas as pd

from geodata import coverage as cv
from geodata.vocabulary import ProjectKind
from layers import figures, map_paint, styles


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
    # coverage classes: sponsored, chosen, others, difficult_none, none
    assert styles.classify("coverage", t).tolist() == [5, 1, 4, 5, 1, 0]
    # the gap map: difficult with none recorded strongest, then none, then the rest left blank
    assert styles.classify("gaps", t).tolist() == [2, 3, 1, 2, 3, 0]


def test_format_vnd():
    assert figures.format_vnd(230_000_000) == "230 tr."
    assert figures.format_vnd(13_916_000_000) == "13,9 tỷ"


def test_labels_geojson_names_the_vintage_communes_the_districts_and_neighbours(bundle):
    lp = bundle.label_points
    tables = {"commune": lp["communes_2025"], "district": lp["districts"]}
    features = map_paint.label_features(tables)["features"]
    kinds = [f["properties"]["kind"] for f in features]
    assert kinds.count("commune") == 37 and kinds.count("district") == len(lp["districts"])
    names = {f["properties"]["name"] for f in features}
    assert set(lp["communes_2025"]["name"]) <= names  # diacritics kept as they are
    first = features[0]
    assert first["geometry"]["coordinates"] == [
        round(float(lp["communes_2025"]["lon"].iloc[0]), 6),
        round(float(lp["communes_2025"]["lat"].iloc[0]), 6),
    ]


def test_paint_spec_of_the_province(bundle):
    table = cv.commune_measures(bundle, 2019)
    projects = cv.filter_projects(bundle, 2019, cv.Filters())
    spec = map_paint.paint_spec(
        measure="coverage",
        table=table,
        projects=projects,
        code_column="code_2019",
        t=lambda key, **kw: key,
        sources={"communes": "/geo/communes_2019.geojson"},
        visible={"projects": False},
        fit=bundle.bbox(2019),
    )
    assert len(spec["communes"]) == 122 and set(spec["points"]) == set(projects["project_id"])
    classes = styles.classify("coverage", table)
    assert [c[0] for c in spec["communes"].values()] == classes.tolist()
    assert spec["colours"] == styles.class_colours("coverage")
    assert sum(g[0] for g in spec["groups"].values()) == len(projects)
    assert spec["groups"]["02023"][:3] == [12, map_paint.group_size(12), "#ffffff"]
    assert spec["visible"] == {
        "communes": True,
        "districts": True,
        "province": True,
        "projects": False,
        "labels": True,
    }
    assert spec["look"]["tile_zoom"] == map_paint.TILE_ZOOM
    assert spec["look"]["point_tile_zoom"] == map_paint.POINT_TILE_ZOOM < map_paint.TILE_ZOOM
    assert spec["words"]["classes"][0] == "class.out_of_view"
    assert len(json.dumps(spec, ensure_ascii=False).encode()) < 10 * 1024


def test_map_geojson_is_fetched_once_per_vintage(bundle):
    points = map_paint.project_features(bundle.projects)["features"]
    assert [f["properties"]["pid"] for f in points] == bundle.projects["project_id"].tolist()
    groups = map_paint.group_features(bundle.projects, "code_2025", {"02026": "Xã Nam Cường"})
    discs = {
        f["properties"]["fid"]: f for f in groups["features"] if f["properties"]["role"] == "disc"
    }
    assert discs["02026"]["properties"]["name"] == "Xã Nam Cường"
    texts = {f["properties"]["fid"] for f in groups["features"]} - set(discs)
    n = int((bundle.projects["code_2025"] == "02026").sum())
    assert {f"02026#{k}" for k in range(2, n + 1)} <= texts  # every count it may show


def test_basemap_tiles_by_xyzservices():
    tiles = figures.basemap_tiles("OpenStreetMap.Mapnik")
    assert tiles["url"].endswith("{z}/{x}/{y}.png")
    assert "OpenStreetMap" in tiles["attribution"]


def test_surveyed_points_have_no_halo_and_approximate_ones_say_so():
    projects = pd.DataFrame(
        {
            "project_id": ["P1", "P2"],
            "kind": ["bridge", "market"],
            "title": ["Cầu <Bản Ó>", "Chợ"],
            "title_en": [None, "Market"],
            "commune": ["Xã Xuân Lạc", "Xã Xuân Lạc"],
            "year": ["2019", None],
            "agency": [None, "Sở Công Thương tỉnh Bắc Kạn"],
            "sponsor_name": [None, None],
            "location_precision": ["surveyed", "commune"],
            "lon": [105.5, 105.6],
            "lat": [22.3, 22.4],
        }
    )
    props = [f["properties"] for f in map_paint.project_features(projects)["features"]]
    assert [p["approx"] for p in props] == [False, True]  # only the second gets the ring
    assert [p["letter"] for p in props] == ["C", "M"]
    assert [p["pid"] for p in props] == ["P1", "P2"]
    assert props[0]["title"] == "Cầu <Bản Ó>"  # text: map.js shows it with textContent
    assert props[1]["who"] == "Sở Công Thương tỉnh Bắc Kạn" and props[1]["year"] is None


def test_paint_spec_of_a_country_names_the_simplified_communes(bundle):
    """A map of more communes than a province has (a national store) draws simplified
    communes and no details below map_paint.DETAIL_ZOOM; a province's map never does."""
    import pandas as pd

    table = cv.commune_measures(bundle, 2019)
    copies = -(-map_paint.DETAIL_COMMUNES // len(table)) + 1
    country = pd.concat(
        [
            table.assign(code=table["code"].map(lambda c, k=k: f"{k:02d}{c[2:]}"))
            for k in range(copies)
        ],
        ignore_index=True,
    )
    sources = {"communes": "/geo/c.geojson", "communes_low": "/geo/c_low.geojson"}
    common = {
        "measure": "coverage",
        "projects": cv.filter_projects(bundle, 2019, cv.Filters()),
        "code_column": "code_2019",
        "t": lambda key, **kw: key,
        "sources": sources,
        "visible": {},
        "fit": bundle.bbox(2019),
    }
    spec = map_paint.paint_spec(table=country, **common)
    assert len(spec["communes"]) > map_paint.DETAIL_COMMUNES
    assert spec["sources"] == sources and spec["look"]["detail_zoom"] == map_paint.DETAIL_ZOOM
    province = map_paint.paint_spec(table=table, **common)
    assert province["sources"] == {"communes": "/geo/c.geojson"}
    assert province["look"]["detail_zoom"] is None
    # every project passes: "all" on a country's map (not 100,000 ids), the ids on a province's
    every = len(bundle.projects)
    assert map_paint.paint_spec(table=country, all_projects=every, **common)["points"] == "all"
    ids = map_paint.paint_spec(table=table, all_projects=every, **common)["points"]
    assert sorted(ids) == sorted(bundle.projects["project_id"])
    bridges = cv.filter_projects(bundle, 2019, cv.Filters(project_kinds=("bridge",)))
    some = map_paint.paint_spec(
        table=country, all_projects=every, **(common | {"projects": bridges})
    )
    assert 0 < len(some["points"]) < every and set(some["points"]) == set(bridges["project_id"])
