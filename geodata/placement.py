"""Deterministic stand-in points for projects whose coordinates are unknown.

Each project gets a point inside the area it must fall in (its commune, in every vintage),
kept away from the border and spread on a sunflower spiral around the area's most interior
point, so that points of one commune never stack and never leave it. Points already placed in
an area can be skipped, so that later additions (imports) continue the same spiral.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point
from shapely.ops import polylabel

from geodata.boundaries import METRIC_CRS

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
SPACING_M = 450.0
INSET_M = 200.0


def spiral_points(area: shapely.Geometry, count: int, spacing: float, skip: int = 0) -> list[Point]:
    """Points ``skip`` to ``skip + count`` of a spiral inside ``area`` (projected, metres).

    >>> from shapely import box
    >>> square = box(0, 0, 1000, 1000)
    >>> pts = spiral_points(square, 5, 100.0)
    >>> len(pts), len({(p.x, p.y) for p in pts}), all(square.contains(p) for p in pts)
    (5, 5, True)
    >>> spiral_points(square, 2, 100.0, skip=3) == pts[3:5]
    True
    """
    total = skip + count
    if count <= 0:
        return []
    largest = max(getattr(area, "geoms", [area]), key=lambda g: g.area)
    centre = polylabel(largest, tolerance=max(spacing / 10, 1e-9))
    shapely.prepare(area)
    # the spiral's n-th point is step·√n from the centre: beyond the farthest corner of the
    # area's box no point can fall inside, so only the points up to there are tried
    minx, miny, maxx, maxy = area.bounds
    reach = math.hypot(max(centre.x - minx, maxx - centre.x), max(centre.y - miny, maxy - centre.y))
    step = spacing
    while True:
        n = np.arange(min(total * 400, math.ceil((reach / step) ** 2) + 1))
        r = step * np.sqrt(n)
        x = centre.x + r * np.cos(n * GOLDEN_ANGLE)
        y = centre.y + r * np.sin(n * GOLDEN_ANGLE)
        inside = np.flatnonzero(shapely.contains_xy(area, x, y))
        if len(inside) >= total:
            keep = inside[skip:total]
            return [Point(float(a), float(b)) for a, b in zip(x[keep], y[keep], strict=True)]
        step /= 2  # a thin commune: pack tighter rather than leave it


def place_in_areas(
    keys: Sequence[tuple],
    areas: Mapping[tuple, shapely.Geometry],
    crs: str = "EPSG:4326",
    skip: Mapping[tuple, int] | None = None,
) -> list[Point]:
    """One point per entry of ``keys`` (in order), inside ``areas[key]`` (lon/lat shapes).

    Entries sharing a key are spread on one spiral, in the order given, after the first
    ``skip[key]`` points of that spiral (points placed earlier).
    """
    result: list[Point | None] = [None] * len(keys)
    by_key: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        by_key.setdefault(key, []).append(i)
    for key, positions in by_key.items():
        metric = gpd.GeoSeries([areas[key]], crs=crs).to_crs(METRIC_CRS).iloc[0]
        inner = metric.buffer(-INSET_M)
        if inner.is_empty or inner.area < metric.area * 0.1:
            inner = metric.buffer(-INSET_M / 4)
        if inner.is_empty:
            inner = metric
        pts = spiral_points(inner, len(positions), SPACING_M, skip=(skip or {}).get(key, 0))
        lonlat = gpd.GeoSeries(pts, crs=METRIC_CRS).to_crs(crs)
        for pos, pt in zip(positions, lonlat, strict=True):
            result[pos] = pt
    return result  # type: ignore[return-value]
