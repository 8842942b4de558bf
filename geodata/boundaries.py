"""Commune, district and province boundaries: reading the upstream formats, attaching GSO codes,
cleaning the polygons into a valid coverage, dissolving and simplifying it.

All functions are pure except the ``read_*`` loaders. Geometry is stored in EPSG:4326; areas are
computed in WGS 84 / UTM zone 48N (EPSG:32648).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from geodata.errors import DataValidationError
from geodata.names import Candidate, NameIndex, compact, loose_key

STORE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:32648"

# Gaps narrower than this (degrees; ~330 m at 22°N) between GADM's one-by-one simplified
# polygons are slivers, not land without a commune.
GAP_WIDTH_DEG = 0.003
# Web simplification tolerance (degrees; ~160 m, under a pixel at the province zoom);
# shared borders stay shared.
WEB_TOLERANCE_DEG = 0.0015


def read_gadm(path: Path, province: str = "Bắc Kạn") -> gpd.GeoDataFrame:
    """GADM level-3 features of one province, from the national file or a province subset.

    Returns columns ``gadm_id``, ``gadm_district``, ``gadm_name``, ``gadm_type`` and geometry.
    """
    raw = gpd.read_file(path, engine="pyogrio")
    want = compact(loose_key(province))
    keep = raw["NAME_1"].map(lambda s: compact(loose_key(str(s))) == want)
    if not keep.any():
        msg = (
            f"{path.name}: no GADM feature has NAME_1 = {province!r}; is this a GADM level-3 file?"
        )
        raise DataValidationError(msg)
    sub = raw.loc[keep]
    out = gpd.GeoDataFrame(
        {
            "gadm_id": sub["GID_3"].to_numpy(),
            "gadm_district": sub["NAME_2"].to_numpy(),
            "gadm_name": sub["NAME_3"].to_numpy(),
            "gadm_type": sub["TYPE_3"].to_numpy(),
        },
        geometry=sub.geometry.to_numpy(),
        crs=STORE_CRS,
    )
    return out.reset_index(drop=True)


def attach_codes(gadm: gpd.GeoDataFrame, units: pd.DataFrame) -> gpd.GeoDataFrame:
    """Give each GADM polygon its GSO code by name, matched within its district.

    All polygons and all units must pair one-to-one; otherwise a
    :class:`~geodata.errors.DataValidationError` lists every leftover on both sides.
    """
    districts = units[["district_code", "district_name"]].drop_duplicates()
    district_index = NameIndex(
        Candidate(r.district_code, r.district_name, None) for r in districts.itertuples()
    )
    commune_index = NameIndex(
        Candidate(r.code, r.name, r.district_code) for r in units.itertuples()
    )
    problems: list[str] = []
    codes: list[str | None] = []
    for row in gadm.itertuples():
        dmatch = district_index.resolve(row.gadm_district)
        if not dmatch.accepted:
            problems.append(
                f"{row.gadm_id}: district {row.gadm_district!r} not found ({dmatch.how})"
            )
            codes.append(None)
            continue
        match = commune_index.resolve(row.gadm_name, parent=dmatch.code)
        if not match.accepted:
            hint = ", ".join(f"{c.code} {c.name}" for c in match.suggestions) or "none"
            problems.append(
                f"{row.gadm_id}: commune {row.gadm_name!r} in {dmatch.name} not matched "
                f"({match.how}; suggestions: {hint})"
            )
        codes.append(match.code)
    taken = pd.Series([c for c in codes if c is not None])
    for code in taken[taken.duplicated()].unique():
        ids = [g for g, c in zip(gadm["gadm_id"], codes, strict=True) if c == code]
        problems.append(f"GSO code {code} matched by several polygons: {', '.join(ids)}")
    for row in units.loc[~units["code"].isin(taken)].itertuples():
        problems.append(f"GSO unit {row.code} {row.name} ({row.district_name}) has no polygon")
    if problems:
        msg = (
            f"GADM polygons and GSO units do not pair one-to-one ({len(problems)} problems):\n  "
            + "\n  ".join(problems)
            + "\nFix: check that the GADM file and the GSO list are of the same vintage."
        )
        raise DataValidationError(msg, tuple(problems))
    table = units.set_index("code").loc[codes].reset_index()
    return gpd.GeoDataFrame(
        {
            "code": table["code"].to_numpy(),
            "name": table["name"].to_numpy(),
            "kind": table["kind"].to_numpy(),
            "district_code": table["district_code"].to_numpy(),
            "district_name": table["district_name"].to_numpy(),
            "gadm_id": gadm["gadm_id"].to_numpy(),
        },
        geometry=gadm.geometry.to_numpy(),
        crs=STORE_CRS,
    ).sort_values("code", ignore_index=True)


def clean_coverage(gdf: gpd.GeoDataFrame, gap_width: float = GAP_WIDTH_DEG) -> gpd.GeoDataFrame:
    """A copy whose polygons form a valid coverage: no overlaps, no slivers, shared edges identical.

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(0.9, 0, 2, 1)])
    >>> bool(shapely.coverage_is_valid(clean_coverage(g).geometry.values))
    True
    """
    geoms = shapely.make_valid(gdf.geometry.to_numpy(), method="structure", keep_collapsed=False)
    cleaned = shapely.coverage_clean(geoms, gap_width=gap_width)
    cleaned = np.array([_polygonal(g) for g in cleaned], dtype=object)
    out = gdf.copy()
    out.geometry = gpd.GeoSeries(cleaned, crs=gdf.crs, index=gdf.index)
    return out


def simplify_coverage(
    gdf: gpd.GeoDataFrame, tolerance: float = WEB_TOLERANCE_DEG
) -> gpd.GeoDataFrame:
    """A copy simplified as a whole: shared borders stay identical, far fewer vertices."""
    simplified = shapely.coverage_simplify(gdf.geometry.to_numpy(), tolerance)
    out = gdf.copy()
    out.geometry = gpd.GeoSeries(simplified, crs=gdf.crs, index=gdf.index)
    return out


def dissolve(gdf: gpd.GeoDataFrame, by: str) -> gpd.GeoSeries:
    """Union of a clean coverage's polygons per value of ``by`` (a GeoSeries indexed by it)."""
    parts = {
        key: _polygonal(shapely.coverage_union_all(group.geometry.to_numpy()))
        for key, group in gdf.groupby(by, sort=True)
    }
    return gpd.GeoSeries(parts, crs=gdf.crs)


