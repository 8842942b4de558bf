"""Deterministic stand-in points for projects whose coordinates are unknown.

Each project gets a point inside the area it must fall in (its commune, in every vintage),
kept away from the border and spread on a sunflower spiral around the area's most interior
point, so that points of one commune never stack and never leave it.
"""

from __future__ import annotations

import math

import geopandas as gpd
import shapely
from shapely.geometry import Point
from shapely.ops import polylabel

from geodata.boundaries import METRIC_CRS

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def spiral_points(area: shapely.Geometry, count: int, spacing: float) -> list[Point]:
    """``count`` points inside ``area`` (projected, metres), ``spacing`` apart on a spiral.

    >>> from shapely import box
    >>> pts = spiral_points(box(0, 0, 1000, 1000), 5, 100.0)
    >>> square = box(0, 0, 1000, 1000)
    >>> len(pts), len({(p.x, p.y) for p in pts}), all(square.contains(p) for p in pts)
    (5, 5, True)
    """
    if count == 0:
        return []
    largest = max(getattr(area, "geoms", [area]), key=lambda g: g.area)
    centre = polylabel(largest, tolerance=max(spacing / 10, 1e-9))
    shapely.prepare(area)
    points: list[Point] = []
    step = spacing
    while len(points) < count:
        points = []
        for n in range(count * 400):
            r = step * math.sqrt(n)
            p = Point(
                centre.x + r * math.cos(n * GOLDEN_ANGLE), centre.y + r * math.sin(n * GOLDEN_ANGLE)
            )
            if area.contains(p):
                points.append(p)
                if len(points) == count:
                    break
        step /= 2  # a thin commune: pack tighter rather than leave it
    return points


def place_in_areas(
    keys: list[tuple],
    areas: dict[tuple, shapely.Geometry],
    crs: str = "EPSG:4326",
    spacing_m: float = 450.0,
    inset_m: float = 200.0,
) -> list[Point]:
    """One point per entry of ``keys`` (in order), inside ``areas[key]`` (lon/lat shapes).

    Entries sharing a key are spread on one spiral, in the order given.
    """
    result: list[Point | None] = [None] * len(keys)
    by_key: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        by_key.setdefault(key, []).append(i)
    for key, positions in by_key.items():
        metric = gpd.GeoSeries([areas[key]], crs=crs).to_crs(METRIC_CRS).iloc[0]
        inner = metric.buffer(-inset_m)
        if inner.is_empty or inner.area < metric.area * 0.1:
            inner = metric.buffer(-inset_m / 4)
        if inner.is_empty:
            inner = metric
        pts = spiral_points(inner, len(positions), spacing_m)
        lonlat = gpd.GeoSeries(pts, crs=METRIC_CRS).to_crs(crs)
        for pos, pt in zip(positions, lonlat, strict=True):
            result[pos] = pt
    return result  # type: ignore[return-value]
