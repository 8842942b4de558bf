"""Boundary building on tiny hand-made shapes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import box

from geodata import boundaries as bd
from geodata.errors import DataValidationError
from geodata.placement import place_in_areas

UNITS = pd.DataFrame(
    {
        "code": ["02023", "02026", "01834"],
        "name": ["Xã Xuân Lạc", "Xã Nam Cường", "Phường Nguyễn Thị Minh Khai"],
        "kind": ["xã", "xã", "phường"],
        "district_code": ["064", "064", "058"],
        "district_name": ["Huyện Chợ Đồn", "Huyện Chợ Đồn", "Thành Phố Bắc Kạn"],
        "province_code": ["06"] * 3,
    }
)


def gadm(names):
    return gpd.GeoDataFrame(
        {
            "gadm_id": [f"G{i}" for i in range(len(names))],
            "gadm_district": [d for d, _ in names],
            "gadm_name": [n for _, n in names],
            "gadm_type": ["Xã"] * len(names),
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(len(names))],
        crs=bd.STORE_CRS,
    )


def test_attach_codes_matches_gadm_names_without_spaces():
    g = gadm(
        [("ChợĐồn", "XuânLạc"), ("ChợĐồn", "NamCường"), ("ThànhPhốBắcKạn", "NguyễnThịMinhKhai")]
    )
    out = bd.attach_codes(g, UNITS)
    assert dict(zip(out["gadm_id"], out["code"], strict=True)) == {
        "G0": "02023",
        "G1": "02026",
        "G2": "01834",
    }
    assert out.loc[out["code"] == "02023", "name"].item() == "Xã Xuân Lạc"


def test_attach_codes_lists_every_leftover():
    g = gadm([("ChợĐồn", "XuânLặc"), ("ChợĐồn", "NamCường"), ("BaBể", "NguyễnThịMinhKhai")])
    with pytest.raises(DataValidationError) as info:
        bd.attach_codes(g, UNITS)
    text = str(info.value)
    assert "XuânLặc" in text and "02023 Xã Xuân Lạc" in text  # the suggestion
    assert "BaBể" in text  # district unknown
    assert "01834 Phường Nguyễn Thị Minh Khai" in text and "has no polygon" in text
    assert len(info.value.problems) == 4


def cell(x0, y0, x1, y1):
    """A box in tenths of a degree, placed in Bắc Kạn so that UTM 48N areas make sense."""
    return box(105 + x0 / 10, 22 + y0 / 10, 105 + x1 / 10, 22 + y1 / 10)


def test_clean_coverage_removes_overlaps_and_slivers():
    g = gpd.GeoDataFrame(
        {"code": ["a", "b", "c", "d"]},
        geometry=[
            cell(0, 0, 3, 1),
            cell(0, 2, 3, 3),
            cell(0, 0.99, 1.5, 2),  # overlaps a
            cell(1.501, 1, 3, 2),  # leaves a sliver enclosed by a, b, c and d
        ],
        crs=bd.STORE_CRS,
    )
    before = bd.coverage_report(g)
    assert not before["coverage_valid"] and before["gaps"] == 1 and before["overlap_km2"] > 0
    clean = bd.clean_coverage(g, gap_width=0.001)
    after = bd.coverage_report(clean)
    assert after["coverage_valid"] and after["invalid"] == 0
    assert after["overlap_km2"] == 0 and after["gaps"] == 0
    assert abs(shapely.union_all(clean.geometry.to_numpy()).area - 0.09) < 1e-9
    assert list(clean["code"]) == ["a", "b", "c", "d"]


def test_dissolve_and_simplify_keep_shared_borders():
    wiggly = shapely.Polygon([(0, 0), (1, 0), (1.0001, 0.5), (1, 1), (0, 1)])
    other = box(0, 0, 2, 1).difference(wiggly)
    g = gpd.GeoDataFrame(
        {"code": ["a", "b"], "group": ["x", "x"]}, geometry=[wiggly, other], crs=bd.STORE_CRS
    )
    simple = bd.simplify_coverage(g, tolerance=0.01)
    assert shapely.coverage_is_valid(simple.geometry.to_numpy())
    assert shapely.get_num_coordinates(simple.geometry.to_numpy()).sum() < (
        shapely.get_num_coordinates(g.geometry.to_numpy()).sum()
    )
    merged = bd.dissolve(g, "group")
    assert abs(merged["x"].area - 2) < 1e-9 and len(merged["x"].geoms) == 1


def test_placement_stays_inside_and_never_stacks():
    thin = shapely.Polygon([(105.0, 22.0), (105.2, 22.0), (105.2, 22.004), (105.0, 22.004)])
    square = box(105.5, 22.0, 105.6, 22.1)
    keys = [("thin",)] * 12 + [("sq",)] * 5
    points = place_in_areas(keys, {("thin",): thin, ("sq",): square})
    assert all(thin.contains(p) for p in points[:12])
    assert all(square.contains(p) for p in points[12:])
    assert len({(p.x, p.y) for p in points}) == len(points)
    assert place_in_areas(keys, {("thin",): thin, ("sq",): square}) == points  # deterministic