def area_km2(geoms: gpd.GeoSeries) -> pd.Series:
    """Areas in km², computed in UTM zone 48N."""
    return (geoms.to_crs(METRIC_CRS).area / 1e6).round(3)


def iou(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Intersection over union of two (lon/lat) shapes, by area in UTM 48N."""
    s = gpd.GeoSeries([a.intersection(b), a.union(b)], crs=STORE_CRS).to_crs(METRIC_CRS).area
    return float(s.iloc[0] / s.iloc[1])


def coverage_report(gdf: gpd.GeoDataFrame) -> dict[str, float | int | bool]:
    """Figures about a polygon layer: validity, coverage validity, overlaps, gaps and vertices."""
    geoms = gdf.geometry.to_numpy()
    # Topology in lon/lat (reprojecting straight edges would open hairline gaps), areas in metres.
    union = shapely.union_all(geoms)
    holes = [Polygon(ring) for poly in _polygons(union) for ring in poly.interiors]

    def km2(shapes: list) -> float:
        return float(gpd.GeoSeries(shapes, crs=gdf.crs).to_crs(METRIC_CRS).area.sum()) / 1e6

    overlap = km2(list(geoms)) - km2([union])
    return {
        "features": len(gdf),
        "invalid": int((~shapely.is_valid(geoms)).sum()),
        "coverage_valid": bool(shapely.coverage_is_valid(geoms)),
        "overlap_km2": round(max(overlap, 0.0), 4),
        "gaps": len(holes),
        "gap_km2": round(km2(holes), 4),
        "vertices": int(shapely.get_num_coordinates(geoms).sum()),
    }


def read_gis_province(path: Path) -> tuple[dict[str, str], shapely.Geometry, gpd.GeoDataFrame]:
    """A dvhcvn ``data/gis/NN.json`` file: (province code/name, outline, districts layer)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    outline = _polygonal(shapely.make_valid(shape(raw)))
    districts = gpd.GeoDataFrame(
        {
            "code": [d["level2_id"] for d in raw["level2s"]],
            "name": [d["name"] for d in raw["level2s"]],
        },
        geometry=[_polygonal(shapely.make_valid(shape(d))) for d in raw["level2s"]],
        crs=STORE_CRS,
    )
    return {"code": raw["level1_id"], "name": raw["name"]}, outline, districts


def read_wards_2025(path: Path, codes: set[str]) -> gpd.GeoDataFrame:
    """Units of the 2025 ward layer (vietnam-3d-map JSON) whose GSO code is in ``codes``."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    wards = [w for w in raw["wards"] if w["id"] in codes]
    missing = codes - {w["id"] for w in wards}
    if missing:
        msg = f"{path.name}: no polygon for 2025 unit(s) {', '.join(sorted(missing))}"
        raise DataValidationError(msg)
    geoms = []
    for w in wards:
        rings = [Polygon(r) for r in w["polygons"]]
        geoms.append(_polygonal(shapely.make_valid(shapely.union_all(rings))))
    return gpd.GeoDataFrame(
        {
            "code": [w["id"] for w in wards],
            "name": [f"{w['type']} {w['name']}" for w in wards],
            "kind": [w["type"].lower() for w in wards],
        },
        geometry=geoms,
        crs=STORE_CRS,
    ).sort_values("code", ignore_index=True)


def _polygons(geom: shapely.Geometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty else []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


def _polygonal(geom: shapely.Geometry) -> MultiPolygon:
    """The polygonal part of a geometry, always as a MultiPolygon (one type per layer)."""
    return MultiPolygon(_polygons(geom))
