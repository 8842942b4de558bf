"""The store built from the real mirror data: counts, codes, validity, coverage, crosswalk."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import shapely

from geodata import gso, sources
from geodata.check import check_store
from geodata.store import GeoPackageStore


@pytest.fixture(scope="module")
def store(built_store):
    """The built store on each backend (GeoPackage, PostGIS)."""
    return built_store


@pytest.mark.parametrize(
    ("layer", "count"),
    [
        ("communes_2019", 122),
        ("communes_2020", 108),
        ("communes_2025", 37),
        ("districts", 8),
        ("province", 1),
        ("neighbours", 5),
    ],
)
def test_counts(store, layer, count):
    assert len(store.read(layer)) == count


@pytest.mark.parametrize("vintage", ["2019", "2020", "2025"])
def test_web_layers_hold_the_same_units(store, vintage):
    full = store.read(f"communes_{vintage}")
    web = store.read(f"communes_{vintage}_web")
    assert list(web["code"]) == list(full["code"])


@pytest.mark.parametrize(
    ("layer", "snapshot"),
    [("communes_2019", sources.GSO_2019), ("communes_2020", sources.GSO_2020)],
)
def test_codes_equal_the_gso_list(store, settings, layer, snapshot):
    units = gso.read_units(sources.fetch(snapshot, settings))
    table = store.read(layer)
    assert table["code"].is_unique
    assert sorted(table["code"]) == sorted(units["code"])
    merged = table.merge(units, on="code", suffixes=("", "_gso"))
    assert (merged["name"] == merged["name_gso"]).all()
    assert (merged["district_code"] == merged["district_code_gso"]).all()


def test_2025_codes_are_those_of_the_former_bac_kan_area(store):
    codes = store.read("communes_2025")["code"]
    assert codes.is_unique and len(codes) == 37
    assert codes.between("01840", "02191").all()


@pytest.mark.parametrize("layer", ["communes_2019", "communes_2020", "communes_2025"])
def test_each_communes_layer_is_a_valid_coverage(store, layer):
    for name in (layer, f"{layer}_web"):
        geoms = store.read(name).geometry.to_numpy()
        assert shapely.is_valid(geoms).all()
        assert shapely.coverage_is_valid(geoms)


def test_web_layers_are_lighter(store):
    full = shapely.get_num_coordinates(store.read("communes_2025").geometry.to_numpy()).sum()
    web = shapely.get_num_coordinates(store.read("communes_2025_web").geometry.to_numpy()).sum()
    assert web < 0.8 * full


def test_districts_and_province_nest_the_communes(store):
    communes = store.read("communes_2019")
    districts = store.read("districts").set_index("code")
    assert districts["name"].str.contains("Chợ Đồn").any()
    for code, group in communes.groupby("district_code"):
        union = shapely.union_all(group.geometry.to_numpy())
        assert union.symmetric_difference(districts.geometry[code]).area < 1e-9
    province = store.read("province").geometry.iloc[0]
    assert (
        shapely.union_all(districts.geometry.to_numpy()).symmetric_difference(province).area < 1e-9
    )


def test_xuan_lac(store):
    c = store.read("communes_2019").set_index("code").loc["02023"]
    assert c["name"] == "Xã Xuân Lạc"
    assert c["district_name"] == "Huyện Chợ Đồn"
    assert 50 < c["area_km2"] < 120
    cw = store.read("crosswalk").set_index("code_2019").loc["02023"]
    assert (cw["code_2025"], cw["name_2025"]) == ("02026", "Xã Nam Cường")
    assert "Xã Nam Cường" in set(store.read("communes_2025")["name"])


def test_province_outline_agrees_with_the_government_map(store):
    info = store.read("build_info").set_index("key")["value"]
    report = json.loads(info["report"])
    assert report["province_iou_vs_dvhcvn"] > 0.99
    assert report["gadm_raw"]["overlap_km2"] > 1  # the raw GADM polygons overlap ...
    assert report["communes_2019"]["overlap_km2"] == 0  # ... the cleaned ones do not
    assert report["communes_2019"]["gaps"] == 0


def test_projects_sit_inside_their_commune_in_every_vintage_and_never_stack(store):
    projects = store.read("projects")
    assert (projects["location_precision"] == "commune").all()
    coords = {(round(p.x, 7), round(p.y, 7)) for p in projects.geometry}
    assert len(coords) == len(projects)
    xl = projects.loc[projects["code_2019"] == "02023"]
    assert len(xl) >= 10
    nam_cuong = store.read("communes_2025").set_index("code").geometry["02026"]
    assert nam_cuong.contains(shapely.union_all(xl.geometry.to_numpy()))


def test_programme_tables_keep_sources_and_set_aggregates_apart(store):
    assignments = store.read("assignments")
    assert assignments["source_url"].str.startswith("http").all()
    assert assignments["commune_code"].notna().all()
    sct = assignments.loc[assignments["sponsor_name"] == "Sở Công Thương tỉnh Bắc Kạn"]
    assert "02023" in set(sct["code_2019"])
    aggregates = store.read("projects_aggregate")
    assert len(aggregates) > 0 and aggregates["commune_name"].isna().all()
    assert set(store.read("agencies")["kind"]) >= {"department", "mass_org", "enterprise"}


def test_check_finds_no_problem_in_a_fresh_store(store):
    report = check_store(store)
    assert report.problems == []
    assert report.counts["communes_2019"] == 122


def test_check_reports_a_broken_store(store, tmp_path):
    broken = GeoPackageStore(tmp_path / "broken.gpkg")
    tables = {name: store.read(name) for name in store.list_layers()}
    c = tables["communes_2019"]
    tables["communes_2019"] = c.iloc[1:]  # lose a commune
    broken.write_all(tables)
    problems = check_store(broken).problems
    assert any("communes_2019: 121 features, expected 122" in p for p in problems)
    assert any("codes differ from the crosswalk" in p for p in problems)


def test_other_gis_tools_open_the_store(built_store):
    """GDAL (what QGIS uses) opens either store: the GeoPackage file, or the PostGIS database
    (``PG:`` + the URL), where the layers are the ``atlas`` schema's tables."""
    source = str(built_store.path) if isinstance(built_store, GeoPackageStore) else None
    source = source or "PG:" + built_store.dsn
    out = subprocess.run(
        ["ogrinfo", "-q", "-ro", source], capture_output=True, text=True, check=True
    ).stdout
    for layer in ("communes_2019", "communes_2020", "communes_2025", "districts", "projects"):
        assert re.search(rf"\b{layer} \(", out), (layer, out)
